package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/bfcl/datafetch"
	"github.com/seeupo/seeupo/harness/progress"
)

func init() { register("data", newDataFetchCmd) }

func newDataFetchCmd(a *app) *cobra.Command {
	var dest, baseURL string
	var force bool
	c := &cobra.Command{
		Use:   "fetch NAME",
		Short: "Download a benchmark data set from upstream and verify its checksums",
		Long: `Download the files of a benchmark data set from upstream at a pinned commit
and check each file's size and sha256 against the table built into seeupo.
Every file is written to a temporary file beside its destination and renamed
into place only when its checksum is right: a failed or interrupted download
leaves nothing half-written. Files already present with the right checksum are
kept (--force downloads them again).

Data sets: ` + strings.Join(datafetch.Names(), ", ") + `.

bfcl: the 54 BFCL v4 files the port reads (every category's questions and
possible answers, the multi-turn function docs, the memory and web-search
files, the format-sensitivity id list) of GitHub ShishirPatil/gorilla,
berkeley-function-call-leaderboard/bfcl_eval/data/ at commit
` + datafetch.BFCLCommit + `, plus the repository's LICENSE,
from ` + datafetch.DefaultBaseURL + `/<commit>/<path>;
and two files that are not upstream files, written from copies built into
seeupo: long_context_constants.json (the constants of upstream's
long_context.py as JSON) and splits.json (the reference train/test split
of multi_turn_base). --base-url points at a mirror that serves the same
layout. The destination defaults to <data_dir>/bfcl_v4.

` + datafetch.BFCL().NotFetched,
		Example: `  seeupo data fetch bfcl
  seeupo data fetch bfcl --dest /data/bfcl_v4
  seeupo data fetch bfcl --base-url http://mirror.local/gorilla`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := datafetch.Lookup(args[0])
			if err != nil {
				return err
			}
			if dest == "" {
				cfg, err := a.config()
				if err != nil {
					return err
				}
				dest = filepath.Join(cfg.DataDir, d.Dir)
			}
			a.printf("fetching %s (%d files, %d bytes, commit %s) into %s\n",
				d.Name, len(d.Files), d.TotalSize(), d.Commit, dest)
			bar := progress.New(a.stderr, d.Dir, int(d.TotalSize()))
			res, err := datafetch.Fetch(cmd.Context(), d, datafetch.Options{
				BaseURL:  baseURL,
				Dest:     dest,
				Force:    force,
				Progress: func(n int64) { bar.Add(int(n)) },
				Log:      a.stdout,
			})
			bar.Finish()
			if err != nil {
				return fmt.Errorf("data fetch %s: %w", d.Name, err)
			}
			count := map[string]int{}
			for _, r := range res {
				count[r.Status]++
			}
			a.printf("%s: %d files verified (%d downloaded, %d written, %d already present) in %s\n",
				d.Name, len(res), count["downloaded"], count["written"], count["present"], dest)
			if d.NotFetched != "" {
				a.printf("note: %s\n", strings.ReplaceAll(d.NotFetched, "\n", " "))
			}
			return nil
		},
	}
	c.Flags().StringVar(&dest, "dest", "", "directory that receives the files (default <data_dir>/<data set dir>)")
	c.Flags().StringVar(&baseURL, "base-url", datafetch.DefaultBaseURL, "URL under which <commit>/<upstream path> is served (a mirror)")
	c.Flags().BoolVar(&force, "force", false, "download files that are already present and valid")
	return c
}
