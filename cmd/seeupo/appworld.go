package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/appworld"
	"github.com/seeupo/seeupo/appworld/native"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/appworld/world"
	"github.com/seeupo/seeupo/harness/config"
)

func init() {
	register("appworld", newAppWorldServeCmd)
	register("appworld", newAppWorldTasksCmd)
	register("appworld", newAppWorldCheckCmd)
	register("appworld", newAppWorldAPIsCmd)
	register("appworld", newAppWorldSeccompCmd)
}

func newAppWorldSeccompCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "seccomp",
		Short: "Print the seccomp profile a container of the native world needs for its sandbox",
		Long: `Print Docker's default seccomp profile extended by what the native world's
sandbox needs (clone with namespace flags together with a new user namespace,
mount, umount2, pivot_root, mount_setattr, sethostname), as JSON. The appworld
suite passes it to the containers of images built by appworld/docker/build.sh;
to start one by hand:

  seeupo appworld seccomp > seccomp.json
  docker run --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    --security-opt seccomp=seccomp.json -p 127.0.0.1:8000:8000 seeupo-appworld:latest

docs/threat-model.md says why the additions are safe.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b, err := pyexec.SeccompProfile()
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(append(b, '\n'))
			return err
		},
	}
}

func nativeOptions(c config.AppWorldConfig) native.Options {
	return native.Options{Python: c.Python, Sandbox: pyexec.Sandbox(c.Sandbox), MaxAPICalls: c.MaxAPICalls, TimeoutSeconds: c.TimeoutSeconds, MaxOutput: c.MaxOutput}
}

func newAppWorldServeCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the native AppWorld-style world with AppWorld's environment-server protocol",
		Long: `Serve the native world over AppWorld's environment-server protocol (GET /, POST
/initialize, /execute, /task_completed, /evaluate, /close, /evaluate_all; every
response is {"output": ...}). Like AppWorld's server it holds one world at a
time; a request for another task than the active one gets HTTP 400. Start one
server per concurrent episode.

  seeupo appworld serve --addr 127.0.0.1:8001`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", r.AppWorld.Addr)
			if err != nil {
				return fmt.Errorf("appworld serve: %w", err)
			}
			opts := nativeOptions(r.AppWorld)
			srv := native.New(opts)
			defer srv.Shutdown()
			if err := srv.Check(cmd.Context()); err != nil {
				ln.Close()
				return fmt.Errorf("appworld serve: %w", err)
			}
			hs := protocol.NewServer(protocol.Handler(srv), config.Seconds(r.AppWorld.ReadTimeoutS))
			mode, _ := pyexec.ParseSandbox(string(opts.Sandbox))
			a.printf("serving the native AppWorld world on http://%s (sandbox: %s)\n", ln.Addr(), mode)
			go func() {
				<-cmd.Context().Done()
				hs.Close()
			}()
			if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	a.bindFlag(c.Flags(), "appworld.addr", "addr", "", "listen address, e.g. 0.0.0.0:8000 (appworld.addr)")
	return c
}

func newAppWorldTasksCmd(a *app) *cobra.Command {
	var split string
	var asJSON bool
	c := &cobra.Command{
		Use:   "tasks",
		Short: "List the native world's tasks of a split",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ids, err := tasks.IDs(split)
			if err != nil {
				return err
			}
			type row struct {
				ID          string   `json:"task_id"`
				Scenario    string   `json:"scenario"`
				Apps        []string `json:"apps"`
				Supervisor  string   `json:"supervisor"`
				Instruction string   `json:"instruction"`
			}
			var rows []row
			for _, id := range ids {
				t, err := tasks.Default.Get(id)
				if err != nil {
					return err
				}
				rows = append(rows, row{id, t.Scenario.Name, t.Scenario.Apps, t.Supervisor.Email, t.Instruction()})
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				for _, r := range rows {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Scenario, strings.Join(r.Apps, ","), r.Instruction)
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&split, "split", "train", "split: "+strings.Join(tasks.Splits, ", "))
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON lines")
	return c
}

func newAppWorldAPIsCmd(a *app) *cobra.Command {
	var appName string
	c := &cobra.Command{
		Use:   "apis",
		Short: "List the native world's apps and APIs, or one app's API documentation as JSON",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if appName != "" {
				var docs []map[string]any
				for _, info := range world.Apps() {
					if info.Name == appName {
						for _, api := range info.APIs {
							docs = append(docs, api.Doc())
						}
					}
				}
				if docs == nil {
					return fmt.Errorf("unknown app %q; see seeupo appworld apis", appName)
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", " ")
				return enc.Encode(docs)
			}
			n := 0
			for _, info := range world.Apps() {
				a.printf("%s (%d APIs): %s\n", info.Name, len(info.APIs), info.Description)
				for _, api := range info.APIs {
					a.printf("  %-28s %-6s %s\n", api.Name, api.Method, api.Description)
					n++
				}
			}
			a.printf("%d apps, %d APIs\n", len(world.Apps()), n)
			return nil
		},
	}
	c.Flags().StringVar(&appName, "app", "", "print this app's API documentation entries as JSON")
	return c
}

type checkResult struct {
	task tasks.Task
	ev   protocol.Evaluation
	err  error
}

func newAppWorldCheckCmd(a *app) *cobra.Command {
	var splits, urls []string
	var cut bool
	var workers int
	c := &cobra.Command{
		Use:   "check",
		Short: "Run every task's reference solution and report TGC, SGC and reward per split",
		Long: `Run each task's reference solution (Python code cells written with the task)
