package main

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/appworld"
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
			b, err := appworld.SeccompProfile()
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(append(b, '\n'))
			return err
		},
	}
}

// appWorldSettings are the appworld section's settings of the configuration.
func appWorldSettings(c config.AppWorldConfig) (appworld.Settings, error) {
	return appworld.ParseParams(c.Params())
}

func newAppWorldServeCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the native AppWorld-style world with AppWorld's environment-server protocol",
		Long: `Serve the native world over AppWorld's environment-server protocol (GET /,
/tasks/{task_id}, /api_docs; POST /initialize, /execute, /batch_execute,
/task_completed, /evaluate, /evaluate_all, /save, /save_logs, /save_state,
/load_state, /close, /close_all; responses are {"output": ...}). Like AppWorld's
server it holds one world at a time; a request for another task than the
active one gets HTTP 400. Start one server per concurrent episode.

Each experiment keeps a task's state (after every cell), checkpoints and logs
under <root>/experiments/outputs/<experiment>/tasks/<task>/, and /evaluate
reads the state from there, as the official server does; servers may share a
root. Without --root the outputs stay in memory (the last 64 tasks').

  seeupo appworld serve --addr 127.0.0.1:8001 --root /srv/appworld`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			s, err := appWorldSettings(r.AppWorld)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", r.AppWorld.Addr)
			if err != nil {
				return fmt.Errorf("appworld serve: %w", err)
			}
			srv, err := appworld.NewServer(cmd.Context(), s)
			if err != nil {
				ln.Close()
				return fmt.Errorf("appworld serve: %w", err)
			}
			defer srv.Close()
			a.printf("serving the native AppWorld world on http://%s (sandbox: %s)\n", ln.Addr(), srv.Sandbox())
			if s.Root != "" {
				a.printf("experiments' outputs under %s\n", filepath.Join(s.Root, "experiments", "outputs"))
			}
			return srv.Serve(cmd.Context(), ln, config.Seconds(r.AppWorld.ReadTimeoutS))
		},
	}
	a.bindFlag(c.Flags(), "appworld.addr", "addr", "", "listen address, e.g. 0.0.0.0:8000 (appworld.addr)")
	a.bindFlag(c.Flags(), "appworld.root", "root", "", "directory whose experiments/outputs/ keeps the experiments' outputs (appworld.root)")
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
			rows, err := appworld.NativeTasks(split)
			if err != nil {
				return err
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
	c.Flags().StringVar(&split, "split", "train", "split: "+strings.Join(appworld.Splits(), ", "))
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
			apps := appworld.Apps()
			if appName != "" {
				var docs []map[string]any
				for _, app := range apps {
					if app.Name == appName {
						for _, api := range app.APIs {
							docs = append(docs, api.Doc)
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
			for _, app := range apps {
				a.printf("%s (%d APIs): %s\n", app.Name, len(app.APIs), app.Description)
				for _, api := range app.APIs {
					a.printf("  %-28s %-6s %s\n", api.Name, api.Method, api.Description)
					n++
				}
			}
			a.printf("%d apps, %d APIs\n", len(apps), n)
			return nil
		},
	}
	c.Flags().StringVar(&appName, "app", "", "print this app's API documentation entries as JSON")
	return c
}

func newAppWorldCheckCmd(a *app) *cobra.Command {
	var splits, urls []string
	var cut bool
	var workers int
	var reportDir string
	c := &cobra.Command{
		Use:   "check",
		Short: "Run every task's reference solution and report TGC, SGC and reward per split",
		Long: `Run each task's reference solution (Python code cells written with the task)
against the native world, in-process or through AppWorld-protocol servers given
with --url (one worker per server), and print task and scenario goal completion
per split. With --cut the last cell of every solution is dropped, and every task
is expected to fail. Exits with an error when any task does not behave as expected.
Below the table, each split's evaluation report as ` + "`appworld evaluate`" + ` prints it
(TGC and SGC overall and per difficulty level); with --report-dir its files
(<split>.json and <split>.txt, AppWorld's layout) are written there.

  seeupo appworld check --split dev
  seeupo appworld serve --addr 127.0.0.1:8001 &  seeupo appworld check --url http://127.0.0.1:8001`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			s, err := appWorldSettings(r.AppWorld)
			if err != nil {
				return err
			}
			start := time.Now()
			rep, err := appworld.Check(cmd.Context(), appworld.CheckOptions{Splits: splits, URLs: urls, Workers: workers, Settings: s, Cut: cut})
			if err != nil {
				return err
			}
			return a.printCheck(rep, time.Since(start), reportDir)
		},
	}
	c.Flags().StringSliceVar(&splits, "split", appworld.Splits(), "splits to check")
	c.Flags().StringSliceVar(&urls, "url", nil, "AppWorld-protocol server URL (repeatable); in-process native servers when absent")
	c.Flags().BoolVar(&cut, "cut", false, "drop each solution's last cell; every task must then fail")
	c.Flags().IntVar(&workers, "workers", 2, "in-process servers run at once")
	c.Flags().StringVar(&reportDir, "report-dir", "", "write each split's evaluation report (AppWorld's <split>.json and <split>.txt) to this directory")
	return c
}

func (a *app) printCheck(rep appworld.CheckReport, elapsed time.Duration, reportDir string) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "split\ttasks\tscenarios\tTGC %%\tSGC %%\tmean reward\t\n")
	for _, sp := range rep.Splits {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.3f\t\n", sp.Split, sp.Tasks, sp.Scenarios, sp.TGC, sp.SGC, sp.MeanReward)
	}
	tw.Flush()
	a.printf("%d tasks in %.1fs\n", rep.Tasks, elapsed.Seconds())
	for _, sp := range rep.Splits {
		a.printf("\n%s, as appworld evaluate reports it:\n%s", sp.Split, sp.Report.Text())
		if reportDir != "" {
			js, txt, err := sp.Report.Write(reportDir)
			if err != nil {
				return err
			}
			a.printf("wrote %s and %s\n", js, txt)
		}
	}
	if len(rep.Unexpected) > 0 {
		for _, b := range rep.Unexpected {
			a.printf("UNEXPECTED %s\n", b)
		}
		return fmt.Errorf("%d task(s) did not behave as expected", len(rep.Unexpected))
	}
	return nil
}
