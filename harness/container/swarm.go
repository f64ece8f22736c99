package container

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness/env"
)

// LabelService marks the Swarm services this package creates (with
// LabelEnv and LabelRun); its value is the service's name.
const LabelService = "io.seeupo.env.service"

// HealthCheck is the container health check of a service's tasks: the
// image has no shell, so the binary probes its own server. Swarm reports a
// task running only once it passes, and replaces a task that fails it.
var HealthCheck = []string{"CMD", "/seeupo", "env", "health", "--url",
	fmt.Sprintf("http://127.0.0.1:%d", ServerPort), "--timeout", "2s"}

// SwarmManager returns nil when the engine is a manager of an active
// Swarm, else an error that says how to make one.
func SwarmManager(ctx context.Context, cli *client.Client) error {
	info, err := cli.Info(ctx)
	if err != nil {
		return fmt.Errorf("asking the engine for its Swarm state: %w", err)
	}
	if info.Swarm.LocalNodeState != swarm.LocalNodeStateActive {
		return fmt.Errorf("the engine at %s is not in a Swarm (state %q); start one with docker swarm init", cli.DaemonHost(), info.Swarm.LocalNodeState)
	}
	if !info.Swarm.ControlAvailable {
		return fmt.Errorf("the engine at %s is a Swarm worker; services are made on a manager", cli.DaemonHost())
	}
	return nil
}

// Service is a replicated Swarm service of environment servers. Each
// running task is a Member; the list follows Swarm as it replaces failed
// tasks and as the service is scaled.
type Service struct {
	cli     *client.Client
	opts    Options
	runID   string
	name    string
	id      string
	network string
	owned   bool // made here, so removed by Close

	mu      sync.Mutex
	members []*Member
	refresh sync.Mutex // one refresh at a time

	stopWatch context.CancelFunc
	watchDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// StartService creates the service's network and a service of
// opts.Replicas tasks, and returns when that many tasks answer /healthz.
// The engine must be a Swarm manager (see SwarmManager). The image is
// named by its ID, so no node tries to pull it: a one-node Swarm uses the
// image BuildImage made; on several nodes each needs the image loaded. A
// failed or cancelled start removes what it created.
func StartService(ctx context.Context, cli *client.Client, opts Options) (*Service, error) {
	if err := opts.setDefaults(cli.DaemonHost()); err != nil {
		return nil, err
	}
	if err := SwarmManager(ctx, cli); err != nil {
		return nil, err
	}
	img, err := cli.ImageInspect(ctx, opts.Image)
	if err != nil {
		return nil, fmt.Errorf("inspecting image %s: %w", opts.Image, err)
	}
	s := &Service{cli: cli, opts: opts, runID: runIDOr(opts.RunID), owned: true}
	s.name = opts.NamePrefix + "-" + s.runID
	ok := false
	defer func() {
		if !ok {
			s.remove()
		}
	}()
	if err := s.createNetwork(ctx); err != nil {
		return nil, err
	}
	resp, err := cli.ServiceCreate(ctx, s.spec(img.ID, opts.Replicas), swarm.ServiceCreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("creating service %s: %w", s.name, err)
	}
	s.id = resp.ID
	if err := s.WaitMembers(ctx, opts.Replicas, opts.StartTimeout+30*time.Second); err != nil {
		return nil, err
	}
	s.startWatch()
	ok = true
	s.opts.Logger.Info("swarm service ready", "service", s.name, "tasks", len(s.Members()))
	return s, nil
}

// AttachService follows an existing service made by StartService (by
// "seeupo env up --swarm", say), named by its name or run id. Close stops
// following it and leaves it running.
func AttachService(ctx context.Context, cli *client.Client, nameOrRun string, opts Options) (*Service, error) {
	opts.Image, opts.Suites = "-", []string{"-"} // taken from the service
	if err := opts.setDefaults(cli.DaemonHost()); err != nil {
		return nil, err
	}
	svc, err := findService(ctx, cli, nameOrRun)
	if err != nil {
		return nil, err
	}
	s := &Service{cli: cli, opts: opts, runID: svc.Spec.Labels[LabelRun], name: svc.Spec.Name, id: svc.ID}
	if nets := svc.Spec.TaskTemplate.Networks; len(nets) > 0 {
		if n, err := cli.NetworkInspect(ctx, nets[0].Target, network.InspectOptions{}); err == nil {
			s.network = n.Name
		}
	}
	published := svc.Spec.EndpointSpec != nil && len(svc.Spec.EndpointSpec.Ports) > 0
	s.opts.Publish = &published
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	s.startWatch()
	return s, nil
}

// findService returns the labelled service with that name or run id.
func findService(ctx context.Context, cli *client.Client, nameOrRun string) (swarm.Service, error) {
	list, err := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("label", LabelEnv+"=1"))})
	if err != nil {
		return swarm.Service{}, fmt.Errorf("listing services: %w", err)
	}
	var names []string
	for _, svc := range list {
		if svc.Spec.Name == nameOrRun || svc.Spec.Labels[LabelRun] == nameOrRun {
			return svc, nil
		}
		names = append(names, svc.Spec.Name)
	}
	return swarm.Service{}, fmt.Errorf("no environment service %q; there are: %s", nameOrRun, strings.Join(names, ", "))
}

