package appworld

import (
	"reflect"
	"testing"

	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/harness/env"
)

var _ env.Demonstrator = (*Suite)(nil)

// TestDemonstration checks the replies against the task catalogue's
// reference solution: one fenced cell each, the last left out when cut.
func TestDemonstration(t *testing.T) {
	s := New(DefaultSettings())
	dev, err := s.Tasks("dev")
	if err != nil {
		t.Fatal(err)
	}
	full, err := tasks.Default.Get(dev[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	cells := full.Solution()
	for _, cut := range []bool{false, true} {
		got, err := s.Demonstration(dev[0], env.DemoOptions{Cut: cut, Closing: "ignored"})
		if err != nil {
			t.Fatal(err)
		}
		n := len(cells)
		if cut {
			n--
		}
		var want []string
		for _, c := range cells[:n] {
			want = append(want, "```python\n"+c+"\n```")
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cut %v: got %q, want %q", cut, got, want)
		}
		for i, r := range got {
			if code, fenced := ExtractCode(r); !fenced || code != cells[i] {
				t.Errorf("reply %d: extracts %q (fenced %v), want %q", i, code, fenced, cells[i])
			}
		}
	}
	if _, err := s.Demonstration(env.Task{ID: "no_such_task"}, env.DemoOptions{}); err == nil {
		t.Error("demonstration of an unknown task: no error")
	}
}
