package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"

	"github.com/seeupo/seeupo/harness/env"
)

// Options configure a Pool. Zero values take the defaults named.
type Options struct {
	// Image is the environment image (see BuildImage).
	Image string
	// Suites are served by every container; Params are their parameters.
	Suites []string
	Params map[string]string
	// DataDir is mounted read-only at /data; empty for none.
	DataDir string
	// Replicas is the number of containers (default 1).
	Replicas int
	// MemoryBytes, NanoCPUs and PIDs limit each container (defaults 512
	// MiB, one CPU, 256 processes/threads).
	MemoryBytes int64
	NanoCPUs    int64
	PIDs        int64
	// StartTimeout bounds the wait for a container to answer /healthz
	// (default 30 s).
	StartTimeout time.Duration
	// Publish reaches the servers through ports published on PublishIP of
	// the engine's host instead of their addresses on the private network.
	// It is needed when the engine is remote (DOCKER_HOST tcp:// or
	// ssh://); the network is then an ordinary bridge with inter-container
	// traffic disabled. Default: on for remote engines.
	Publish   *bool
	PublishIP string
	// Client configures the env-service clients of the pool.
	Client env.ClientOptions
	// Logger receives the pool's events (start, exit, restart, removal).
	Logger *slog.Logger
	// RunID is the value of the io.seeupo.env.run label of everything the
	// pool creates (default: random); letters, digits, '-' and '_'.
	RunID string
	// WatchEvery is how often the watchdog checks the containers (default
	// 500 ms).
	WatchEvery time.Duration

	// ImageServer runs the image's own server (its entry point) with Args
	// instead of "seeupo env serve" with Suites: another protocol's
	// server, such as AppWorld's, hardened and watched the same way.
	// Health then says whether a server answers at its base URL.
	ImageServer bool
	Args        []string
	Health      func(ctx context.Context, url string) error
	// Port is the server's port in the container (default ServerPort).
	Port int
	// User runs the server as this uid:gid (default User); ImageUser
	// keeps the image's own.
	User string
	// DataTarget is where DataDir is mounted, read-only (default
	// DataMount).
	DataTarget string
	// Volume, when set, is where a volume of the run (named like its
	// network and labelled with the run) is mounted read-write in every
	// container: the only place a server keeps what it writes. Close
	// removes it unless KeepVolume.
	Volume     string
	KeepVolume bool
	// SecurityOpt are added to no-new-privileges (e.g. "seccomp=<profile
	// JSON>" in place of the engine's default profile).
	SecurityOpt []string
	// TmpfsSize is the size of the tmpfs at /tmp (default "16m").
	TmpfsSize string
	// WritableRoot leaves the root file system writable, for a server
	// that cannot run on a read-only one; everything else stays.
	WritableRoot bool
	// Entrypoint, when set, replaces the image's entry point (with
	// ImageServer, Args follow it): another command of the same binary,
	// such as "/seeupo serve", hardened and watched the same way.
	Entrypoint []string
	// HealthCmd is a Swarm service's container health check (default
	// HealthCheck, the env-service probe); it runs in the container,
	// which has no shell.
	HealthCmd []string
	// ReadOnlyDirs are host directories mounted read-only at their own
	// paths, so a path the harness names (a model directory, say) is the
	// same in the container. They must be readable by User.
	ReadOnlyDirs []string
	// NamePrefix starts the names of the network, the containers and the
	// service (default "seeupo-env").
	NamePrefix string
	// Labels are put on everything made, beside the run's labels.
	Labels map[string]string
}

// ImageUser as Options.User keeps the image's user.
const ImageUser = "image"

