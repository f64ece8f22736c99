package metrics

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Run writes one run directory. Open it with OpenRun; it is safe for
// concurrent use.
type Run struct {
	Dir     string
	Metrics *MetricsWriter
	Evals   *JSONLWriter

	mu     sync.Mutex
	meta   Meta
	closed bool
	now    func() time.Time
}

// OpenRun creates the run directory of id under root, or reopens it to
// resume: an existing meta.json keeps its start time and gains a resume
// time, and the logs continue after their last complete line. meta supplies
// versions, host, command and extras; its ID, status and times are set here.
func OpenRun(root string, id ID, meta Meta) (*Run, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	dir := id.Dir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, now: time.Now}
	meta.ID = id
	meta.Status = StatusRunning
	meta.End = nil
	now := r.now().UTC()
	if prev, err := ReadMeta(dir); err == nil {
		meta.Start = prev.Start
		meta.Resumed = append(prev.Resumed, now)
		if meta.ConfigSHA256 == "" {
			meta.ConfigSHA256 = prev.ConfigSHA256
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		meta.Start = now
	} else {
		return nil, err
	}
	r.meta = meta
	if err := writeJSONFile(filepath.Join(dir, FileMeta), meta); err != nil {
		return nil, err
	}
	var err error
	if r.Metrics, err = OpenMetrics(filepath.Join(dir, FileMetrics)); err != nil {
		return nil, err
	}
	if r.Evals, err = OpenJSONL(filepath.Join(dir, FileEval)); err != nil {
		r.Metrics.Close()
		return nil, err
	}
	return r, nil
}

// Meta returns a copy of the run's metadata as last written.
func (r *Run) Meta() Meta {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.meta
}

// WriteConfig stores the resolved configuration as config.yaml and its
// digest in meta.json.
func (r *Run) WriteConfig(yaml []byte) error {
	if err := writeFileAtomic(filepath.Join(r.Dir, FileConfig), yaml); err != nil {
		return err
	}
	return r.UpdateMeta(func(m *Meta) { m.ConfigSHA256 = ConfigDigest(yaml) })
}

// UpdateMeta changes the metadata and rewrites meta.json.
func (r *Run) UpdateMeta(change func(*Meta)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errClosed
	}
	change(&r.meta)
	return writeJSONFile(filepath.Join(r.Dir, FileMeta), r.meta)
}

// LogStep appends one training step's metrics.
func (r *Run) LogStep(step int64, data Data) error { return r.Metrics.Log(step, data) }

// LogEval appends one evaluation. Missing aggregates are computed from the
// tasks (see Aggregate); given ones are kept.
func (r *Run) LogEval(ev Eval) error {
	if ev.Aggregates == nil {
		ev.Aggregates = Data{}
	}
	for k, v := range Aggregate(ev.Tasks) {
		if _, ok := ev.Aggregates[k]; !ok {
			ev.Aggregates[k] = v
		}
	}
	return r.Evals.Write(ev)
}