// Name is the service's name; RunID the value of its io.seeupo.env.run
// label; Network the name of its network.
func (s *Service) Name() string    { return s.name }
func (s *Service) RunID() string   { return s.runID }
func (s *Service) Network() string { return s.network }

// Members are the tasks that run and answered /healthz at the last
// refresh, in slot order.
func (s *Service) Members() []*Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.members)
}

// Backends returns one driver backend per current member, for suite.
// Pass it as env.RunOptions.Members so a run follows the service:
//
//	env.RunEpisodes(ctx, s.Backends(suite), eps, env.RunOptions{
//		Members: func() []env.Backend { return s.Backends(suite) }})
func (s *Service) Backends(suite string) []env.Backend {
	return memberBackends(s.Members(), suite)
}

func (s *Service) labels() map[string]string { return s.opts.labels(s.runID) }

func (s *Service) createNetwork(ctx context.Context) error {
	name := s.opts.NamePrefix + "-" + s.runID
	// Swarm keeps no driver options of a swarm-scoped bridge (so
	// inter-container traffic stays on: tasks on one node can reach each
	// other), and a network made from a config-only one cannot be internal;
	// internal (no route out of the host) is the one kept.
	_, err := s.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver:   "bridge",
		Scope:    "swarm",
		Internal: !*s.opts.Publish,
		Labels:   s.labels(),
	})
	if err != nil {
		return fmt.Errorf("creating network %s: %w", name, err)
	}
	s.network = name
	return nil
}

// spec is the service: the hardening of a Pool's containers in Swarm's
// terms, the health check, Swarm's restart of failed tasks, and
// DNS round robin with no virtual IP (the harness addresses each task).
func (s *Service) spec(imageID string, replicas int) swarm.ServiceSpec {
	labels := s.labels()
	labels[LabelService] = s.name
	mounts := []mount.Mount{{Type: mount.TypeTmpfs, Target: "/tmp", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 16 << 20, Mode: 0o1777}}}
	mounts = append(mounts, s.opts.readOnlyMounts()...)
	n := uint64(replicas)
	delay, grace := 500*time.Millisecond, 10*time.Second
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: s.name, Labels: labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image:           imageID,
				Command:         s.opts.Entrypoint,
				Args:            s.opts.serverArgs(),
				User:            s.opts.user(),
				Labels:          labels,
				Env:             []string{"GOMAXPROCS=" + strconv.FormatInt(max(1, (s.opts.NanoCPUs+999_999_999)/1e9), 10)},
				ReadOnly:        true,
				CapabilityDrop:  []string{"ALL"},
				Privileges:      &swarm.Privileges{NoNewPrivileges: true}, // honoured from API 1.46 on
				Mounts:          mounts,
				StopGracePeriod: &grace,
				Healthcheck: &container.HealthConfig{Test: s.opts.HealthCmd, Interval: 2 * time.Second,
					Timeout: 3 * time.Second, Retries: 3, StartPeriod: s.opts.StartTimeout},
			},
			Resources: &swarm.ResourceRequirements{Limits: &swarm.Limit{
				NanoCPUs: s.opts.NanoCPUs, MemoryBytes: s.opts.MemoryBytes, Pids: s.opts.PIDs}},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny, Delay: &delay},
			Networks:      []swarm.NetworkAttachmentConfig{{Target: s.network}},
			LogDriver:     &swarm.Driver{Name: "json-file", Options: map[string]string{"max-size": "10m", "max-file": "1"}},
		},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}},
		EndpointSpec: &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR},
	}
	if *s.opts.Publish {
		spec.EndpointSpec.Ports = []swarm.PortConfig{{Protocol: swarm.PortConfigProtocolTCP, TargetPort: uint32(s.opts.Port),
			PublishMode: swarm.PortConfigPublishModeHost}}
	}
	return spec
}

