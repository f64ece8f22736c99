// Package memory holds the three memory backends of BFCL v4's agentic
// memory categories, ported from upstream: MemoryAPI_kv (core and
// archival key-value memory, keys searched with BM25+), MemoryAPI_vector
// (core and archival vector stores searched by cosine similarity) and
// MemoryAPI_rec_sum (one text, recursively summarised by the model).
//
// A memory category runs prerequisite conversations first, which fill
// the memory; each one ends by flushing the memory to a snapshot file,
// and the next one, or a question of the scenario, starts from the
// latest snapshot. The snapshot files are upstream's:
// <model_result_dir>/agentic/memory/<backend>/memory_snapshot/<scenario>_final.json
// (the latest state) and, per prerequisite entry,
// memory_snapshot/prereq_checkpoints/<entry id>.json. The scenario's
// first prerequisite entry (id containing "prereq" and ending "-0")
// starts empty.
//
// The vector backend takes its embeddings from an Embedder, set on the
// episode's backend.Process under EmbedderKey (upstream loads the
// all-MiniLM-L6-v2 sentence-transformer model).
package memory

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Snapshotter is a memory instance whose state goes to and comes from
// snapshot files.
type Snapshotter interface {
	backend.Instance
	// Flush is upstream's _flush_memory_to_local_file: the entry's
	// checkpoint file and the scenario's latest snapshot.
	Flush() error
	// CoreMemoryContext is _dump_core_memory_to_context: the memory shown
	// in the system prompt.
	CoreMemoryContext() (string, error)
}

// snapshot is the part of upstream's MemoryAPI base class that finds and
// reads the snapshot files (_prepare_snapshot).
type snapshot struct {
	backendType string // kv, vector, rec_sum
	folder      string // "" when the scenario gives no result folder
	latest      string
	testID      string
	scenario    string
}

func cfgString(cfg *py.Dict, key string) (string, bool) {
	v, ok := cfg.GetStr(key)
	if !ok {
		return "", false
	}
	s, ok := v.(py.Str)
	return string(s), ok
}

// prepare reads the scenario's paths from the initial config and returns
// the latest snapshot to start from (nil: start empty). Without
// model_result_dir the instance lives in memory only (no snapshot files;
// upstream always has one).
func (s *snapshot) prepare(cfg *py.Dict) (*py.Dict, error) {
	dir, ok := cfgString(cfg, "model_result_dir")
	if !ok {
		return nil, nil
	}
	if s.testID, ok = cfgString(cfg, "test_id"); !ok {
		return nil, fmt.Errorf("initial config: test_id: want a string")
	}
	if s.scenario, ok = cfgString(cfg, "scenario"); !ok {
		return nil, fmt.Errorf("initial config: scenario: want a string")
	}
	base := filepath.Join(dir, "agentic", "memory", s.backendType, "memory_snapshot")
	s.folder = base
	if strings.Contains(s.testID, "prereq") {
		s.folder = filepath.Join(base, "prereq_checkpoints")
	}
	if err := os.MkdirAll(s.folder, 0o755); err != nil {
		return nil, err
	}
	s.latest = filepath.Join(base, s.scenario+"_final.json")
	if strings.Contains(s.testID, "prereq") && strings.HasSuffix(s.testID, "-0") {
		return nil, nil
	}
	data, err := os.ReadFile(s.latest)
	if os.IsNotExist(err) {
		// Upstream warns and starts empty (a failed first entry).
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := py.FromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.latest, err)
	}
	d, ok := v.(*py.Dict)
	if !ok {
		return nil, fmt.Errorf("%s: want a JSON object", s.latest)
	}
	return d, nil
}

// write is the flush: json.dump(data, indent=4) to the entry's file and
// to the latest snapshot.
func (s *snapshot) write(data *py.Dict) error {
	if s.folder == "" {
		return nil
	}
	text, err := py.DumpsIndent(data, 4)
	if err != nil {
		return err
	}
	for _, p := range []string{filepath.Join(s.folder, s.testID+".json"), s.latest} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// attrs are the public attributes _prepare_snapshot sets.
func (s *snapshot) attrs() []py.Attr {
	var folder, latest py.Value = py.None, py.None
	if s.folder != "" {
		folder, latest = py.Str(s.folder), py.Str(s.latest)
	}
	out := []py.Attr{{Name: "snapshot_folder", Value: folder}}
	if s.testID != "" {
		out = append(out, py.Attr{Name: "test_id", Value: py.Str(s.testID)},
			py.Attr{Name: "scenario", Value: py.Str(s.scenario)}, py.Attr{Name: "latest_snapshot_file", Value: latest})
	}
	return out
}

func errDict(msg string) *py.Dict { return py.NewDict().With("error", py.Str(msg)) }

func statusDict(msg string) *py.Dict { return py.NewDict().With("status", py.Str(msg)) }

// method builds a backend.Method from a Go function of its arguments.
func method[T backend.Instance](name string, params []backend.Param, f func(T, []py.Value) (py.Value, error)) *backend.Method {
	return &backend.Method{Name: name, Params: params, Call: func(self backend.Instance, a []py.Value) (py.Value, error) {
		return f(self.(T), a)
	}}
}
