package appworld

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
)

// Pool hands out AppWorld environment servers, one per concurrent episode
// (a server holds one world at a time).
type Pool struct {
	free       chan string
	containers []string
	docker     string
	mu         sync.Mutex
}

// NewPool makes a pool of servers given by their base URLs.
func NewPool(urls []string) (*Pool, error) {
	if len(urls) == 0 {
		return nil, errors.New("appworld: a server pool needs at least one URL")
	}
	p := &Pool{free: make(chan string, len(urls))}
	for _, u := range urls {
		u = strings.TrimSuffix(strings.TrimSpace(u), "/")
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, fmt.Errorf("appworld: server URL %q must start with http:// or https://", u)
		}
		p.free <- u
	}
	return p, nil
}

// Acquire waits for a free server.
func (p *Pool) Acquire(ctx context.Context) (string, error) {
	select {
	case u := <-p.free:
		return u, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Release returns a server to the pool.
func (p *Pool) Release(url string) { p.free <- url }

// Size is the number of servers.
func (p *Pool) Size() int { return cap(p.free) }

// ContainerSpec says how to start environment servers as containers.
type ContainerSpec struct {
	// Image is the image, e.g. ghcr.io/stonybrooknlp/appworld:latest.
	Image string
	// Replicas is the number of containers (concurrent episodes).
	Replicas int
	// DataDir is the host directory mounted at VolumeTarget (AppWorld's
	// data directory); empty mounts nothing.
	DataDir      string
	VolumeTarget string
	// Args follow the image name; for the official image
	// "environment --port 8000".
	Args []string
	// Port is the server's port inside the container.
	Port int
	// Docker is the docker command; "docker" when empty.
	Docker string
	// Network, when set, is a Docker network (e.g. one created with
	// "docker network create --internal NAME", which has no route out):
	// containers join it, publish no port, and are reached at their
	// address on it.
	Network string
	// Hardened runs the containers as harness/container runs its own:
	// read-only root file system with a small tmpfs at /tmp, no
	// capabilities, no-new-privileges, a process limit, and the seccomp
	// profile of the native world's sandbox (pyexec.SeccompProfile) in
	// place of Docker's default. StartContainers turns it on for images
	// labelled SandboxLabel.
	Hardened bool
}

// SandboxLabel marks an image whose server runs cells in the OS-level
// sandbox (appworld/docker/build.sh sets it): its containers are started
// Hardened, with the sandbox's seccomp profile.
const SandboxLabel = "io.seeupo.appworld.sandbox"

// hardenedPIDs is the process limit of a hardened container: the server's
// threads plus one interpreter (and its init) per episode.
const hardenedPIDs = 256

// OfficialSpec is the set-up of the official image: the data directory is
// mounted at /run/data (the image's APPWORLD_ROOT is /run) and the
// environment server listens on port 8000.
func OfficialSpec(image, dataDir string, replicas int) ContainerSpec {
	return ContainerSpec{Image: image, Replicas: replicas, DataDir: dataDir, VolumeTarget: "/run/data",
		Args: []string{"environment", "--port", "8000"}, Port: 8000}
}

// StartContainers starts spec.Replicas containers with the docker command
// and returns a pool of their servers, once each answers GET /.
func StartContainers(ctx context.Context, spec ContainerSpec) (*Pool, error) {
	if spec.Docker == "" {
		spec.Docker = "docker"
	}
	if spec.Replicas <= 0 {
		spec.Replicas = 1
	}
	if spec.Port == 0 {
		spec.Port = 8000
	}
	if !spec.Hardened {
		spec.Hardened = imageLabel(ctx, spec.Docker, spec.Image, SandboxLabel) != ""
	}
	var hardening []string
	if spec.Hardened {
		profile, err := writeSeccompProfile()
		if err != nil {
			return nil, err
		}
		defer os.Remove(profile)
		hardening = hardenedArgs(profile)
	}
	var urls, ids []string
	fail := func(err error) (*Pool, error) {
		stopContainers(spec.Docker, ids)
		return nil, err
	}
	for range spec.Replicas {
		// No --rm: a server that exits at start (say, because the sandbox
		// cannot start there) leaves its log for the error; Close and a
		// failed start remove the containers.
		args := append([]string{"run", "-d"}, hardening...)
		if spec.Network != "" {
			args = append(args, "--network", spec.Network)
		} else {
			args = append(args, "-p", fmt.Sprintf("127.0.0.1::%d", spec.Port))
		}
		if spec.DataDir != "" {
			args = append(args, "-v", spec.DataDir+":"+spec.VolumeTarget)
		}
		args = append(append(args, spec.Image), spec.Args...)
		out, err := exec.CommandContext(ctx, spec.Docker, args...).CombinedOutput()
		if err != nil {
			return fail(fmt.Errorf("appworld: docker run %s: %v: %s", spec.Image, err, strings.TrimSpace(string(out))))
		}
		id := strings.TrimSpace(string(out))
		ids = append(ids, id)
		addr, err := containerAddr(ctx, spec, id)
		if err != nil {
			// A server that exits at once has no port to look up: say why it stopped.
			if why := exitedWith(ctx, spec.Docker, id); why != "" {
				err = fmt.Errorf("appworld: the container %.12s of %s exited: %s", id, spec.Image, why)
			}
			return fail(err)
		}
		urls = append(urls, "http://"+addr)
	}
	for i, u := range urls {
		if err := waitHealthy(ctx, u, 2*time.Minute, func() string { return exitedWith(ctx, spec.Docker, ids[i]) }); err != nil {
			return fail(err)
		}
	}
	p, err := NewPool(urls)
	if err != nil {
		return fail(err)
	}
	p.containers, p.docker = ids, spec.Docker
	return p, nil
}

// imageLabel is the value of label on image, or "" when it has none (or
// the image cannot be inspected; docker run then says why).
func imageLabel(ctx context.Context, docker, image, label string) string {
	out, err := exec.CommandContext(ctx, docker, "image", "inspect", "-f",
		fmt.Sprintf("{{index .Config.Labels %q}}", label), image).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// hardenedArgs are the docker run flags of a Hardened container whose
// seccomp profile is the file profile.
func hardenedArgs(profile string) []string {
	return []string{"--read-only", "--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=64m",
		"--cap-drop", "ALL", "--security-opt", "no-new-privileges:true",
		"--security-opt", "seccomp=" + profile, "--pids-limit", strconv.Itoa(hardenedPIDs)}
}

// writeSeccompProfile writes the sandbox's seccomp profile to a temporary
// file for docker run (which reads it before the container starts).
func writeSeccompProfile() (string, error) {
	b, err := pyexec.SeccompProfile()
	if err != nil {
		return "", fmt.Errorf("appworld: the sandbox's seccomp profile: %w", err)
	}
	f, err := os.CreateTemp("", "seeupo-seccomp-*.json")
	if err != nil {
		return "", fmt.Errorf("appworld: writing the sandbox's seccomp profile: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("appworld: writing the sandbox's seccomp profile: %w", err)
	}
	return f.Name(), nil
}

// containerAddr is where the host reaches a container's server.
func containerAddr(ctx context.Context, spec ContainerSpec, id string) (string, error) {
	if spec.Network != "" {
		ip, err := exec.CommandContext(ctx, spec.Docker, "inspect", "-f",
			fmt.Sprintf("{{(index .NetworkSettings.Networks %q).IPAddress}}", spec.Network), id).Output()
		if err != nil || strings.TrimSpace(string(ip)) == "" {
			return "", fmt.Errorf("appworld: address of container %.12s on network %s: %v", id, spec.Network, err)
		}
		return net.JoinHostPort(strings.TrimSpace(string(ip)), fmt.Sprint(spec.Port)), nil
	}
	port, err := exec.CommandContext(ctx, spec.Docker, "port", id, fmt.Sprint(spec.Port)).Output()
	if err != nil {
		return "", fmt.Errorf("appworld: docker port %.12s: %v", id, err)
	}
	hostPort := strings.TrimSpace(strings.Split(string(port), "\n")[0])
	_, p, err := net.SplitHostPort(hostPort)
	if err != nil {
		return "", fmt.Errorf("appworld: docker port %.12s: %q: %v", id, hostPort, err)
	}
	return "127.0.0.1:" + p, nil
}

// waitHealthy waits until the server at url answers, for at most limit;
// exited, when not nil, says why the server's container stopped ("" while
// it runs).
func waitHealthy(ctx context.Context, url string, limit time.Duration, exited func() string) error {
	c := protocol.NewClient(url, 5*time.Second)
	deadline := time.Now().Add(limit)
	for {
		if _, err := c.Health(ctx); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("appworld: server %s not healthy after %s: %w", url, limit, err)
		}
		if exited != nil {
			if why := exited(); why != "" {
				return fmt.Errorf("appworld: the container of server %s exited: %s", url, why)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// exitedWith is the end of the log of container id once it has stopped,
// "" while it runs.
func exitedWith(ctx context.Context, docker, id string) string {
	state, err := exec.CommandContext(ctx, docker, "inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", id).Output()
	if err != nil || strings.HasPrefix(string(state), "true") {
		return ""
	}
	logs, _ := exec.CommandContext(ctx, docker, "logs", "--tail", "5", id).CombinedOutput()
	return fmt.Sprintf("exit code %s; log: %s", strings.TrimPrefix(strings.TrimSpace(string(state)), "false "), strings.TrimSpace(string(logs)))
}

func stopContainers(docker string, ids []string) {
	for _, id := range ids {
		exec.Command(docker, "rm", "-f", id).Run()
	}
}

// Close stops the pool's containers, if it started any.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	stopContainers(p.docker, p.containers)
	p.containers = nil
	return nil
}
