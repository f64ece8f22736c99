package memory

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Recursive-summary limits and names (upstream's memory_rec_sum.py).
const (
	MaxMemoryEntryLength = 10000
	RecSumClassName      = "MemoryAPI_rec_sum"
)

// RecSum is upstream's MemoryAPI_rec_sum: one text the model appends to,
// rewrites and edits.
type RecSum struct {
	memory string
	snap   snapshot
}

// State implements backend.Instance.
func (m *RecSum) State() []py.Attr {
	return append([]py.Attr{{Name: "memory", Value: py.Str(m.memory)}}, m.snap.attrs()...)
}

// LoadScenario implements backend.Instance.
func (m *RecSum) LoadScenario(cfg *py.Dict, _ bool) error {
	data, err := m.snap.prepare(cfg)
	if err != nil || data == nil {
		return err
	}
	v, ok := data.GetStr("memory")
	if !ok {
		return py.KeyError(py.Str("memory"))
	}
	s, ok := v.(py.Str)
	if !ok {
		return fmt.Errorf("Memory data should be a string, but got <class '%s'> instead.", v.TypeName())
	}
	m.memory = string(s)
	return nil
}

// Flush implements Snapshotter.
func (m *RecSum) Flush() error {
	return m.snap.write(py.NewDict().With("memory", py.Str(m.memory)))
}

// CoreMemoryContext implements Snapshotter.
func (m *RecSum) CoreMemoryContext() (string, error) {
	if m.memory == "" {
		return "There is no content in the memory at this point.", nil
	}
	return m.memory, nil
}

func tooLongAfter(what string) *py.Dict {
	return errDict(fmt.Sprintf("Entry will be too long after %s. Please shorten the entry to less than %d characters.", what, MaxMemoryEntryLength))
}

func (m *RecSum) appendText(text py.Value) (py.Value, error) {
	t := py.StrOf(text)
	if py.StrLen(m.memory+t) > MaxMemoryEntryLength {
		return tooLongAfter("appending"), nil
	}
	m.memory += t
	return statusDict("Memory appended."), nil
}

func (m *RecSum) update(text py.Value) (py.Value, error) {
	t := py.StrOf(text)
	if py.StrLen(t) > MaxMemoryEntryLength {
		return tooLongAfter("updating"), nil
	}
	m.memory = t
	return statusDict("Memory updated."), nil
}

func (m *RecSum) replace(oldText, newText py.Value) (py.Value, error) {
	o, n := py.StrOf(oldText), py.StrOf(newText)
	if !strings.Contains(m.memory, o) {
		return errDict(fmt.Sprintf("Text '%s' not found in memory.", o)), nil
	}
	if py.StrLen(n) > MaxMemoryEntryLength {
		return tooLongAfter("replacing"), nil
	}
	m.memory = strings.ReplaceAll(m.memory, o, n)
	return statusDict("Memory updated."), nil
}

func (m *RecSum) retrieve() (py.Value, error) {
	if m.memory == "" {
		return errDict("Memory is empty."), nil
	}
	return py.NewDict().With("memory_content", py.Str(m.memory)), nil
}

func init() {
	backend.Register(&backend.Class{
		Name: RecSumClassName,
		New:  func(*backend.Process) backend.Instance { return &RecSum{snap: snapshot{backendType: "rec_sum"}} },
		Methods: []*backend.Method{
			method("memory_append", []backend.Param{backend.Req("text")},
				func(m *RecSum, a []py.Value) (py.Value, error) { return m.appendText(a[0]) }),
			method("memory_update", []backend.Param{backend.Req("text")},
				func(m *RecSum, a []py.Value) (py.Value, error) { return m.update(a[0]) }),
			method("memory_clear", nil,
				func(m *RecSum, _ []py.Value) (py.Value, error) {
					m.memory = ""
					return statusDict("Short term memory cleared."), nil
				}),
			method("memory_replace", []backend.Param{backend.Req("old_text"), backend.Req("new_text")},
				func(m *RecSum, a []py.Value) (py.Value, error) { return m.replace(a[0], a[1]) }),
			method("memory_retrieve", nil,
				func(m *RecSum, _ []py.Value) (py.Value, error) { return m.retrieve() }),
		},
	})
}

var _ Snapshotter = (*RecSum)(nil)
