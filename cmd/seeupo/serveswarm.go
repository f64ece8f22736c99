package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/container"
)

// labelServe marks the Swarm services of seeupo serve (beside the labels
// every service of harness/container carries), so that serve down leaves
// the environment services alone.
const labelServe = "io.seeupo.serve"

// serveLabels are the labels that tell a serve service from the others.
var serveLabels = map[string]string{labelServe: "1"}

// serveSpec is what a serve service runs: the model directory, the model
// name ("" for the directory's name), and the host directories its tasks
// read at their own paths (the model directory's and the pushed weights').
type serveSpec struct {
	checkpoint string
	model      string
	dirs       []string
	replicas   int
	runID      string
}

// serveServiceOptions are the container settings of a seeupo serve
// service: the environment image with "seeupo serve" as entry point, the
// limits of rl.serve, its /health as health check, and the directories
// mounted read-only.
func serveServiceOptions(cfg config.Config, image string, sp serveSpec, log *slog.Logger) container.Options {
	sc := cfg.RL.Serve
	threads := max(1, int(math.Ceil(sc.CPUs)))
	args := []string{"--addr", fmt.Sprintf("0.0.0.0:%d", container.ServerPort), "--checkpoint", sp.checkpoint,
		"--threads", strconv.Itoa(threads)}
	if sp.model != "" {
		args = append(args, "--model", sp.model)
	}
	return container.Options{
		Image: image, ImageServer: true, Entrypoint: []string{"/seeupo", "serve"}, Args: args,
		HealthCmd: []string{"CMD", "/seeupo", "serve", "health", "--url",
			fmt.Sprintf("http://127.0.0.1:%d", container.ServerPort), "--timeout", "2s"},
		Health:       serveHealth,
		ReadOnlyDirs: sp.dirs, NamePrefix: "seeupo-serve", Labels: serveLabels, RunID: sp.runID,
		Replicas: sp.replicas, MemoryBytes: sc.MemoryMB << 20, NanoCPUs: int64(sc.CPUs * 1e9), PIDs: sc.PIDs,
		StartTimeout: config.Seconds(sc.StartTimeoutS), Logger: log,
	}
}

// serveHealth is nil when the seeupo serve at base answers GET /health.
func serveHealth(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/health", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /health: %s", resp.Status)
	}
	return nil
}

// serveMembers is the member set of remote generation on a service's
// tasks or a fleet's containers: one server per member, at its own
// address. A task is named by its ID; a fleet's container by its name and
// restarts, so that a restarted one is a new server that must get the
// weights again.
func serveMembers(members func() []*container.Member) func() []harness.Endpoint {
	return func() []harness.Endpoint {
		var eps []harness.Endpoint
		for _, m := range members() {
			id := m.Task
			if id == "" {
				id = fmt.Sprintf("%s#%d", m.Name, m.Restarts())
			}
			eps = append(eps, harness.Endpoint{ID: id, URL: m.URL() + "/v1"})
		}
		return eps
	}
}

