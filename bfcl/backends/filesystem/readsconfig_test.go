package filesystem

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The file system is built from initial_config itself (ReadsConfig), so
// building and using instances must leave the config as it was: changes
// through an instance, including to a file whose content is a list (the
// content is copied, two files sharing one list still share its copy),
// never reach the config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	shared := py.NewList(py.Str("x"))
	file := func(content py.Value) *py.Dict {
		return py.NewDict().With("type", py.Str("file")).With("content", content)
	}
	cfg := py.NewDict().With(ClassName, py.NewDict().With("root", py.NewDict().With("alex",
		py.NewDict().With("type", py.Str("directory")).With("contents", py.NewDict().
			With("a.txt", file(py.Str("hello"))).
			With("l1", file(shared)).
			With("l2", file(shared)).
			With("docs", py.NewDict().With("type", py.Str("directory")).With("contents", py.NewDict()))))))
	h := configtest.New(t, ClassName, cfg)
	h.CheckEdits(func(inst backend.Instance) []configtest.Edit {
		fs := inst.(*FileSystem)
		l1 := fs.Root.Contents.ValueAt(1).(*File).Content.(*py.List)
		l2 := fs.Root.Contents.ValueAt(2).(*File).Content.(*py.List)
		if l1 == shared {
			t.Fatal("a list content is the config's own list")
		}
		if l1 != l2 {
			t.Error("two files sharing one list in the config do not share its copy")
		}
		edits := []configtest.Edit{{Name: "list content", Do: func() { l1.Append(py.Str("changed")) }}}
		for _, call := range []struct {
			name string
			kw   []backend.KwArg
		}{
			{"echo", []backend.KwArg{{Name: "content", Value: py.Str("new")}, {Name: "file_name", Value: py.Str("a.txt")}}},
			{"touch", []backend.KwArg{{Name: "file_name", Value: py.Str("b.txt")}}},
			{"mkdir", []backend.KwArg{{Name: "dir_name", Value: py.Str("d2")}}},
			{"mv", []backend.KwArg{{Name: "source", Value: py.Str("a.txt")}, {Name: "destination", Value: py.Str("docs")}}},
			{"rm", []backend.KwArg{{Name: "file_name", Value: py.Str("b.txt")}}},
		} {
			edits = append(edits, configtest.Edit{Name: call.name, Do: func() {
				if _, err := h.Class.Call(fs, call.name, nil, call.kw); err != nil {
					t.Fatalf("%s: %v", call.name, err)
				}
			}})
		}
		return edits
	})
}
