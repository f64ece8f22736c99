package pyexec

import (
	"encoding/json"

	"github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SandboxSyscalls are the calls the sandbox's init makes that Docker's
// default seccomp profile allows only with CAP_SYS_ADMIN: the mounts that
// build its file system, pivot_root into it, and the host name of its own
// UTS namespace. (open_tree and move_mount are needed only by a server
// running as root, which a container of the native world is not.)
var SandboxSyscalls = []string{"mount", "umount2", "pivot_root", "mount_setattr", "sethostname"}

// SeccompProfile is Docker's default seccomp profile extended by exactly
// what the sandbox needs inside a container that holds no capability:
// clone with namespace flags, allowed only when the same call also
// creates a user namespace (so every namespace made is owned by the
// caller's own, unprivileged user namespace), and SandboxSyscalls, which
// without a capability succeed only inside such a namespace. The result
// is JSON for `docker run --security-opt seccomp=FILE` or the Engine
// API's HostConfig.SecurityOpt "seccomp=<json>".
func SeccompProfile() ([]byte, error) {
	p := seccomp.DefaultProfile()
	p.Syscalls = append(p.Syscalls, sandboxRules()...)
	return json.Marshal(p)
}

// sandboxRules are the rules SeccompProfile adds to Docker's default.
func sandboxRules() []*seccomp.Syscall {
	withUserNS := func(arg uint) specs.LinuxSeccompArg {
		return specs.LinuxSeccompArg{Index: arg, Value: unix.CLONE_NEWUSER, ValueTwo: unix.CLONE_NEWUSER, Op: specs.OpMaskedEqual}
	}
	s390 := []string{"s390", "s390x"}
	return []*seccomp.Syscall{
		{
			LinuxSyscall: specs.LinuxSyscall{Names: []string{"clone"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{withUserNS(0)}},
			Comment:      "seeupo sandbox: new namespaces together with a new user namespace",
			Excludes:     &seccomp.Filter{Arches: s390},
		},
		{
			LinuxSyscall: specs.LinuxSyscall{Names: []string{"clone"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{withUserNS(1)}},
			Comment:      "seeupo sandbox: s390 orders clone's arguments differently",
			Includes:     &seccomp.Filter{Arches: s390},
		},
		{
			LinuxSyscall: specs.LinuxSyscall{Names: SandboxSyscalls, Action: specs.ActAllow},
			Comment:      "seeupo sandbox: building its file system in its own mount namespace",
		},
	}
}