// Scale sets the number of tasks; the members follow as Swarm starts
// and stops them.
func (s *Service) Scale(ctx context.Context, replicas int) error {
	return ScaleService(ctx, s.cli, s.id, replicas)
}

// ScaleService sets the replicas of the environment service named by its
// name, id or run id.
func ScaleService(ctx context.Context, cli *client.Client, nameOrRun string, replicas int) error {
	if replicas < 0 {
		return fmt.Errorf("scaling to %d replicas", replicas)
	}
	for try := 0; ; try++ {
		svc, _, err := cli.ServiceInspectWithRaw(ctx, nameOrRun, swarm.ServiceInspectOptions{})
		if client.IsErrNotFound(err) {
			svc, err = findService(ctx, cli, nameOrRun)
		}
		if err != nil {
			return err
		}
		if svc.Spec.Mode.Replicated == nil {
			return fmt.Errorf("service %s is not replicated", svc.Spec.Name)
		}
		n := uint64(replicas)
		svc.Spec.Mode.Replicated.Replicas = &n
		_, err = cli.ServiceUpdate(ctx, svc.ID, svc.Version, svc.Spec, swarm.ServiceUpdateOptions{})
		if err == nil || try == 2 || !strings.Contains(err.Error(), "update out of sequence") {
			return err
		}
	}
}

// WaitMembers refreshes the members until there are at least n, for at
// most timeout; its error names the tasks' errors and a log tail.
func (s *Service) WaitMembers(ctx context.Context, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := s.Refresh(ctx)
		if err == nil && len(s.Members()) >= n {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", s.name, ctx.Err())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("service %s: %d of %d tasks answer after %s (%v); %s", s.name, len(s.Members()), n, timeout, err, s.taskErrors())
		}
		if failed := s.failedStarts(n); failed != "" {
			return fmt.Errorf("service %s: tasks fail to start: %s", s.name, failed)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// failedStarts describes the service's failed tasks when at least n have
// failed and none ever answered, so a server that cannot start is
// reported without waiting for the timeout.
func (s *Service) failedStarts(n int) string {
	if len(s.Members()) > 0 {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tasks, err := s.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", s.id))})
	if err != nil {
		return ""
	}
	failed := 0
	var last swarm.Task
	for _, t := range tasks {
		if t.Status.State == swarm.TaskStateFailed || t.Status.State == swarm.TaskStateRejected {
			failed++
			last = t
		}
	}
	if failed < n {
		return ""
	}
	msg := fmt.Sprintf("%d failed; last: %s %s", failed, last.Status.Err, last.Status.Message)
	if cs := last.Status.ContainerStatus; cs != nil && cs.ContainerID != "" {
		msg += fmt.Sprintf(" (exit code %d); log: %s", cs.ExitCode, logTail(s.cli, cs.ContainerID))
	}
	return msg
}

// taskErrors lists the errors of the service's tasks, for messages.
func (s *Service) taskErrors() string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tasks, err := s.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", s.id))})
	if err != nil {
		return "tasks: " + err.Error()
	}
	var errs []string
	for _, t := range tasks {
		if t.Status.Err != "" {
			errs = append(errs, fmt.Sprintf("task %d: %s", t.Slot, t.Status.Err))
		}
	}
	if len(errs) == 0 {
		return "no task reported an error"
	}
	return strings.Join(errs, "; ")
}

// Refresh takes the service's running tasks as its members: a task that
// runs and answers /healthz joins, one that stopped running (failed,
// killed, or removed by scaling down) leaves.
func (s *Service) Refresh(ctx context.Context) error {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	tasks, err := s.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(
		filters.Arg("service", s.id), filters.Arg("desired-state", "running"))})
	if err != nil {
		return fmt.Errorf("listing the tasks of %s: %w", s.name, err)
	}
	running := map[string]swarm.Task{}
	for _, t := range tasks {
		if t.Status.State == swarm.TaskStateRunning && t.DesiredState == swarm.TaskStateRunning &&
			t.Status.ContainerStatus != nil && t.Status.ContainerStatus.ContainerID != "" {
			running[t.ID] = t
		}
	}
	current := s.Members()
	var keep []*Member
	for _, m := range current {
		if _, ok := running[m.Task]; ok {
			keep = append(keep, m)
			delete(running, m.Task)
			continue
		}
		s.opts.Logger.Info("swarm task left", "service", s.name, "task", m.Name)
	}
	for _, t := range running {
		m, err := s.member(ctx, t)
		if err != nil {
			s.opts.Logger.Debug("swarm task not reachable yet", "service", s.name, "task", t.ID, "err", err)
			continue
		}
		keep = append(keep, m)
		s.opts.Logger.Info("swarm task joined", "service", s.name, "task", m.Name, "url", m.URL())
	}
	slices.SortFunc(keep, func(a, b *Member) int {
		if a.Index != b.Index {
			return a.Index - b.Index
		}
		return strings.Compare(a.Task, b.Task)
	})
	s.mu.Lock()
	s.members = keep
	s.mu.Unlock()
	return nil
}