func (o *Options) setDefaults(daemonHost string) error {
	if o.Image == "" {
		return errors.New("container pool: no image")
	}
	if o.ImageServer && o.Health == nil {
		return errors.New("container pool: an image's own server needs a health check")
	}
	if !o.ImageServer && len(o.Suites) == 0 {
		return errors.New("container pool: no suite to serve")
	}
	if o.Port <= 0 {
		o.Port = ServerPort
	}
	if o.NamePrefix == "" {
		o.NamePrefix = "seeupo-env"
	}
	if len(o.HealthCmd) == 0 {
		o.HealthCmd = HealthCheck
	}
	for _, d := range o.ReadOnlyDirs {
		if !filepath.IsAbs(d) {
			return fmt.Errorf("container pool: read-only directory %q is not an absolute path", d)
		}
	}
	if o.User == "" {
		o.User = User
	}
	if o.DataTarget == "" {
		o.DataTarget = DataMount
	}
	if o.TmpfsSize == "" {
		o.TmpfsSize = "16m"
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MemoryBytes <= 0 {
		o.MemoryBytes = 512 << 20
	}
	if o.NanoCPUs <= 0 {
		o.NanoCPUs = 1e9
	}
	if o.PIDs <= 0 {
		o.PIDs = 256
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.Publish == nil {
		remote := !strings.HasPrefix(daemonHost, "unix://") && !strings.HasPrefix(daemonHost, "npipe://")
		o.Publish = &remote
	}
	if o.PublishIP == "" {
		o.PublishIP = "127.0.0.1"
	}
	if o.WatchEvery <= 0 {
		o.WatchEvery = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Pool is a set of running environment containers on one private network.
type Pool struct {
	cli     *client.Client
	opts    Options
	runID   string
	network string // name
	volume  string // name, "" for none

	mu      sync.Mutex // guards members
	members []*Member
	// nextIndex is the index of the next member created.
	nextIndex int

	stopWatch context.CancelFunc
	watchDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Member is one container of a pool.
type Member struct {
	Index int
	Name  string
	ID    string
	// Task is the Swarm task the container runs (empty in a Pool).
	Task string

	startTimeout time.Duration
	mu           sync.Mutex
	url          string
	client       *env.Client
	restarts     int
}

// URL is the member's current server address.
func (m *Member) URL() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.url
}

// Client is a client for the member's current address.
func (m *Member) Client() *env.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.client
}

// Restarts counts the times the watchdog restarted the container.
func (m *Member) Restarts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.restarts
}

// Start creates the private network and opts.Replicas containers, and
// returns when every one answers /healthz. A failed or cancelled start
// removes what it created.
func Start(ctx context.Context, cli *client.Client, opts Options) (*Pool, error) {
	if err := opts.setDefaults(cli.DaemonHost()); err != nil {
		return nil, err
	}
	p := &Pool{cli: cli, opts: opts, runID: runIDOr(opts.RunID)}
	ok := false
	defer func() {
		if !ok {
			p.removeAfterFailedStart()
		}
	}()
	if err := p.createNetwork(ctx); err != nil {
		return nil, err
	}
	if err := p.createVolume(ctx); err != nil {
		return nil, err
	}
	if _, err := p.addMembers(ctx, opts.Replicas); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	p.stopWatch, p.watchDone = cancel, make(chan struct{})
	go p.watch(wctx)
	ok = true
	p.opts.Logger.Info("container pool ready", "run", p.runID, "containers", len(p.Members()), "urls", strings.Join(p.URLs(), " "))
	return p, nil
}

// addMembers creates n more containers, starts them at once and waits
// until each answers its health check; they join the pool's members only
// then, all together. On failure the containers it made are removed.
func (p *Pool) addMembers(ctx context.Context, n int) ([]*Member, error) {
	p.mu.Lock()
	first := p.nextIndex
	p.nextIndex += n
	p.mu.Unlock()
	var added []*Member
	fail := func(err error) ([]*Member, error) {
		p.removeMembers(added)
		return nil, err
	}
	for i := range n {
		m, err := p.createMember(ctx, first+i)
		if err != nil {
			return fail(err)
		}
		added = append(added, m)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(added))
	for i, m := range added {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.startMember(ctx, m)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	p.mu.Lock()
	p.members = append(p.members, added...)
	p.mu.Unlock()
	return added, nil
}

// Grow adds n containers to a running pool, returning when every one
// answers its health check; a failed Grow removes what it made and leaves
// the pool as it was.
func (p *Pool) Grow(ctx context.Context, n int) ([]*Member, error) {
	added, err := p.addMembers(ctx, n)
	if err == nil {
		p.opts.Logger.Info("container pool grown", "run", p.runID, "added", len(added), "containers", len(p.Members()))
	}
	return added, err
}

// removeMembers force-removes the members' containers (a failed Grow's).
func (p *Pool) removeMembers(ms []*Member) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, m := range ms {
		if err := p.cli.ContainerRemove(ctx, m.ID, container.RemoveOptions{Force: true}); err != nil && !client.IsErrNotFound(err) {
			p.opts.Logger.Warn("removing a container of a failed start", "container", m.Name, "err", err)
		}
	}
}

// RunID is the value of the io.seeupo.env.run label on the pool's objects.
func (p *Pool) RunID() string { return p.runID }

// Network is the name of the pool's network.
func (p *Pool) Network() string { return p.network }

// Members are the pool's containers.
func (p *Pool) Members() []*Member {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*Member(nil), p.members...)
}

// URLs are the servers' current addresses, one per container.
func (p *Pool) URLs() []string {
	ms := p.Members()
	urls := make([]string, len(ms))
	for i, m := range ms {
		urls[i] = m.URL()
	}
	return urls
}

func (p *Pool) labels() map[string]string { return p.opts.labels(p.runID) }

// runIDOr is id, or a new random run id when id is empty.
func runIDOr(id string) string {
	if id == "" {
		return env.NewInstanceID()[5:17]
	}
	return id
}

// runLabels are the labels of everything a run creates (containers,
// networks, volumes, services), by which Down finds them.
func runLabels(runID string) map[string]string {
	return map[string]string{LabelEnv: "1", LabelRun: runID}
}

// labels are the run's labels and the options' own.
func (o *Options) labels(runID string) map[string]string {
	l := runLabels(runID)
	for k, v := range o.Labels {
		l[k] = v
	}
	return l
}

// serverArgs are the containers' arguments: Args for the image's own
// server, else the suites and their parameters for "env serve".
func (o *Options) serverArgs() []string {
	args := []string{}
	if o.ImageServer {
		return append(args, o.Args...)
	}
	for _, s := range o.Suites {
		args = append(args, "--suite", s)
	}
	for k, v := range o.Params {
		args = append(args, "--param", k+"="+v)
	}
	return args
}

// readOnlyMounts are the read-only binds: DataDir at DataTarget, and each
// of ReadOnlyDirs at its own path.
func (o *Options) readOnlyMounts() []mount.Mount {
	var ms []mount.Mount
	if o.DataDir != "" {
		ms = append(ms, mount.Mount{Type: mount.TypeBind, Source: o.DataDir, Target: o.DataTarget, ReadOnly: true})
	}
	for _, d := range o.ReadOnlyDirs {
		ms = append(ms, mount.Mount{Type: mount.TypeBind, Source: d, Target: d, ReadOnly: true})
	}
	return ms
}

// user is the containers' user ("" keeps the image's).
func (o *Options) user() string {
	if o.User == ImageUser {
		return ""
	}
	return o.User
}

func (p *Pool) createNetwork(ctx context.Context) error {
	name := p.opts.NamePrefix + "-" + p.runID
	_, err := p.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver:   "bridge",
		Internal: !*p.opts.Publish,
		Labels:   p.labels(),
		Options:  map[string]string{"com.docker.network.bridge.enable_icc": "false"},
	})
	if err != nil {
		return fmt.Errorf("creating network %s: %w", name, err)
	}
	p.network = name
	return nil
}

