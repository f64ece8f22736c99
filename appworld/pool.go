package appworld

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
)

// Pool hands out AppWorld environment servers, one per concurrent episode
// (a server holds one world at a time): servers given by their URLs, or
// containers it started (see StartContainers), whose current address it
// reads at each hand-out, since a restarted container may have a new one.
type Pool struct {
	free     chan int
	urls     []string
	cp       *container.Pool
	closeCli func() error
}

// Lease is one server handed out by a pool.
type Lease struct {
	Index int
	URL   string
}

// NewPool makes a pool of servers given by their base URLs.
func NewPool(urls []string) (*Pool, error) {
	if len(urls) == 0 {
		return nil, errors.New("appworld: a server pool needs at least one URL")
	}
	p := &Pool{free: make(chan int, len(urls))}
	for i, u := range urls {
		u = strings.TrimSuffix(strings.TrimSpace(u), "/")
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, fmt.Errorf("appworld: server URL %q must start with http:// or https://", u)
		}
		p.urls = append(p.urls, u)
		p.free <- i
	}
	return p, nil
}

// url is server i's current address.
func (p *Pool) url(i int) string {
	if p.cp != nil {
		return p.cp.Members()[i].URL()
	}
	return p.urls[i]
}

// Acquire waits for a free server. Of a pool of containers it hands out
// only a server that answers: one whose container died (and is being
// restarted) goes back to the end of the queue.
func (p *Pool) Acquire(ctx context.Context) (Lease, error) {
	for tried := 0; ; tried++ {
		var i int
		select {
		case i = <-p.free:
		case <-ctx.Done():
			return Lease{}, ctx.Err()
		}
		s := Lease{Index: i, URL: p.url(i)}
		if p.cp == nil || healthy(ctx, s.URL, 2*time.Second) == nil {
			return s, nil
		}
		p.free <- i
		if tried%p.Size() == p.Size()-1 { // every server was down: wait for a restart
			select {
			case <-time.After(250 * time.Millisecond):
			case <-ctx.Done():
				return Lease{}, ctx.Err()
			}
		}
	}
}

// Release returns a server to the pool.
func (p *Pool) Release(s Lease) { p.free <- s.Index }

// Size is the number of servers.
func (p *Pool) Size() int { return cap(p.free) }

// Containers is the container pool behind the servers, nil for servers
// given by URL.
func (p *Pool) Containers() *container.Pool { return p.cp }

// healthy is nil when the server at url answers GET / within limit.
func healthy(ctx context.Context, url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	_, err := protocol.NewClient(url, limit).Health(ctx)
	return err
}

// ContainerSpec says how to start environment servers as containers.
type ContainerSpec struct {
	// Image is the image, e.g. ghcr.io/stonybrooknlp/appworld:latest.
	Image string
	// Replicas is the number of containers (concurrent episodes).
	Replicas int
	// DataDir is the host directory mounted read-only at VolumeTarget
	// (AppWorld's data directory); empty mounts nothing.
	DataDir      string
	VolumeTarget string
	// OutputsTarget is where the run's Docker volume is mounted
	// read-write: the server's outputs (AppWorld writes its experiments
	// under APPWORLD_ROOT/experiments). Empty: no volume.
	OutputsTarget string
	// KeepOutputs keeps the volume when the pool closes (its name is
	// Pool.Containers().Volume()).
	KeepOutputs bool
	// Args follow the image's entry point; for the official image
	// "environment --port 8000".
	Args []string
	// Port is the server's port inside the container.
	Port int
	// Publish reaches the servers through ports published on 127.0.0.1
	// (default on a remote engine) instead of their addresses on the
	// run's internal network, which has no route out.
	Publish *bool
	// MemoryBytes, NanoCPUs and PIDs limit each container (defaults 4
	// GiB, two CPUs, 256 processes and threads: the server's threads plus
	// one interpreter and its init per episode).
	MemoryBytes, NanoCPUs, PIDs int64
	// WritableRoot leaves the root file system writable, for a server
	// that cannot run on a read-only one; every other hardening stays.
	WritableRoot bool
	// Sandboxed means the image runs cells in seeupo's OS-level sandbox:
	// its containers get the sandbox's seccomp profile
	// (pyexec.SeccompProfile) in place of Docker's default.
	// StartContainers turns it on for images labelled SandboxLabel. Every
	// container gets the rest of the hardening either way.
	Sandboxed bool
	// StartTimeout bounds the wait for a server to answer (default 2 min).
	StartTimeout time.Duration
}

// SandboxLabel marks an image whose server runs cells in the OS-level
// sandbox (appworld/docker/build.sh sets it): its containers are started
// with the sandbox's seccomp profile.
const SandboxLabel = "io.seeupo.appworld.sandbox"

// Container defaults: what one AppWorld server may use.
const (
	containerMemory = 4 << 30
	containerCPUs   = 2e9
	containerPIDs   = 256
)