// member makes the member of a running task, once its server answers.
func (s *Service) member(ctx context.Context, t swarm.Task) (*Member, error) {
	m := &Member{Index: t.Slot, Name: fmt.Sprintf("%s.%d.%s", s.name, t.Slot, t.ID[:min(len(t.ID), 12)]),
		ID: t.Status.ContainerStatus.ContainerID, Task: t.ID, startTimeout: s.opts.StartTimeout}
	urls, err := s.addresses(ctx, t, m.ID)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, u := range urls {
		copts := s.opts.Client
		copts.BaseURL = u
		c, err := env.NewClient(copts)
		if err != nil {
			return nil, err
		}
		hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if s.opts.Health != nil {
			err = s.opts.Health(hctx, u)
		} else {
			err = c.Health(hctx)
		}
		cancel()
		if err == nil {
			m.url, m.client = u, c
			return m, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// addresses are where the harness may reach a task's server: its address
// on the service's network when the engine is local, else the ports the
// task published on its node (an engine may publish one for IPv4 and one
// for IPv6; the first that answers is taken).
func (s *Service) addresses(ctx context.Context, t swarm.Task, containerID string) ([]string, error) {
	if !*s.opts.Publish {
		info, err := s.cli.ContainerInspect(ctx, containerID)
		if err != nil {
			return nil, fmt.Errorf("inspecting the container of task %s: %w", t.ID, err)
		}
		if info.NetworkSettings == nil || info.NetworkSettings.Networks[s.network] == nil || info.NetworkSettings.Networks[s.network].IPAddress == "" {
			return nil, fmt.Errorf("task %s has no address on network %s", t.ID, s.network)
		}
		return []string{"http://" + net.JoinHostPort(info.NetworkSettings.Networks[s.network].IPAddress, strconv.Itoa(s.opts.Port))}, nil
	}
	host := s.opts.PublishIP
	if node, _, err := s.cli.NodeInspectWithRaw(ctx, t.NodeID); err == nil && node.Status.Addr != "" && node.Status.Addr != "0.0.0.0" {
		host = node.Status.Addr
	} else if u, err := url.Parse(s.cli.DaemonHost()); err == nil && (u.Scheme == "tcp" || u.Scheme == "ssh" || u.Scheme == "http" || u.Scheme == "https") {
		host = u.Hostname()
	}
	var urls []string
	for _, p := range t.Status.PortStatus.Ports {
		if p.TargetPort == uint32(s.opts.Port) && p.PublishedPort != 0 {
			urls = append(urls, "http://"+net.JoinHostPort(host, strconv.FormatUint(uint64(p.PublishedPort), 10)))
		}
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("task %s has no published port", t.ID)
	}
	return urls, nil
}

func (s *Service) startWatch() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopWatch, s.watchDone = cancel, make(chan struct{})
	go func() {
		defer close(s.watchDone)
		t := time.NewTicker(s.opts.WatchEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.opts.Logger.Warn("refreshing the swarm tasks", "service", s.name, "err", err)
			}
		}
	}()
}

// Kill sends SIGKILL to the member's container (for fault tests); Swarm
// then starts a new task in its place.
func (s *Service) Kill(ctx context.Context, m *Member) error {
	return s.cli.ContainerKill(ctx, m.ID, "KILL")
}

// Detach stops following the service and leaves it running (for a
// service that outlives the command that made it).
func (s *Service) Detach() {
	s.owned = false
	s.Close()
}

// Close stops following the service and, when StartService made it,
// removes the service, its containers and its network. Safe to call twice.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		if s.stopWatch != nil {
			s.stopWatch()
			<-s.watchDone
		}
		if s.owned {
			s.closeErr = s.remove()
			s.opts.Logger.Info("swarm service removed", "service", s.name)
		}
	})
	return s.closeErr
}

