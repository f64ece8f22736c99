package metrics

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File and folder names inside a run directory.
const (
	FileMeta        = "meta.json"
	FileConfig      = "config.yaml"
	FileMetrics     = "metrics.jsonl"
	FileEval        = "eval.jsonl"
	FileSummary     = "summary.json"
	DirTrajectories = "trajectories"
	DirCheckpoints  = "checkpoints"
)

// Run statuses in Meta and Summary.
const (
	StatusRunning   = "running"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
	// StatusInterrupted is a run stopped on request (SIGINT, SIGTERM):
	// its logs end with the last complete step and it resumes from its
	// last checkpoint.
	StatusInterrupted = "interrupted"
)

// ID names a run: runs/<experiment>/<suite>/<algorithm>/seed-<n>.
type ID struct {
	Experiment string `json:"experiment"`
	Suite      string `json:"suite"`
	Algorithm  string `json:"algorithm"`
	Seed       int    `json:"seed"`
}

// Validate checks that every name is a single, non-empty path element.
func (id ID) Validate() error {
	for _, f := range []struct{ field, v string }{
		{"experiment", id.Experiment}, {"suite", id.Suite}, {"algorithm", id.Algorithm},
	} {
		if f.v == "" || f.v == "." || f.v == ".." || strings.ContainsAny(f.v, `/\`) {
			return fmt.Errorf("run id: %s %q must be a non-empty name without path separators", f.field, f.v)
		}
	}
	if id.Seed < 0 {
		return fmt.Errorf("run id: seed %d must be >= 0", id.Seed)
	}
	return nil
}

// Dir is the run's directory under root (root is usually "runs").
func (id ID) Dir(root string) string {
	return filepath.Join(root, id.Experiment, id.Suite, id.Algorithm, "seed-"+strconv.Itoa(id.Seed))
}

func (id ID) String() string {
	return fmt.Sprintf("%s/%s/%s/seed-%d", id.Experiment, id.Suite, id.Algorithm, id.Seed)
}

// ParseDir reads the ID from the last four elements of a run directory's
// path. ok is false when the path does not end in .../<suite>/<algorithm>/seed-<n>;
// with only three elements the experiment is "".
func ParseDir(dir string) (id ID, ok bool) {
	parts := strings.Split(filepath.ToSlash(filepath.Clean(dir)), "/")
	n := len(parts)
	if n < 3 || !strings.HasPrefix(parts[n-1], "seed-") {
		return ID{}, false
	}
	seed, err := strconv.Atoi(strings.TrimPrefix(parts[n-1], "seed-"))
	if err != nil || seed < 0 {
		return ID{}, false
	}
	id = ID{Suite: parts[n-3], Algorithm: parts[n-2], Seed: seed}
	if n >= 4 {
		id.Experiment = parts[n-4]
	}
	return id, id.Suite != "" && id.Algorithm != ""
}

// Meta is meta.json: who the run is and where it ran.
type Meta struct {
	ID
	Status string     `json:"status"`
	Start  time.Time  `json:"start"`
	End    *time.Time `json:"end,omitempty"`
	// Resumed lists the times the run was reopened after a stop.
	Resumed []time.Time `json:"resumed,omitempty"`
	// Versions of the software: "seeupo", "commit", "go", ...
	Versions map[string]string `json:"versions,omitempty"`
	Host     string            `json:"host,omitempty"`
	Command  []string          `json:"command,omitempty"`
	// ConfigSHA256 is the hex SHA-256 of config.yaml.
	ConfigSHA256 string            `json:"config_sha256,omitempty"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// Summary is summary.json: the final figures of a run.
type Summary struct {
	Status         string  `json:"status"`
	Steps          int64   `json:"steps"`
	OptimizerSteps int64   `json:"optimizer_steps,omitempty"`
	WallClockS     float64 `json:"wall_clock_s,omitempty"`
	Tokens         int64   `json:"tokens,omitempty"`
	// Figures are named final figures, e.g. "eval/avg@4", "eval/pass@4",
	// "critic/score/mean".
	Figures Data   `json:"figures,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ReadMeta reads dir/meta.json.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	err := readJSONFile(filepath.Join(dir, FileMeta), &m)
	return m, err
}

// ReadSummary reads dir/summary.json.
func ReadSummary(dir string) (Summary, error) {
	var s Summary
	err := readJSONFile(filepath.Join(dir, FileSummary), &s)
	return s, err
}

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := UnmarshalLenient(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes b to path through a temporary file and a rename,
// so readers see the old or the new content, never a mix.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return werr
	}
	return os.Rename(tmp.Name(), path)
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// ConfigDigest is the hex SHA-256 of a configuration's bytes.
func ConfigDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// errClosed is returned by a Run after Finish.
var errClosed = errors.New("run directory already finished")
