package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/client"
	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/appworld"
	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

func init() { register("env", newEnvEvalCmd) }

// scriptFunc gives the scripted replies of one episode of a suite.
type scriptFunc func(task env.Task, seed int64) ([]string, error)

// seededScripts are the suites "env eval" scripts with seeded replies of
// their own; every other suite it scripts is an env.Demonstrator.
var seededScripts = map[string]scriptFunc{
	counter.Name: func(t env.Task, seed int64) ([]string, error) { return counter.Actions(t, seed), nil },
}

// demonstratingSuites are the registered suites that demonstrate their
// tasks (the test beside this file checks each), for the help text.
var demonstratingSuites = []string{bfcl.SuiteName, bfcl.GeneratedSuiteName, appworld.SuiteName}

// newScript returns the script of a suite: its seeded replies, or the
// suite's demonstrations with a seeded third of the tasks cut short (their
// last action left out), so the verdicts are not all successes.
func newScript(suite string, opts env.Options) (scriptFunc, error) {
	if script, ok := seededScripts[suite]; ok {
		return script, nil
	}
	s, err := env.Open(suite, opts)
	if err != nil {
		return nil, err
	}
	return demonstrationScript(s)
}

// demonstrationScript scripts a suite with its demonstrations.
func demonstrationScript(s env.Suite) (scriptFunc, error) {
	if _, ok := s.(env.Demonstrator); !ok {
		return nil, fmt.Errorf("no episode script for suite %q; scripted suites: %s", s.Name(), strings.Join(scriptedSuites(), ", "))
	}
	return func(t env.Task, seed int64) ([]string, error) {
		return env.DemonstrationOf(s, t, env.DemoOptions{Cut: cutShort(seed, t.ID)})
	}, nil
}

// cutShort picks the seeded third of the tasks whose demonstration is cut
// short.
func cutShort(seed int64, taskID string) bool {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", seed, taskID)
	return h.Sum64()%3 == 0
}

type evalFlags struct {
	suite, split, out, binary, service string
	params                             []string
	seed                               int64
	limit, killOnStep, kills           int
}

