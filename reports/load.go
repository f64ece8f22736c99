package reports

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/harness/metrics"
)

// Run is one run as read from disk: a run directory or a plain verl-style
// JSONL log.
type Run struct {
	ID metrics.ID
	// Path is the run directory, or the log file for a plain log.
	Path string
	// PlainLog is true for a verl-style log that is not a run directory.
	PlainLog bool
	Meta     *metrics.Meta
	Summary  *metrics.Summary
	// Steps are sorted by step; a step logged twice keeps its last record.
	Steps []metrics.Record
	// Evals are sorted by step; a step evaluated twice keeps the last one.
	Evals []metrics.Eval
	// ConfigSHA256 is the digest of config.yaml (from meta.json or the file).
	ConfigSHA256 string
}

// Key groups runs: suite, algorithm, seed.
func (r *Run) Key() string {
	return fmt.Sprintf("%s/%s/seed-%d", r.ID.Suite, r.ID.Algorithm, r.ID.Seed)
}

// Set is every run found, with the problems met on the way.
type Set struct {
	Runs     []*Run
	Problems []metrics.Problem
}

// Suites lists the suites in the set, sorted.
func (s *Set) Suites() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.Runs {
		if !seen[r.ID.Suite] {
			seen[r.ID.Suite] = true
			out = append(out, r.ID.Suite)
		}
	}
	sort.Strings(out)
	return out
}

// Algorithms lists the algorithms in the set in display order: base first,
// then the known algorithms in their fixed order, then the rest by name.
func (s *Set) Algorithms(base string) []string {
	seen := map[string]bool{}
	var names []string
	for _, r := range s.Runs {
		if !seen[r.ID.Algorithm] {
			seen[r.ID.Algorithm] = true
			names = append(names, r.ID.Algorithm)
		}
	}
	return orderAlgorithms(names, base)
}

// Group returns the runs of one suite and algorithm, sorted by seed.
func (s *Set) Group(suite, algorithm string) []*Run {
	var out []*Run
	for _, r := range s.Runs {
		if r.ID.Suite == suite && r.ID.Algorithm == algorithm {
			out = append(out, r)
		}
	}
	return out
}

// Load finds run directories and plain JSONL logs under paths (files or
// directories, searched recursively) and reads them. Unreadable, malformed
// and duplicate inputs are recorded as problems and skipped; Load fails only
// when nothing usable is found.
func Load(paths []string) (*Set, error) {
	return load(context.Background(), paths)
}

// LoadContext is Load that returns when ctx is cancelled. The inputs are
// read on another goroutine, so a read that blocks (a named pipe that
// nobody writes, a hung network file system) cannot hold the caller; that
// goroutine is left to finish or block on its own.
func LoadContext(ctx context.Context, paths []string) (*Set, error) {
	type loaded struct {
		set *Set
		err error
	}
	done := make(chan loaded, 1)
	go func() {
		s, err := load(ctx, paths)
		done <- loaded{s, err}
	}()
	select {
	case l := <-done:
		return l.set, l.err
	case <-ctx.Done():
		return nil, fmt.Errorf("reading %s: %w", strings.Join(paths, ", "), ctx.Err())
	}
}

func load(ctx context.Context, paths []string) (*Set, error) {
	s := &Set{}
	seen := map[string]string{}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		for _, r := range s.discover(ctx, p) {
			if prev, dup := seen[r.Key()]; dup {
				s.problem(r.Path, 0, fmt.Sprintf("run %s also found at %s; this copy is skipped", r.Key(), prev))
				continue
			}
			seen[r.Key()] = r.Path
			s.Runs = append(s.Runs, r)
		}
	}
	sort.Slice(s.Runs, func(i, j int) bool {
		a, b := s.Runs[i].ID, s.Runs[j].ID
		if a.Suite != b.Suite {
			return a.Suite < b.Suite
		}
		if a.Algorithm != b.Algorithm {
			return a.Algorithm < b.Algorithm
		}
		return a.Seed < b.Seed
	})
	if err := ctx.Err(); err != nil {
		return s, err
	}
	if len(s.Runs) == 0 {
		return s, fmt.Errorf("no usable runs found in %s", strings.Join(paths, ", "))
	}
	return s, nil
}

// maxProblemsPerFile bounds the lines reported for one file (a file that is
// not a log at all would otherwise list every line).
const maxProblemsPerFile = 20

func (s *Set) addProblems(path string, problems []metrics.Problem) {
	if len(problems) > maxProblemsPerFile {
		more := len(problems) - maxProblemsPerFile
		problems = append(problems[:maxProblemsPerFile:maxProblemsPerFile],
			metrics.Problem{Path: path, Err: fmt.Sprintf("%d more malformed lines not listed", more)})
	}
	s.Problems = append(s.Problems, problems...)
}

func (s *Set) problem(path string, line int, msg string) {
	s.Problems = append(s.Problems, metrics.Problem{Path: path, Line: line, Err: msg})
}

