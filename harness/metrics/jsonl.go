package metrics

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// JSONLWriter appends JSON values to a file, one a line. Each value goes to
// the file in one write call, so a crash loses at most that line. It is safe
// for concurrent use.
type JSONLWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// OpenJSONL opens path for appending, creating it and its directory if
// needed. A torn last line (one without its newline, left by a crash) is
// truncated, so writing continues after the last complete line.
func OpenJSONL(path string) (*JSONLWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := truncateTornTail(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	return &JSONLWriter{f: f, path: path}, nil
}

// truncateTornTail cuts f after its last newline.
func truncateTornTail(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	end := st.Size()
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	for pos := end; pos > 0; {
		n := int64(chunk)
		if pos < n {
			n = pos
		}
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			keep := pos + int64(i) + 1
			if keep == end {
				return nil
			}
			return f.Truncate(keep)
		}
	}
	if end == 0 {
		return nil
	}
	return f.Truncate(0)
}

// Write appends v as one JSON line.
func (w *JSONLWriter) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", w.path, err)
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("%s: write after close", w.path)
	}
	if _, err := w.f.Write(b); err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

// Sync commits the file to stable storage (survives a power loss, not only
// a process crash).
func (w *JSONLWriter) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	return w.f.Sync()
}

// Path is the file written to.
func (w *JSONLWriter) Path() string { return w.path }

// Close syncs and closes the file. Closing twice is harmless.
func (w *JSONLWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

// Problem is a line (or a file, when Line is 0) that could not be used.
type Problem struct {
	Path string
	Line int
	Err  string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Path + ": " + p.Err
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Err)
}

// ReadJSONL calls fn for every non-blank line of path (decompressed when the
// name ends in .gz). A line fn rejects becomes a Problem and reading goes on.
// A last line without its newline is given to fn too; if fn rejects it, the
// problem says the line is torn. The error is non-nil only when the file
// cannot be opened or read.
func ReadJSONL(path string, fn func(line []byte) error) ([]Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var problems []Problem
	for lineNo := 1; ; lineNo++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			problems = append(problems, Problem{path, lineNo, "read: " + rerr.Error()})
			return problems, nil
		}
		torn := errors.Is(rerr, io.EOF) && len(line) > 0
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			if err := fn(trimmed); err != nil {
				msg := err.Error()
				if torn {
					msg = "torn last line (no newline): " + msg
				}
				problems = append(problems, Problem{path, lineNo, msg})
			}
		}
		if rerr != nil {
			return problems, nil
		}
	}
}

// ReadMetrics reads a metrics.jsonl file (or any verl file-logger log).
func ReadMetrics(path string) ([]Record, []Problem, error) {
	var out []Record
	problems, err := ReadJSONL(path, func(line []byte) error {
		rec, err := DecodeRecord(line)
		if err == nil {
			out = append(out, rec)
		}
		return err
	})
	return out, problems, err
}

// ReadEvals reads an eval.jsonl file.
func ReadEvals(path string) ([]Eval, []Problem, error) {
	var out []Eval
	problems, err := ReadJSONL(path, func(line []byte) error {
		ev, err := DecodeEval(line)
		if err == nil {
			out = append(out, ev)
		}
		return err
	})
	return out, problems, err
}

// DecodeRecord parses one metrics line. It requires "step" (an integer) and
// "data" (an object).
func DecodeRecord(line []byte) (Record, error) {
	var raw struct {
		Step *json.Number `json:"step"`
		Data *Data        `json:"data"`
	}
	if err := UnmarshalLenient(line, &raw); err != nil {
		return Record{}, err
	}
	if raw.Step == nil {
		return Record{}, errors.New(`missing "step"`)
	}
	step, err := raw.Step.Int64()
	if err != nil {
		return Record{}, fmt.Errorf(`"step" is %s, want an integer`, raw.Step.String())
	}
	if raw.Data == nil {
		return Record{}, errors.New(`missing "data" object`)
	}
	return Record{Step: step, Data: *raw.Data}, nil
}

// DecodeEval parses one eval.jsonl line. It requires "step".
func DecodeEval(line []byte) (Eval, error) {
	var ev Eval
	var probe struct {
		Step *json.Number `json:"step"`
	}
	if err := UnmarshalLenient(line, &probe); err != nil {
		return Eval{}, err
	}
	if probe.Step == nil {
		return Eval{}, errors.New(`missing "step"`)
	}
	if _, err := probe.Step.Int64(); err != nil {
		return Eval{}, fmt.Errorf(`"step" is %s, want an integer`, probe.Step.String())
	}
	if err := UnmarshalLenient(line, &ev); err != nil {
		return Eval{}, err
	}
	return ev, nil
}
