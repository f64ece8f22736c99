package filesystem

import (
	"path/filepath"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

// populate gives the directory what adding the files one by one gives
// (the same state, or the same error), for contents and names with and
// without a fitting template.
func TestPopulateMatchesOneByOne(t *testing.T) {
	names := py.StrList("n1.txt", "n2.txt", "n3.txt").Items
	tests := []struct {
		name  string
		files []string
		items []py.Value
	}{
		{"empty", nil, names},
		{"files", []string{"a.txt", "b.txt"}, names},
		{"many files", []string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"}, names},
		{"name taken", []string{"n2.txt"}, names},
		{"name twice", nil, py.StrList("x", "y", "x").Items},
		{"int name", []string{"a.txt"}, []py.Value{py.Str("x"), py.Int(7)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := func() *Directory {
				d := newDirectory(py.Str("d"), nil)
				for _, f := range tt.files {
					_ = d.Contents.Set(py.Str(f), &File{Name: py.Str(f), Content: py.Str("x")})
				}
				return d
			}
			fs := &FileSystem{proc: backend.NewProcess(fsConstants(t))}
			for round := range 2 { // the second round uses the kept template
				got, want := dir(), dir()
				gotErr, wantErr := fs.populate(got, tt.items), populateOneByOne(want, tt.items, make([]File, len(tt.items)))
				if py.StrOf(errValue(gotErr)) != py.StrOf(errValue(wantErr)) {
					t.Fatalf("round %d: error %v, want %v", round, gotErr, wantErr)
				}
				if g, w := py.EncodeState(got), py.EncodeState(want); g != w {
					t.Errorf("round %d: %s\nwant %s", round, g, w)
				}
			}
		})
	}
}

// errValue is err as a value to compare (None when nil).
func errValue(err error) py.Value {
	if err == nil {
		return py.None
	}
	return py.Str(err.Error())
}

func fsConstants(t *testing.T) *backend.Constants {
	t.Helper()
	c, err := backend.LoadConstants(filepath.Join(testdata.Dir(t, "bfcl_v4"), "long_context_constants.json"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Populated directories of instances built from one config share their
// keys (one template per constants and directory keys): files added and
// removed through one instance must not show in another, built before or
// after, nor in instances of other goroutines doing the same at once.
func TestPopulatedDirectoriesStayApart(t *testing.T) {
	consts := fsConstants(t)
	c, err := backend.Lookup(ClassName)
	if err != nil {
		t.Fatal(err)
	}
	cfg := py.NewDict().With(ClassName, py.NewDict().With("root", py.NewDict().With("alex",
		py.NewDict().With("type", py.Str("directory")).With("contents", py.NewDict().
			With("a.txt", py.NewDict().With("type", py.Str("file")).With("content", py.Str("hello")))))))
	build := func() backend.Instance {
		inst, err := c.Build(backend.NewProcess(consts), cfg, true)
		if err != nil {
			t.Error(err)
		}
		return inst
	}
	before := build()
	want := backend.EncodeState(before)
	change := func(inst backend.Instance) error {
		for _, call := range []struct {
			name string
			kw   []backend.KwArg
		}{
			{"touch", []backend.KwArg{{Name: "file_name", Value: py.Str("new.txt")}}},
			{"rm", []backend.KwArg{{Name: "file_name", Value: py.Str("a.txt")}}},
			{"mkdir", []backend.KwArg{{Name: "dir_name", Value: py.Str("d2")}}},
		} {
			if _, err := c.Call(inst, call.name, nil, call.kw); err != nil {
				return err
			}
		}
		return nil
	}
	changed := build()
	if err := change(changed); err != nil {
		t.Fatal(err)
	}
	if backend.EncodeState(changed) == want {
		t.Fatal("touch, rm and mkdir changed nothing")
	}
	for name, inst := range map[string]backend.Instance{"built before": before, "built after": build()} {
		if got := backend.EncodeState(inst); got != want {
			t.Errorf("instance %s sees the other's changes:\n%.300s\nwant\n%.300s", name, got, want)
		}
	}
	done := make(chan string)
	for range 8 {
		go func() {
			inst := build()
			if err := change(inst); err != nil {
				t.Error(err)
			}
			done <- backend.EncodeState(inst)
		}()
	}
	first := <-done
	for range 7 {
		if got := <-done; got != first {
			t.Errorf("concurrent instances differ")
		}
	}
	if got := backend.EncodeState(build()); got != want {
		t.Errorf("an instance built after the concurrent ones sees their changes")
	}
}