// createVolume makes the run's volume, when the options ask for one.
func (p *Pool) createVolume(ctx context.Context) error {
	if p.opts.Volume == "" {
		return nil
	}
	name := p.opts.NamePrefix + "-" + p.runID
	if _, err := p.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: p.labels()}); err != nil {
		return fmt.Errorf("creating volume %s: %w", name, err)
	}
	p.volume = name
	return nil
}

// Volume is the name of the run's volume ("" when it has none).
func (p *Pool) Volume() string { return p.volume }

// containerSpec is the hardened configuration of member i.
func (p *Pool) containerSpec(i int) (*container.Config, *container.HostConfig, *network.NetworkingConfig) {
	labels := p.labels()
	labels[LabelMember] = strconv.Itoa(i)
	port := p.port()
	cfg := &container.Config{
		Image:        p.opts.Image,
		Entrypoint:   p.opts.Entrypoint,
		Cmd:          p.opts.serverArgs(),
		User:         p.opts.user(),
		Labels:       labels,
		ExposedPorts: nat.PortSet{port: {}},
		Env:          []string{"GOMAXPROCS=" + strconv.FormatInt(max(1, (p.opts.NanoCPUs+999_999_999)/1e9), 10)},
	}
	host := Hardened(Limits{MemoryBytes: p.opts.MemoryBytes, NanoCPUs: p.opts.NanoCPUs, PIDs: p.opts.PIDs, TmpfsSize: p.opts.TmpfsSize})
	host.NetworkMode = container.NetworkMode(p.network)
	host.ReadonlyRootfs = !p.opts.WritableRoot
	host.SecurityOpt = append(host.SecurityOpt, p.opts.SecurityOpt...)
	host.Mounts = append(host.Mounts, p.opts.readOnlyMounts()...)
	if p.volume != "" {
		host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeVolume, Source: p.volume, Target: p.opts.Volume})
	}
	if *p.opts.Publish {
		host.PortBindings = nat.PortMap{port: {{HostIP: p.opts.PublishIP, HostPort: ""}}}
	}
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{p.network: {}}}
	return cfg, host, netCfg
}