// discover reads one input path; it stops early when ctx is cancelled.
func (s *Set) discover(ctx context.Context, path string) []*Run {
	st, err := os.Stat(path)
	if err != nil {
		s.problem(path, 0, err.Error())
		return nil
	}
	if !st.IsDir() {
		if r := s.readPlainLog(path); r != nil {
			return []*Run{r}
		}
		return nil
	}
	var runs []*Run
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return filepath.SkipAll
		}
		if err != nil {
			s.problem(p, 0, err.Error())
			return nil
		}
		if d.IsDir() {
			if isRunDir(p) {
				if r := s.readRunDir(p); r != nil {
					runs = append(runs, r)
				}
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".jsonl.gz") {
			if r := s.readPlainLog(p); r != nil {
				runs = append(runs, r)
			}
		}
		return nil
	})
	if err != nil {
		s.problem(path, 0, err.Error())
	}
	return runs
}

// isRunDir reports whether dir holds any of a run directory's files.
func isRunDir(dir string) bool {
	for _, f := range []string{metrics.FileMeta, metrics.FileMetrics, metrics.FileEval, metrics.FileSummary} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

func (s *Set) readRunDir(dir string) *Run {
	r := &Run{Path: dir}
	if m, err := metrics.ReadMeta(dir); err == nil {
		r.Meta = &m
		r.ID = m.ID
		r.ConfigSHA256 = m.ConfigSHA256
	} else if !errors.Is(err, fs.ErrNotExist) {
		s.problem(filepath.Join(dir, metrics.FileMeta), 0, "unreadable, identity taken from the path: "+err.Error())
	}
	if r.ID.Suite == "" || r.ID.Algorithm == "" {
		id, ok := metrics.ParseDir(dir)
		if !ok {
			s.problem(dir, 0, "cannot tell suite/algorithm/seed: no meta.json and the path does not end in <suite>/<algorithm>/seed-<n>; skipped")
			return nil
		}
		r.ID = id
	}
	if b, err := os.ReadFile(filepath.Join(dir, metrics.FileConfig)); err == nil {
		if r.ConfigSHA256 == "" {
			r.ConfigSHA256 = metrics.ConfigDigest(b)
		}
	} else {
		s.problem(filepath.Join(dir, metrics.FileConfig), 0, "missing: the run cannot be repeated from this directory")
	}
	if sum, err := metrics.ReadSummary(dir); err == nil {
		r.Summary = &sum
	} else if !errors.Is(err, fs.ErrNotExist) {
		s.problem(filepath.Join(dir, metrics.FileSummary), 0, err.Error())
	}
	r.Steps = s.readSteps(filepath.Join(dir, metrics.FileMetrics), true)
	r.Evals = s.readEvals(filepath.Join(dir, metrics.FileEval))
	if len(r.Steps) == 0 && len(r.Evals) == 0 && r.Summary == nil {
		s.problem(dir, 0, "no metrics, evaluations or summary; skipped")
		return nil
	}
	return r
}

func (s *Set) readSteps(path string, required bool) []metrics.Record {
	recs, problems, err := metrics.ReadMetrics(path)
	s.addProblems(path, problems)
	if err != nil {
		if required || !errors.Is(err, fs.ErrNotExist) {
			s.problem(path, 0, err.Error())
		}
		return nil
	}
	return dedupeSteps(recs)
}

func (s *Set) readEvals(path string) []metrics.Eval {
	evs, problems, err := metrics.ReadEvals(path)
	s.addProblems(path, problems)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.problem(path, 0, err.Error())
		}
		return nil
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Step < evs[j].Step })
	out := evs[:0]
	for i, e := range evs {
		if i+1 < len(evs) && evs[i+1].Step == e.Step {
			continue
		}
		out = append(out, e)
	}
	return out
}

func dedupeSteps(recs []metrics.Record) []metrics.Record {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Step < recs[j].Step })
	out := recs[:0]
	for i, r := range recs {
		if i+1 < len(recs) && recs[i+1].Step == r.Step {
			continue
		}
		out = append(out, r)
	}
	return out
}

// seedInName matches "<algorithm>.seed-3" or "<algorithm>_seed3" file stems.
var seedInName = regexp.MustCompile(`^(.+?)[._-]seed-?(\d+)$`)

// readPlainLog reads a verl-style log. Its identity comes from the path:
// .../<suite>/<algorithm>/seed-<n>/<any>.jsonl, else the file stem
// "<algorithm>[.seed-<n>]" in the folder named after the suite.
func (s *Set) readPlainLog(path string) *Run {
	r := &Run{Path: path, PlainLog: true}
	if id, ok := metrics.ParseDir(filepath.Dir(path)); ok {
		r.ID = id
	} else {
		stem := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".jsonl")
		r.ID.Algorithm = stem
		if m := seedInName.FindStringSubmatch(stem); m != nil {
			r.ID.Algorithm = m[1]
			r.ID.Seed, _ = strconv.Atoi(m[2])
		}
		r.ID.Suite = filepath.Base(filepath.Dir(path))
	}
	r.Steps = s.readSteps(path, true)
	if len(r.Steps) == 0 {
		s.problem(path, 0, "no usable {\"step\", \"data\"} lines; skipped")
		return nil
	}
	return r
}
