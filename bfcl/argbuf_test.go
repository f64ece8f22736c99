package bfcl

import "testing"

// No backend keeps the args slice of a call: executing the ground truth
// with the executor's reused argument buffer gives, call by call, the
// outputs and states that fresh argument slices give.
func TestArgBufferNotKept(t *testing.T) {
	d := loadDataset(t)
	for _, e := range d.All() {
		reused, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		fresh.freshArgs = true
		for _, turn := range e.GroundTruth {
			for _, call := range turn {
				got, want := reused.ExecuteOne(call), fresh.ExecuteOne(call)
				if got != want {
					t.Fatalf("%s: %s: output %q, want %q", e.ID, call, got, want)
				}
				if got, want := reused.State(), fresh.State(); got != want {
					t.Fatalf("%s: after %s: state\n%s\nwant\n%s", e.ID, call, got, want)
				}
			}
		}
	}
}