// Finish writes summary.json, marks meta.json with the end time and status,
// and closes the logs. An empty summary status means completed.
func (r *Run) Finish(s Summary) error {
	if s.Status == "" {
		s.Status = StatusCompleted
	}
	err := writeJSONFile(filepath.Join(r.Dir, FileSummary), s)
	end := r.now().UTC()
	if merr := r.UpdateMeta(func(m *Meta) { m.Status = s.Status; m.End = &end }); err == nil {
		err = merr
	}
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	if cerr := r.Metrics.Close(); err == nil {
		err = cerr
	}
	if cerr := r.Evals.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the logs without a summary (the run stays "running", so a
// later OpenRun resumes it).
func (r *Run) Close() error {
	err := r.Metrics.Close()
	if cerr := r.Evals.Close(); err == nil {
		err = cerr
	}
	return err
}

// MetricsWriter appends metrics.jsonl records and knows the last step
// logged.
type MetricsWriter struct {
	*JSONLWriter
	mu   sync.Mutex
	last int64
	any  bool
}

// OpenMetrics opens a metrics log for appending (see OpenJSONL) and reads
// the last step already logged. A line before the last that cannot be
// read is an error naming the file and line: a crash tears only the last
// line, which OpenJSONL drops.
func OpenMetrics(path string) (*MetricsWriter, error) {
	w, err := OpenJSONL(path)
	if err != nil {
		return nil, err
	}
	mw := &MetricsWriter{JSONLWriter: w}
	recs, problems, err := ReadMetrics(path)
	if err == nil {
		err = damagedLog(problems)
	}
	if err != nil {
		w.Close()
		return nil, err
	}
	for _, rec := range recs {
		if !mw.any || rec.Step > mw.last {
			mw.last, mw.any = rec.Step, true
		}
	}
	return mw, nil
}

// LastStep is the largest step in the log; ok is false for an empty log.
func (w *MetricsWriter) LastStep() (step int64, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last, w.any
}

// Log appends one step. Steps must increase: a step not above the last one
// is an error (after a resume, call TruncateAfter first).
func (w *MetricsWriter) Log(step int64, data Data) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.any && step <= w.last {
		return fmt.Errorf("%s: step %d logged after step %d; steps must increase", w.path, step, w.last)
	}
	if data == nil {
		data = Data{}
	}
	if err := w.Write(Record{Step: step, Data: data}); err != nil {
		return err
	}
	w.last, w.any = step, true
	return nil
}

// TruncateAfter removes the records with a step above step, so a run that
// resumes from the checkpoint of that step logs the following steps once.
// A line that cannot be parsed is an error naming the file and line.
func (w *MetricsWriter) TruncateAfter(step int64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.JSONLWriter.mu.Lock()
	defer w.JSONLWriter.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("%s: truncate after close", w.path)
	}
	if _, err := w.f.Seek(0, 0); err != nil {
		return err
	}
	var kept []byte
	sc := bufio.NewReader(w.f)
	w.any, w.last = false, 0
	for lineNo := 1; ; lineNo++ {
		line, err := sc.ReadBytes('\n')
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			rec, derr := DecodeRecord(trimmed)
			if derr != nil {
				return damagedLog([]Problem{{w.path, lineNo, derr.Error()}})
			}
			if rec.Step <= step {
				kept = append(kept, line...)
				if !w.any || rec.Step > w.last {
					w.last, w.any = rec.Step, true
				}
			}
		}
		if err != nil {
			break
		}
	}
	if err := w.f.Truncate(0); err != nil {
		return err
	}
	if _, err := w.f.WriteAt(kept, 0); err != nil {
		return err
	}
	if _, err := w.f.Seek(0, 2); err != nil {
		return err
	}
	return w.f.Sync()
}

// TrajectoryWriter writes trajectories/step-<N>.jsonl.gz: one JSON value a
// line, gzip-compressed. The file appears under its final name only when
// Close succeeds.
type TrajectoryWriter struct {
	mu    sync.Mutex
	path  string
	tmp   *os.File
	zw    *gzip.Writer
	count int
}

// Trajectories starts the trajectory file of a step.
func (r *Run) Trajectories(step int64) (*TrajectoryWriter, error) {
	dir := filepath.Join(r.Dir, DirTrajectories)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, fmt.Sprintf("step-%06d.jsonl.gz", step))
	tmp, err := os.CreateTemp(dir, ".step-*.tmp")
	if err != nil {
		return nil, err
	}
	return &TrajectoryWriter{path: path, tmp: tmp, zw: gzip.NewWriter(tmp)}, nil
}

// Write appends one trajectory (any JSON-encodable value).
func (t *TrajectoryWriter) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", t.path, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.zw == nil {
		return fmt.Errorf("%s: write after close", t.path)
	}
	if _, err := t.zw.Write(append(b, '\n')); err != nil {
		return err
	}
	t.count++
	return nil
}

// Close finishes the gzip stream and moves the file to its final name.
func (t *TrajectoryWriter) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.zw == nil {
		return nil
	}
	err := t.zw.Close()
	t.zw = nil
	if err == nil {
		err = t.tmp.Sync()
	}
	if cerr := t.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.tmp.Name(), t.path)
	}
	if err != nil {
		os.Remove(t.tmp.Name())
	}
	return err
}

// Path is the final name of the trajectory file.
func (t *TrajectoryWriter) Path() string { return t.path }

// Checkpoints lists the steps that have a checkpoint directory in runDir,
// in increasing order, verified or not (see SelectCheckpoint).
func Checkpoints(runDir string) ([]int64, error) {
	entries, err := os.ReadDir(filepath.Join(runDir, DirCheckpoints))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var steps []int64
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "step-") {
			continue
		}
		if s, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), "step-"), 10, 64); err == nil {
			steps = append(steps, s)
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	return steps, nil
}

// damagedLog is an error for the first bad line of a log that a run
// appends to, or nil.
func damagedLog(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s: the log is damaged (a crash can tear only its last line); repair or remove that line", problems[0])
}