// OfficialSpec is the set-up of the official image: the data directory is
// mounted read-only at /run/data (the image's APPWORLD_ROOT is /run), the
// run's volume at /run/experiments (where the server writes its outputs),
// and the environment server listens on port 8000.
func OfficialSpec(image, dataDir string, replicas int) ContainerSpec {
	return ContainerSpec{Image: image, Replicas: replicas, DataDir: dataDir, VolumeTarget: "/run/data",
		OutputsTarget: "/run/experiments", Args: []string{"environment", "--port", "8000"}, Port: 8000}
}

// StartContainers starts spec.Replicas containers through the Docker
// Engine API (harness/container: the engine of DOCKER_HOST, each
// container hardened, on the run's own network, watched and restarted
// when it dies) and returns a pool of their servers once each answers
// GET /. A failed start removes what it made.
func StartContainers(ctx context.Context, spec ContainerSpec) (*Pool, error) {
	cli, err := container.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("appworld: %w", err)
	}
	label := func(ctx context.Context) string {
		info, err := cli.ImageInspect(ctx, spec.Image)
		if err != nil || info.Config == nil {
			return "" // the start says what is wrong with the image
		}
		return info.Config.Labels[SandboxLabel]
	}
	opts, err := containerOptions(ctx, spec, label)
	if err == nil {
		var cp *container.Pool
		if cp, err = container.Start(ctx, cli, opts); err == nil {
			p := &Pool{free: make(chan int, len(cp.Members())), cp: cp, closeCli: cli.Close}
			for i := range cp.Members() {
				p.free <- i
			}
			return p, nil
		}
	}
	cli.Close()
	return nil, fmt.Errorf("appworld: starting containers of %s: %w", spec.Image, err)
}

// containerOptions are the container pool's options for spec; label is
// the image's SandboxLabel value.
func containerOptions(ctx context.Context, spec ContainerSpec, label func(context.Context) string) (container.Options, error) {
	if spec.Image == "" {
		return container.Options{}, errors.New("no image")
	}
	if spec.Port == 0 {
		spec.Port = 8000
	}
	o := container.Options{
		Image: spec.Image, ImageServer: true, Args: spec.Args, Port: spec.Port, User: container.ImageUser,
		Replicas: max(1, spec.Replicas), Publish: spec.Publish,
		MemoryBytes: cmpOr(spec.MemoryBytes, containerMemory), NanoCPUs: cmpOr(spec.NanoCPUs, containerCPUs),
		PIDs: cmpOr(spec.PIDs, containerPIDs), TmpfsSize: "64m", WritableRoot: spec.WritableRoot,
		DataDir: spec.DataDir, DataTarget: spec.VolumeTarget, Volume: spec.OutputsTarget, KeepVolume: spec.KeepOutputs,
		StartTimeout: cmpOr(spec.StartTimeout, 2*time.Minute),
		Health:       func(ctx context.Context, url string) error { return healthy(ctx, url, time.Second) },
	}
	if spec.DataDir != "" && spec.VolumeTarget == "" {
		return o, errors.New("a data directory needs the path to mount it at")
	}
	if spec.Sandboxed || label(ctx) != "" {
		profile, err := pyexec.SeccompProfile()
		if err != nil {
			return o, fmt.Errorf("the sandbox's seccomp profile: %w", err)
		}
		o.SecurityOpt = []string{"seccomp=" + string(profile)}
	}
	return o, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Backends are the pool's servers as episode-driver backends
// (env.RunEpisodes), one per server: an episode that fails on one is
// retried on another, and a server that does not answer GET / is left
// alone until it does again.
func (s *Suite) Backends(ctx context.Context) ([]env.Backend, error) {
	pool, err := s.Pool(ctx)
	if err != nil {
		return nil, err
	}
	bs := make([]env.Backend, pool.Size())
	for i := range bs {
		name := fmt.Sprintf("appworld-%d", i)
		if pool.cp != nil {
			name = pool.cp.Members()[i].Name
		}
		bs[i] = env.Backend{Name: name, Suite: &serverSuite{Suite: s, index: i},
			Check: func(ctx context.Context) error { return healthy(ctx, pool.url(i), 5*time.Second) }}
	}
	return bs, nil
}

// serverSuite is the suite with every episode on one server of its pool.
type serverSuite struct {
	*Suite
	index int
}

func (s *serverSuite) NewEnv(context.Context) (env.Env, error) {
	url := s.pool.url(s.index)
	return newEnv(s.settings, protocol.NewClient(url, s.settings.RequestTimeout), func() {}, &s.docs), nil
}

// Close stops the pool's containers and removes them, their network and
// (unless kept) their volume, if it started any.
func (p *Pool) Close() error {
	if p.cp == nil {
		return nil
	}
	err := p.cp.Close()
	if p.closeCli != nil {
		p.closeCli()
	}
	return err
}