// port is the server's port in the containers.
func (p *Pool) port() nat.Port { return nat.Port(fmt.Sprintf("%d/tcp", p.opts.Port)) }

// Limits are a container's resource limits.
type Limits struct {
	MemoryBytes int64 // memory, swap included (no swap)
	NanoCPUs    int64
	PIDs        int64  // processes and threads
	TmpfsSize   string // the tmpfs at /tmp, e.g. "16m"
}

// Hardened is the host configuration every environment server runs
// under: a read-only root file system with a small noexec tmpfs at /tmp,
// no capabilities, no-new-privileges, a private IPC namespace, memory
// (without swap), CPU and process limits, a capped log, and no restart by
// the engine (the pool's watchdog restarts).
func Hardened(l Limits) *container.HostConfig {
	pids := l.PIDs
	return &container.HostConfig{
		ReadonlyRootfs: true,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges:true"},
		IpcMode:        container.IPCModePrivate,
		Tmpfs:          map[string]string{"/tmp": "rw,noexec,nosuid,nodev,size=" + l.TmpfsSize},
		Resources: container.Resources{
			Memory:     l.MemoryBytes,
			MemorySwap: l.MemoryBytes, // no swap
			NanoCPUs:   l.NanoCPUs,
			PidsLimit:  &pids,
		},
		LogConfig:     container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m", "max-file": "1"}},
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
	}
}

func (p *Pool) createMember(ctx context.Context, i int) (*Member, error) {
	cfg, host, netCfg := p.containerSpec(i)
	name := fmt.Sprintf("%s-%s-%d", p.opts.NamePrefix, p.runID, i)
	resp, err := p.cli.ContainerCreate(ctx, cfg, host, netCfg, nil, name)
	if err != nil {
		return nil, fmt.Errorf("creating container %s: %w", name, err)
	}
	return &Member{Index: i, Name: name, ID: resp.ID, startTimeout: p.opts.StartTimeout}, nil
}