// readOnlyDirs are the absolute forms of dirs, made when missing, without
// those inside another of them.
func readOnlyDirs(dirs ...string) ([]string, error) {
	var abs []string
	for _, d := range dirs {
		if d == "" {
			continue
		}
		a, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(a, 0o755); err != nil {
			return nil, err
		}
		abs = append(abs, a)
	}
	slices.Sort(abs)
	for _, a := range abs {
		if err := readableByOthers(a); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, a := range abs {
		if n := len(out); n > 0 && (a == out[n-1] || strings.HasPrefix(a, out[n-1]+string(filepath.Separator))) {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// readableByOthers checks that dir and every folder above it let a user
// who is neither owner nor in the group (the containers' uid 65534) in,
// and that dir lets it list: the serve containers read their model and
// weights there.
func readableByOthers(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		need := os.FileMode(0o001) // search
		if d == dir {
			need = 0o005 // list and search
		}
		if fi.Mode().Perm()&need != need {
			return fmt.Errorf("%s (mode %04o) keeps out the serve containers' user (uid 65534), so they could not read %s; "+
				"chmod o+rx it or put the run's directories elsewhere", d, fi.Mode().Perm(), dir)
		}
		if parent := filepath.Dir(d); parent == d {
			return nil
		}
	}
}

// serveMembersHook, when set (by tests, to inject faults at chosen
// points), wraps the member set a training run follows.
var serveMembersHook func(func() []harness.Endpoint) func() []harness.Endpoint

// serveRun gives a training command its servers from rl.serve: the
// service it starts over the first model directory it is asked for (and
// removes at close), or the running one rl.serve.service names.
type serveRun struct {
	cfg config.Config
	out string // the root of the run directories

	mu  sync.Mutex
	cli *client.Client
	svc servers // a Swarm service or a fleet
	log *slog.Logger
}

// servers are the serve containers of a run: a Swarm service's tasks or a
// fleet's containers.
type servers interface {
	Members() []*container.Member
	Close() error
}

// members starts or attaches to the service once, and returns its member
// set; modelDir is the model the tasks start with (the trainer pushes its
// own weights before the first rollout).
func (r *serveRun) members(ctx context.Context, modelDir string) (func() []harness.Endpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.svc == nil {
		svc, cli, err := r.open(ctx, modelDir)
		if err != nil {
			return nil, err
		}
		r.svc, r.cli = svc, cli
	}
	members := serveMembers(r.svc.Members)
	if serveMembersHook != nil {
		members = serveMembersHook(members)
	}
	return members, nil
}

func (r *serveRun) open(ctx context.Context, modelDir string) (servers, *client.Client, error) {
	sc := r.cfg.RL.Serve
	if sc.Engines != "" {
		fleet, err := r.openFleet(ctx, modelDir)
		return fleet, nil, err
	}
	if sc.Service != "" {
		cli, err := container.Connect(ctx)
		if err != nil {
			return nil, nil, err
		}
		svc, err := container.AttachService(ctx, cli, sc.Service, container.Options{ImageServer: true, Health: serveHealth, Logger: r.log})
		if err != nil {
			cli.Close()
			return nil, nil, fmt.Errorf("rl.serve.service: %w", err)
		}
		return svc, cli, nil
	}
	sp, err := r.spec(modelDir)
	if err != nil {
		return nil, nil, fmt.Errorf("rl.serve.swarm: %w", err)
	}
	cli, image, err := envImage(ctx, r.cfg, sc.Binary)
	if err != nil {
		return nil, nil, fmt.Errorf("rl.serve.swarm: %w", err)
	}
	start := time.Now()
	svc, err := container.StartService(ctx, cli, serveServiceOptions(r.cfg, image, sp, r.log))
	if err != nil {
		cli.Close()
		return nil, nil, fmt.Errorf("rl.serve.swarm: %w", err)
	}
	r.log.Info("seeupo serve service ready", "service", svc.Name(), "tasks", len(svc.Members()), "took", time.Since(start).Round(time.Millisecond))
	return svc, cli, nil
}

// spec is what the run's serve containers run: modelDir, with the model
// directory, the run directories and the weights directory mounted.
func (r *serveRun) spec(modelDir string) (serveSpec, error) {
	dirs, err := readOnlyDirs(modelDir, r.out, r.cfg.RL.WeightsDir)
	if err != nil {
		return serveSpec{}, err
	}
	checkpoint, err := filepath.Abs(modelDir)
	if err != nil {
		return serveSpec{}, err
	}
	return serveSpec{checkpoint: checkpoint, model: r.cfg.RL.ServerModel, dirs: dirs, replicas: r.cfg.RL.Serve.Replicas}, nil
}

// openFleet starts rl.serve.replicas serve containers on the engines of
// rl.serve.engines. The directories are bind-mounted from each engine's
// host, so they must be at the same paths there (a shared file system).
func (r *serveRun) openFleet(ctx context.Context, modelDir string) (*container.Fleet, error) {
	specs, err := config.ParseEngines("rl.serve.engines", r.cfg.RL.Serve.Engines)
	if err != nil {
		return nil, err
	}
	sp, err := r.spec(modelDir)
	if err != nil {
		return nil, fmt.Errorf("rl.serve.engines: %w", err)
	}
	start := time.Now()
	fleet, err := startFleet(ctx, r.cfg, specs, r.cfg.RL.Serve.Binary, func(image string) container.Options {
		return serveServiceOptions(r.cfg, image, sp, r.log)
	})
	if err != nil {
		return nil, fmt.Errorf("rl.serve.engines: %w", err)
	}
	r.log.Info("seeupo serve fleet ready", "run", fleet.RunID(), "containers", len(fleet.Members()), "took", time.Since(start).Round(time.Millisecond))
	return fleet, nil
}

// close stops following the service, and removes it when the run made it.
func (r *serveRun) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.svc != nil {
		if err := r.svc.Close(); err != nil {
			r.log.Warn("removing the serve containers", "err", err)
		}
		if r.cli != nil {
			r.cli.Close()
		}
		r.svc, r.cli = nil, nil
	}
}