against the native world, in-process or through AppWorld-protocol servers given
with --url (one worker per server), and print task and scenario goal completion
per split. With --cut the last cell of every solution is dropped, and every task
is expected to fail. Exits with an error when any task does not behave as expected.

  seeupo appworld check --split dev
  seeupo appworld serve --addr 127.0.0.1:8001 &  seeupo appworld check --url http://127.0.0.1:8001`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			var backends []protocol.Backend
			for _, u := range urls {
				backends = append(backends, protocol.NewClient(u, 5*time.Minute))
			}
			for range max(0, workers-len(urls)) {
				if len(urls) == 0 {
					srv := native.New(nativeOptions(r.AppWorld))
					defer srv.Shutdown()
					backends = append(backends, srv)
				}
			}
			return a.check(cmd.Context(), backends, splits, cut)
		},
	}
	c.Flags().StringSliceVar(&splits, "split", tasks.Splits, "splits to check")
	c.Flags().StringSliceVar(&urls, "url", nil, "AppWorld-protocol server URL (repeatable); in-process native servers when absent")
	c.Flags().BoolVar(&cut, "cut", false, "drop each solution's last cell; every task must then fail")
	c.Flags().IntVar(&workers, "workers", 2, "in-process servers run at once")
	return c
}

func (a *app) check(ctx context.Context, backends []protocol.Backend, splits []string, cut bool) error {
	start := time.Now()
	var all []*tasks.Task
	for _, s := range splits {
		ids, err := tasks.IDs(s)
		if err != nil {
			return err
		}
		for _, id := range ids {
			t, err := tasks.Default.Get(id)
			if err != nil {
				return err
			}
			all = append(all, t)
		}
	}
	results := make([]checkResult, len(all))
	work := make(chan int)
	var wg sync.WaitGroup
	for _, b := range backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				cells := all[i].Solution()
				if cut {
					cells = cells[:len(cells)-1]
				}
				ev, err := appworld.Replay(ctx, b, all[i].ID, "check", cells)
				results[i] = checkResult{task: *all[i], ev: ev, err: err}
			}
		}()
	}
	for i := range all {
		work <- i
	}
	close(work)
	wg.Wait()
	return a.printCheck(results, splits, cut, time.Since(start))
}

func (a *app) printCheck(results []checkResult, splits []string, cut bool, elapsed time.Duration) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "split\ttasks\tscenarios\tTGC %%\tSGC %%\tmean reward\t\n")
	var bad []string
	for _, split := range splits {
		ok := map[string]bool{}
		reward, n := 0.0, 0
		for _, r := range results {
			if r.task.Scenario.Split != split {
				continue
			}
			n++
			ok[r.task.ID] = r.err == nil && r.ev.Success
			reward += r.ev.Reward()
			switch {
			case r.err != nil:
				bad = append(bad, fmt.Sprintf("%s (%s): %v", r.task.ID, r.task.Scenario.Name, r.err))
			case r.ev.Success == cut:
				bad = append(bad, fmt.Sprintf("%s (%s): success=%v with cut=%v", r.task.ID, r.task.Scenario.Name, r.ev.Success, cut))
			}
		}
		g := protocol.Goals(ok)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.3f\t\n", split, n, n/3, g.TaskGoalCompletion, g.ScenarioGoalCompletion, reward/float64(max(n, 1)))
	}
	tw.Flush()
	a.printf("%d tasks in %.1fs\n", len(results), elapsed.Seconds())
	if len(bad) > 0 {
		sort.Strings(bad)
		for _, b := range bad {
			a.printf("UNEXPECTED %s\n", b)
		}
		return fmt.Errorf("%d task(s) did not behave as expected", len(bad))
	}
	return nil
}