// startMember starts the container, finds its address and waits for
// /healthz.
func (p *Pool) startMember(ctx context.Context, m *Member) error {
	if err := p.cli.ContainerStart(ctx, m.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("starting %s: %w", m.Name, err)
	}
	u, err := p.address(ctx, m)
	if err != nil {
		return err
	}
	copts := p.opts.Client
	copts.BaseURL = u
	c, err := env.NewClient(copts)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.url, m.client = u, c
	m.mu.Unlock()
	return p.waitHealthy(ctx, m, c)
}

// address is where the harness reaches the member's server: its address on
// the private network, or the published port on the engine's host.
func (p *Pool) address(ctx context.Context, m *Member) (string, error) {
	info, err := p.cli.ContainerInspect(ctx, m.ID)
	if err != nil {
		return "", fmt.Errorf("inspecting %s: %w", m.Name, err)
	}
	if info.State != nil && !info.State.Running {
		return "", fmt.Errorf("%s exited with code %d before answering: %s", m.Name, info.State.ExitCode, p.logTail(m))
	}
	if info.NetworkSettings == nil {
		return "", fmt.Errorf("%s has no network settings", m.Name)
	}
	if !*p.opts.Publish {
		ep := info.NetworkSettings.Networks[p.network]
		if ep == nil || ep.IPAddress == "" {
			return "", fmt.Errorf("%s has no address on network %s", m.Name, p.network)
		}
		return "http://" + net.JoinHostPort(ep.IPAddress, strconv.Itoa(p.opts.Port)), nil
	}
	bindings := info.NetworkSettings.Ports[p.port()]
	if len(bindings) == 0 || bindings[0].HostPort == "" {
		return "", fmt.Errorf("%s has no published port", m.Name)
	}
	host := p.opts.PublishIP
	if u, err := url.Parse(p.cli.DaemonHost()); err == nil && (u.Scheme == "tcp" || u.Scheme == "ssh" || u.Scheme == "http" || u.Scheme == "https") {
		host = u.Hostname()
	}
	return "http://" + net.JoinHostPort(host, bindings[0].HostPort), nil
}

func (p *Pool) waitHealthy(ctx context.Context, m *Member, c *env.Client) error {
	deadline := time.Now().Add(p.opts.StartTimeout)
	var last error
	for time.Now().Before(deadline) {
		hctx, cancel := context.WithTimeout(ctx, time.Second)
		if p.opts.Health != nil {
			last = p.opts.Health(hctx, m.URL())
		} else {
			last = c.Health(hctx)
		}
		cancel()
		if last == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", m.Name, ctx.Err())
		}
		info, err := p.cli.ContainerInspect(ctx, m.ID)
		if err == nil && info.State != nil && !info.State.Running {
			return fmt.Errorf("%s exited with code %d before answering: %s", m.Name, info.State.ExitCode, p.logTail(m))
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", m.Name, ctx.Err())
		}
	}
	return fmt.Errorf("%s did not answer its health check within %s: %v; log: %s", m.Name, p.opts.StartTimeout, last, p.logTail(m))
}

// logTail is the end of the container's output, for error messages.
func (p *Pool) logTail(m *Member) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := p.cli.ContainerLogs(ctx, m.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "10"})
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 4096))
	// Strip the multiplexing headers' control bytes.
	return strings.Map(func(r rune) rune {
		if r < 32 && r != '\n' {
			return -1
		}
		return r
	}, strings.TrimSpace(string(b)))
}

// watch restarts members whose container stopped, until ctx ends.
func (p *Pool) watch(ctx context.Context) {
	defer close(p.watchDone)
	t := time.NewTicker(p.opts.WatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, m := range p.Members() {
			info, err := p.cli.ContainerInspect(ctx, m.ID)
			if err != nil || info.State == nil || info.State.Running {
				continue
			}
			p.opts.Logger.Warn("container exited; restarting it", "container", m.Name,
				"exit_code", info.State.ExitCode, "oom_killed", info.State.OOMKilled)
			if err := p.startMember(ctx, m); err != nil {
				if ctx.Err() == nil {
					p.opts.Logger.Error("container restart failed", "container", m.Name, "err", err)
				}
				continue
			}
			m.mu.Lock()
			m.restarts++
			m.mu.Unlock()
			p.opts.Logger.Info("container restarted", "container", m.Name, "url", m.URL())
		}
	}
}

