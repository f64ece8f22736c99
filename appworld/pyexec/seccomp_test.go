package pyexec

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/moby/profiles/seccomp"
)

// TestSeccompProfileAddsOnlyTheSandboxCalls checks that the profile is
// Docker's default, rule for rule, followed by exactly the sandbox's
// additions: namespace flags of clone only with CLONE_NEWUSER, and the
// mount calls.
func TestSeccompProfileAddsOnlyTheSandboxCalls(t *testing.T) {
	raw, err := SeccompProfile()
	if err != nil {
		t.Fatal(err)
	}
	var got, def seccomp.Seccomp
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("the profile is not a Docker seccomp profile: %v", err)
	}
	defRaw, _ := json.Marshal(seccomp.DefaultProfile())
	if err := json.Unmarshal(defRaw, &def); err != nil {
		t.Fatal(err)
	}
	if got.DefaultAction != "SCMP_ACT_ERRNO" || !reflect.DeepEqual(got.ArchMap, def.ArchMap) || len(got.Syscalls) != len(def.Syscalls)+3 {
		t.Fatalf("profile: default action %s, %d rules; want SCMP_ACT_ERRNO and Docker's %d rules plus 3",
			got.DefaultAction, len(got.Syscalls), len(def.Syscalls))
	}
	if !reflect.DeepEqual(got.Syscalls[:len(def.Syscalls)], def.Syscalls) {
		t.Error("the profile changes a rule of Docker's default profile")
	}
	added := got.Syscalls[len(def.Syscalls):]
	for i, arg := range []uint{0, 1} { // s390 takes clone's flags second
		r := added[i]
		a := r.Args
		if !slices.Equal(r.Names, []string{"clone"}) || r.Action != "SCMP_ACT_ALLOW" || len(a) != 1 ||
			a[0].Index != arg || a[0].Value != 0x10000000 || a[0].ValueTwo != 0x10000000 || a[0].Op != "SCMP_CMP_MASKED_EQ" {
			t.Errorf("added rule %d = %+v; want clone allowed when argument %d has CLONE_NEWUSER (0x10000000)", i, r, arg)
		}
	}
	want := []string{"mount", "umount2", "pivot_root", "mount_setattr", "sethostname"}
	if r := added[2]; !slices.Equal(r.Names, want) || r.Action != "SCMP_ACT_ALLOW" || len(r.Args) != 0 || r.Includes != nil || r.Excludes != nil {
		t.Errorf("added rule = %+v; want %v allowed", r, want)
	}
}