func newEnvEvalCmd(a *app) *cobra.Command {
	var f evalFlags
	c := &cobra.Command{
		Use:   "eval",
		Short: "Run scripted episodes of a suite on in-process, HTTP or container environments",
		Long: `Run every task of a split with its scripted replies (seeded) on the backend of
env.backend: inproc (in this process, env.pool at once), http (the servers of
env.urls) or docker (env.pool containers started here and removed at the end,
Ctrl-C included; with --swarm a replicated Docker Swarm service of env.pool
tasks, or the running service named by --service; with --engines spread over
several Docker engines by weight within each one's free memory, an engine
that stops answering dropped and its share started on the others). An
episode whose environment dies is retried from Reset on a healthy one; every
episode is recorded once, as success, failure or error.
The outcome digest is equal for two runs that saw the same episodes.

  seeupo env eval --suite counter --backend docker --pool 4 --seed 1
  seeupo env eval --suite bfcl --split test --backend docker --pool 8 \
    --engines 'unix:///var/run/docker.sock, tcp://10.0.0.5:2376 weight=2 tls=/etc/seeupo/b'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			if err := r.Env.Check(); err != nil {
				return err
			}
			return a.runEval(cmd.Context(), r.Config, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.suite, "suite", counter.Name, "suite to run; scripted suites: "+strings.Join(scriptedSuites(), ", "))
	fl.StringVar(&f.split, "split", "train", "split of the suite")
	fl.StringArrayVar(&f.params, "param", nil, "suite parameter KEY=VALUE (repeatable)")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the scripted replies")
	fl.IntVar(&f.limit, "limit", 0, "run only the first N tasks (0: all)")
	fl.StringVar(&f.out, "out", "", "write one JSON record per episode to this file")
	fl.IntVar(&f.killOnStep, "kill-on-step", 0, "fault injection (docker): kill the first container before the Nth step sent to it; with --swarm, the task container that every Nth step goes to (--kills times)")
	fl.IntVar(&f.kills, "kills", 1, "fault injection with --swarm: how many task containers --kill-on-step kills")
	fl.StringVar(&f.service, "service", "", "with --swarm: run on this running service (name or run id, from env up --swarm) instead of starting one")
	fl.StringVar(&f.binary, "binary", "", "static seeupo binary for the docker image (default: this one if static, else built from the checkout)")
	a.bindFlag(fl, "env.backend", "backend", "", "inproc, http or docker (env.backend)")
	a.bindFlag(fl, "env.pool", "pool", 0, "containers (docker) or concurrent episodes (inproc) (env.pool)")
	a.bindFlag(fl, "env.urls", "urls", "", "comma-separated server URLs for backend http (env.urls)")
	a.bindFlag(fl, "env.swarm", "swarm", false, "docker: run the servers as a replicated Docker Swarm service (env.swarm)")
	a.bindFlag(fl, "env.engines", "engines", "", "docker: spread the containers over these engines, 'ADDRESS [weight=W] [tls=DIR]' comma-separated (env.engines)")
	return c
}

func scriptedSuites() []string {
	names := slices.Concat(slices.Collect(maps.Keys(seededScripts)), demonstratingSuites)
	slices.Sort(names)
	return names
}

func (a *app) runEval(ctx context.Context, cfg config.Config, f evalFlags) error {
	log := newEnvLogger(a.stderr, cfg.Log)
	sopts, err := suiteOptions(cfg.DataDir, f.params)
	if err != nil {
		return err
	}
	script, err := newScript(f.suite, sopts)
	if err != nil {
		return err
	}
	opened, err := openBackends(ctx, cfg, f, sopts, log)
	if err != nil {
		return err
	}
	defer opened.close()
	backends := opened.list
	tasks, err := backends[0].Suite.Tasks(f.split)
	if err != nil {
		return err
	}
	if f.limit > 0 && f.limit < len(tasks) {
		tasks = tasks[:f.limit]
	}
	episodes := make([]env.Episode, len(tasks))
	for i, t := range tasks {
		acts, err := script(t, f.seed)
		if err != nil {
			return fmt.Errorf("script of task %s: %w", t.ID, err)
		}
		episodes[i] = env.Episode{Task: t, Actions: acts}
	}
	start := time.Now()
	recs, runErr := env.RunEpisodes(ctx, backends, episodes, env.RunOptions{
		Concurrency: max(cfg.Env.Pool, len(backends)), Attempts: cfg.Env.EpisodeAttempts, Logger: log, Members: opened.members})
	elapsed := time.Since(start)
	if f.out != "" {
		if err := writeRecords(f.out, recs); err != nil {
			return err
		}
	}
	label := cfg.Env.Backend
	if label == "docker" && cfg.Env.Swarm {
		label = "docker swarm"
	}
	if engines, _ := cfg.Env.EngineList(); label == "docker" && len(engines) > 0 {
		label = fmt.Sprintf("docker fleet of %d engines", len(engines))
		if len(engines) == 1 {
			label = "docker fleet of 1 engine"
		}
	}
	a.printEvalSummary(label, len(backends), recs, elapsed)
	return runErr
}

func (a *app) printEvalSummary(backend string, n int, recs []env.EpisodeRecord, elapsed time.Duration) {
	count := map[string]int{}
	retried := 0
	for _, r := range recs {
		count[r.Status]++
		if r.Attempts > 1 {
			retried++
		}
	}
	a.printf("backend %s (%d): %d episodes: %d success, %d failure, %d error; %d retried\n",
		backend, n, len(recs), count[env.StatusSuccess], count[env.StatusFailure], count[env.StatusErrored], retried)
	a.printf("%.1f episodes/s; outcome digest %s\n", float64(len(recs))/elapsed.Seconds(), outcomeDigest(recs))
}

// outcomeDigest is the digest of the records' outcomes, in order.
func outcomeDigest(recs []env.EpisodeRecord) string {
	h := sha256.New()
	for _, r := range recs {
		fmt.Fprintln(h, r.Outcome())
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func writeRecords(path string, recs []env.EpisodeRecord) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// backendSet is where a run's episodes go: the backends, a changing list
// of them (the tasks of a Swarm service) when members is set, and close,
// which releases them (removes the containers of the docker backend).
type backendSet struct {
	list    []env.Backend
	members func() []env.Backend
	close   func()
}

// openBackends makes the backends of cfg.Env.Backend.
func openBackends(ctx context.Context, cfg config.Config, f evalFlags, sopts env.Options, log *slog.Logger) (*backendSet, error) {
	copts := env.ClientOptions{CallTimeout: config.Seconds(cfg.Env.CallTimeoutS), Retries: cfg.Env.Retries, Logger: log}
	if copts.Retries == 0 {
		copts.Retries = -1
	}
	switch cfg.Env.Backend {
	case "inproc":
		s, err := env.Open(f.suite, sopts)
		if err != nil {
			return nil, err
		}
		// A suite that holds resources (AppWorld's server containers in
		// remote mode) releases them when the evaluation ends.
		return &backendSet{list: []env.Backend{{Name: "inproc", Suite: s}}, close: func() {
			if c, ok := s.(io.Closer); ok {
				if err := c.Close(); err != nil {
					log.Warn("closing the suite", "suite", f.suite, "err", err)
				}
			}
		}}, nil
	case "http":
		var bs []env.Backend
		for _, u := range cfg.Env.URLList() {
			o := copts
			o.BaseURL = u
			c, err := env.NewClient(o)
			if err != nil {
				return nil, err
			}
			rs, err := env.OpenRemote(ctx, c, f.suite)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", u, err)
			}
			bs = append(bs, env.Backend{Name: u, Suite: rs, Check: c.Health})
		}
		return &backendSet{list: bs, close: func() {}}, nil
	case "docker":
		if cfg.Env.Swarm {
			return openSwarm(ctx, cfg, f, sopts, copts, log)
		}
		if strings.TrimSpace(cfg.Env.Engines) != "" {
			return openFleet(ctx, cfg, f, sopts, copts, log)
		}
		return openDocker(ctx, cfg, f, sopts, copts, log)
	}
	return nil, fmt.Errorf("env.backend %q: want inproc, http or docker", cfg.Env.Backend)
}

func openDocker(ctx context.Context, cfg config.Config, f evalFlags, sopts env.Options, copts env.ClientOptions, log *slog.Logger) (*backendSet, error) {
	cli, tag, err := envImage(ctx, cfg, f.binary)
	if err != nil {
		return nil, err
	}
	pool, err := container.Start(ctx, cli, dockerOptions(cfg, f.suite, tag, sopts, copts, log))
	if err != nil {
		cli.Close()
		return nil, err
	}
	backends := pool.Backends(f.suite)
	if f.killOnStep > 0 {
		backends[0] = pool.KillOnStep(backends[0], 0, f.killOnStep)
	}
	return &backendSet{list: backends, close: func() { pool.Close(); cli.Close() }}, nil
}

// envImage connects to the engine and builds the environment image (once
// per binary) from the static binary at binary, or this one, or one built
// from the checkout.
func envImage(ctx context.Context, cfg config.Config, binary string) (*client.Client, string, error) {
	cli, err := container.Connect(ctx)
	if err != nil {
		return nil, "", err
	}
	bin, tag, err := envBinary(ctx, cfg, binary)
	if err == nil {
		_, err = container.BuildImage(ctx, cli, bin, tag)
	}
	if err != nil {
		cli.Close()
		return nil, "", err
	}
	return cli, tag, nil
}

// envBinary is the static binary of the environment image and the image's
// tag (a digest of the binary).
func envBinary(ctx context.Context, cfg config.Config, binary string) (bin, tag string, err error) {
	root, _ := config.FindCheckout("")
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin, err = container.ResolveBinary(ctx, binary, root, filepath.Join(cache, "seeupo", "env-image"))
	if err != nil {
		return "", "", err
	}
	tag, err = container.ImageTag(cfg.Env.Docker.Image, bin)
	return bin, tag, err
}

// openFleet spreads the containers over the engines of env.engines; the
// run follows the fleet as an engine is lost and its containers replaced.
func openFleet(ctx context.Context, cfg config.Config, f evalFlags, sopts env.Options, copts env.ClientOptions, log *slog.Logger) (*backendSet, error) {
	if f.killOnStep > 0 {
		return nil, fmt.Errorf("--kill-on-step works on one engine or a Swarm, not with env.engines")
	}
	specs, err := cfg.Env.EngineList()
	if err != nil {
		return nil, err
	}
	fleet, err := startFleet(ctx, cfg, specs, f.binary, func(image string) container.Options {
		return dockerOptions(cfg, f.suite, image, sopts, copts, log)
	})
	if err != nil {
		return nil, err
	}
	members := func() []env.Backend { return fleet.Backends(f.suite) }
	return &backendSet{list: members(), members: members, close: func() {
		if err := fleet.Close(); err != nil {
			log.Warn("removing the fleet", "err", err)
		}
	}}, nil
}

// startFleet starts the containers of opts(image) on the engines, building
// the image of the static binary on each (no registry is assumed).
func startFleet(ctx context.Context, cfg config.Config, specs []config.EngineSpec, binary string,
	opts func(image string) container.Options) (*container.Fleet, error) {
	bin, tag, err := envBinary(ctx, cfg, binary)
	if err != nil {
		return nil, err
	}
	engines := make([]container.Engine, len(specs))
	for i, s := range specs {
		engines[i] = container.Engine{Host: s.Host, Weight: s.Weight, TLSDir: s.TLSDir}
	}
	return container.StartFleet(ctx, container.FleetOptions{
		Options: opts(tag), Engines: engines,
		Prepare: func(ctx context.Context, cli *client.Client, e container.Engine) error {
			_, err := container.BuildImage(ctx, cli, bin, tag)
			return err
		},
	})
}

// dockerOptions are the container settings of cfg for serving suite.
func dockerOptions(cfg config.Config, suite, image string, sopts env.Options, copts env.ClientOptions, log *slog.Logger) container.Options {
	dataDir := ""
	if st, err := os.Stat(sopts.DataDir); err == nil && st.IsDir() {
		dataDir = sopts.DataDir
	}
	return container.Options{
		Image: image, Suites: []string{suite}, Params: sopts.Params, DataDir: dataDir,
		Replicas: cfg.Env.Pool, MemoryBytes: cfg.Env.Docker.MemoryMB << 20, NanoCPUs: int64(cfg.Env.Docker.CPUs * 1e9),
		PIDs: cfg.Env.Docker.PIDs, StartTimeout: config.Seconds(cfg.Env.Docker.StartTimeoutS), Client: copts, Logger: log,
	}
}

// openSwarm runs the episodes on a Swarm service: one started for the run
// and removed at its end, or the running one named by --service.
func openSwarm(ctx context.Context, cfg config.Config, f evalFlags, sopts env.Options, copts env.ClientOptions, log *slog.Logger) (*backendSet, error) {
	var cli *client.Client
	var svc *container.Service
	var err error
	if f.service != "" {
		if cli, err = container.Connect(ctx); err != nil {
			return nil, err
		}
		svc, err = container.AttachService(ctx, cli, f.service, container.Options{Client: copts, Logger: log})
	} else {
		var tag string
		if cli, tag, err = envImage(ctx, cfg, f.binary); err != nil {
			return nil, err
		}
		svc, err = container.StartService(ctx, cli, dockerOptions(cfg, f.suite, tag, sopts, copts, log))
	}
	if err != nil {
		cli.Close()
		return nil, err
	}
	members := func() []env.Backend { return svc.Backends(f.suite) }
	if f.killOnStep > 0 {
		k := svc.StepKiller(f.killOnStep, max(1, f.kills))
		members = func() []env.Backend { return k.Backends(f.suite) }
	}
	set := &backendSet{list: members(), members: members, close: func() { svc.Close(); cli.Close() }}
	if len(set.list) == 0 {
		set.close()
		return nil, fmt.Errorf("service %s has no running task", svc.Name())
	}
	return set, nil
}