// stopWatching stops the watchdog and leaves the containers as they are
// (a fleet's, on an engine it lost).
func (p *Pool) stopWatching() {
	if p.stopWatch != nil {
		p.stopWatch()
		<-p.watchDone
	}
}

// Kill sends SIGKILL to member i's container (for fault tests).
func (p *Pool) Kill(ctx context.Context, i int) error {
	return p.cli.ContainerKill(ctx, p.Members()[i].ID, "KILL")
}

// Close stops the watchdog and removes the pool's containers and network.
// It works after ctx of Start was cancelled, and is safe to call twice.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		p.stopWatching()
		p.closeErr = p.remove()
		p.opts.Logger.Info("container pool removed", "run", p.runID)
	})
	return p.closeErr
}

// remove deletes every container and the network labelled with the run,
// and its volume unless the options keep it.
func (p *Pool) remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, _, err := DownCount(ctx, p.cli, p.runID); err != nil || p.opts.KeepVolume {
		return err
	}
	_, err := DownVolumes(ctx, p.cli, p.runID)
	return err
}

// removeAfterFailedStart removes what a failed or cancelled Start made. A
// create whose request was cut short by the cancellation can still
// complete in the engine after the first removal, so it looks again until
// a look half a second after the previous one finds nothing.
func (p *Pool) removeAfterFailedStart() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range 10 {
		nc, nn, err := DownCount(ctx, p.cli, p.runID)
		if err != nil {
			p.opts.Logger.Warn("removing a failed pool", "run", p.runID, "err", err)
		}
		if i > 0 && nc == 0 && nn == 0 && err == nil {
			if _, err := DownVolumes(ctx, p.cli, p.runID); err != nil {
				p.opts.Logger.Warn("removing a failed pool's volume", "run", p.runID, "err", err)
			}
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// Down removes every container, network and volume labelled io.seeupo.env
// (only those of run when it is not empty).
func Down(ctx context.Context, cli *client.Client, run string) error {
	_, _, err := DownCount(ctx, cli, run)
	if err != nil {
		return err
	}
	_, err = DownVolumes(ctx, cli, run)
	return err
}

// DownVolumes removes the volumes labelled io.seeupo.env (only those of
// run when it is not empty) and says how many went. Run it after the
// containers that use them are gone.
func DownVolumes(ctx context.Context, cli *client.Client, run string) (int, error) {
	f := filters.NewArgs(filters.Arg("label", LabelEnv+"=1"))
	if run != "" {
		f.Add("label", LabelRun+"="+run)
	}
	list, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return 0, fmt.Errorf("listing volumes: %w", err)
	}
	n := 0
	var errs []error
	for _, v := range list.Volumes {
		if err := cli.VolumeRemove(ctx, v.Name, true); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// DownCount is Down that also says how many containers and networks went.
func DownCount(ctx context.Context, cli *client.Client, run string) (containers, networks int, err error) {
	f := filters.NewArgs(filters.Arg("label", LabelEnv+"=1"))
	if run != "" {
		f.Add("label", LabelRun+"="+run)
	}
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return 0, 0, fmt.Errorf("listing containers: %w", err)
	}
	var errs []error
	for _, c := range list {
		err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.ID[:12], err))
			continue
		}
		containers++
	}
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return containers, 0, errors.Join(append(errs, fmt.Errorf("listing networks: %w", err))...)
	}
	for _, n := range nets {
		if err := cli.NetworkRemove(ctx, n.ID); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, err))
			continue
		}
		networks++
	}
	return containers, networks, errors.Join(errs...)
}
