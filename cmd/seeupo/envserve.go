package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/env"
	_ "github.com/seeupo/seeupo/harness/env/counter" // the transport test suite
	"github.com/seeupo/seeupo/harness/sysinfo"
)

func init() { register("env", newEnvServeCmd) }

func newEnvServeCmd(a *app) *cobra.Command {
	var suites, params []string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve registered suites over the env-service protocol",
		Long: `Serve one or more registered suites over the env-service protocol (POST /create,
/step, /evaluate, /release, /get_info, /get_env_profile, GET /healthz; see
docs/envservice.md). Each instance id holds one episode; instances unused for
env.server.idle_timeout_s are released. Stops gracefully on Ctrl-C or SIGTERM.
Go's garbage collector runs at env.server.gc_percent (800) under a soft memory
limit of half the container's memory limit, or of the machine's memory (GOGC
and GOMEMLIMIT in the environment take precedence).

  seeupo env serve --suite bfcl --addr 0.0.0.0:8000 --param category=multi_turn_base`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			opts, err := suiteOptions(r.DataDir, params)
			if err != nil {
				return err
			}
			srv, limit, err := newEnvServer(r.Config, suites, opts, newEnvLogger(a.stderr, r.Log))
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", r.Env.Server.Addr)
			if err != nil {
				return fmt.Errorf("env serve: %w", err)
			}
			a.printf("serving %s on http://%s\n", strings.Join(suites, ", "), ln.Addr())
			a.printf("%s\n", limit)
			about, restore := setServerGC(r.Env.Server.GCPercent, os.Getenv)
			defer restore()
			a.printf("%s\n", about)
			return srv.Serve(cmd.Context(), ln)
		},
	}
	c.Flags().StringSliceVar(&suites, "suite", nil, "suite to serve (repeatable); known: "+strings.Join(env.Names(), ", "))
	c.Flags().StringArrayVar(&params, "param", nil, "suite parameter KEY=VALUE (repeatable)")
	a.bindFlag(c.Flags(), "env.server.addr", "addr", "", "listen address, e.g. 0.0.0.0:8000 (env.server.addr)")
	a.bindFlag(c.Flags(), "env.server.max_instances", "max-instances", 0,
		"most live instances; 0 sizes it from the available memory (env.server.max_instances)")
	c.MarkFlagRequired("suite")
	return c
}

// suiteOptions turns --param KEY=VALUE flags into suite options.
func suiteOptions(dataDir string, params []string) (env.Options, error) {
	opts := env.Options{DataDir: dataDir, Params: map[string]string{}}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return opts, fmt.Errorf("--param %q: want KEY=VALUE", p)
		}
		opts.Params[k] = v
	}
	return opts, nil
}

// newEnvServer opens the suites and makes a server with the configured
// limits; it also describes the instance limit and where it came from.
func newEnvServer(cfg config.Config, names []string, opts env.Options, log *slog.Logger) (*env.Server, string, error) {
	var suites []env.Suite
	for _, n := range names {
		s, err := env.Open(n, opts)
		if err != nil {
			return nil, "", err
		}
		suites = append(suites, s)
	}
	limit := cfg.Env.Server.MaxInstances
	about := fmt.Sprintf("at most %d live instances (env.server.max_instances)", limit)
	if limit == 0 {
		mem := availableMemory()
		var each int64
		limit, each = env.DefaultMaxInstances(suites, mem)
		about = fmt.Sprintf("at most %d live instances: half of %.1f GiB available memory at about %d MiB each "+
			"(set env.server.max_instances or --max-instances to change)", limit, float64(mem)/(1<<30), each>>20)
	}
	srv, err := env.NewServer(env.ServerOptions{
		Suites:       suites,
		MaxBodyBytes: cfg.Env.Server.MaxBodyBytes,
		CallTimeout:  config.Seconds(cfg.Env.CallTimeoutS),
		IdleTimeout:  config.Seconds(cfg.Env.Server.IdleTimeoutS),
		MaxInstances: limit,
		Logger:       log,
	})
	return srv, about, err
}

// availableMemory is the memory available to the process in bytes (the
// machine's, or its container's where that is less; 0 when unknown); a
// variable so that tests can fix it.
var availableMemory = sysinfo.MemoryAvailable

// memoryBudget is the memory the process may use in bytes (the machine's,
// or its container's limit where that is less; 0 when unknown); a
// variable so that tests can fix it.
var memoryBudget = sysinfo.MemoryBudget

// setServerGC sets the garbage collector as env.ServerGC says for percent
// and the process's memory budget, unless GOGC or GOMEMLIMIT (read with
// getenv) set it already; it describes what the collector runs with and
// returns how to restore the setting it replaced.
func setServerGC(percent int, getenv func(string) string) (about string, restore func()) {
	if g, m := getenv("GOGC"), getenv("GOMEMLIMIT"); g != "" || m != "" {
		return fmt.Sprintf("garbage collector as the environment sets it (GOGC=%q, GOMEMLIMIT=%q)", g, m), func() {}
	}
	budget := memoryBudget()
	s := env.ServerGC(percent, budget)
	prev := s.Apply()
	source := "the memory budget is unknown"
	if budget > 0 {
		source = fmt.Sprintf("the limit is half of %d MiB", budget>>20)
	}
	return fmt.Sprintf("garbage collector: %s (env.server.gc_percent; %s)", s, source), func() { prev.Apply() }
}