func (s *Service) remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	return DownSwarm(ctx, s.cli, s.runID)
}

// DownSwarm removes the environment services (those of run when it is not
// empty), their containers and networks, waiting for Swarm to let go of
// the networks. An engine outside a Swarm has nothing to remove.
func DownSwarm(ctx context.Context, cli *client.Client, run string) error {
	_, _, _, err := DownSwarmCount(ctx, cli, run)
	return err
}

func labelFilter(run string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", LabelEnv+"=1"))
	if run != "" {
		f.Add("label", LabelRun+"="+run)
	}
	return f
}

// DownSwarmCount is DownSwarm that says how many services, containers and
// networks went.
func DownSwarmCount(ctx context.Context, cli *client.Client, run string) (services, containers, networks int, err error) {
	return DownServices(ctx, cli, run, nil)
}

// DownServices is DownSwarmCount for the services that also carry every
// one of labels (those Options.Labels put on them).
func DownServices(ctx context.Context, cli *client.Client, run string, labels map[string]string) (services, containers, networks int, err error) {
	if SwarmManager(ctx, cli) != nil {
		return 0, 0, 0, nil
	}
	f := labelFilter(run)
	for k, v := range labels {
		f.Add("label", k+"="+v)
	}
	list, err := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: f})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("listing services: %w", err)
	}
	var errs []error
	runs := map[string]bool{}
	for _, svc := range list {
		if err := cli.ServiceRemove(ctx, svc.ID); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("removing service %s: %w", svc.Spec.Name, err))
			continue
		}
		services++
		runs[svc.Spec.Labels[LabelRun]] = true
	}
	if run != "" {
		runs[run] = true
	}
	for r := range runs {
		nc, nn, err := downAfterService(ctx, cli, r)
		containers, networks = containers+nc, networks+nn
		if err != nil {
			errs = append(errs, err)
		}
	}
	return services, containers, networks, errors.Join(errs...)
}

// downAfterService removes the containers and the network of a removed
// service's run. Swarm releases the network a moment after the tasks go,
// and the node's copy of it a moment after that, so it looks again until
// nothing of the run is left.
func downAfterService(ctx context.Context, cli *client.Client, run string) (containers, networks int, err error) {
	for {
		nc, nn, err := DownCount(ctx, cli, run)
		containers += nc
		if networks == 0 {
			networks = nn // a later pass removes the node's copy of the same network
		}
		if err == nil {
			if left, lerr := leftovers(ctx, cli, run); lerr == nil && left == 0 {
				return containers, networks, nil
			}
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("run %s: containers or networks still there: %w", run, ctx.Err())
			}
			return containers, networks, err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// leftovers counts the containers and networks labelled with run.
func leftovers(ctx context.Context, cli *client.Client, run string) (int, error) {
	f := labelFilter(run)
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return 0, err
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	return len(cs) + len(ns), err
}

// logTail is the end of a container's output, for error messages.
func logTail(cli *client.Client, id string) string {
	return (&Pool{cli: cli}).logTail(&Member{ID: id})
}
