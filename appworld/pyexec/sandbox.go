package pyexec

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// initEnv carries the launch of an interpreter to the sandbox's init: the
// server starts its own executable with this variable set, the package's
// init function sees it, sets the process up and executes python3.
const initEnv = "SEEUPO_PYEXEC_INIT"

// sandboxID is the user and group id inside the sandbox's user namespace.
const sandboxID = 1000

// nobody is the host id the sandbox user maps to when the server runs as
// root, so that the cell never holds the server's own user.
const nobody = 65534

// The fds of a started process: commands, results, then mount sources.
const (
	commandFD = 3
	resultFD  = 4
	firstView = 5
)

// systemDirs are bound read-only into the sandbox (when present); a
// symbolic link among them is recreated as the same link.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}

// devices are bound from the host's /dev.
var devices = []string{"null", "zero", "random", "urandom"}

func init() {
	if spec, ok := os.LookupEnv(initEnv); ok {
		runInit(spec)
	}
}

// initSpec is what the init needs to set up one interpreter.
type initSpec struct {
	Python  string   `json:"python"`
	Args    []string `json:"args"`
	Env     []string `json:"env"`
	Isolate bool     `json:"isolate"`
	// Views are the directories shown read-only. When the server runs as
	// root (and the sandbox user cannot search every host path), the
	// server clones each as a detached mount, passed as fds firstView, …
	Views   []string    `json:"views"`
	ViewFDs bool        `json:"view_fds"`
	Links   [][2]string `json:"links"` // name, target
	Limits  limits      `json:"limits"`
}

// limits are the rlimits of every process of the interpreter.
type limits struct {
	Memory    int64 `json:"memory"`
	FileSize  int64 `json:"file_size"`
	OpenFiles int   `json:"open_files"`
	Processes int   `json:"processes"`
	CPU       int   `json:"cpu"`
	Scratch   int64 `json:"scratch"`
}

// rlimitsArg is the runner's argument: the rlimits it sets on itself,
// soft = hard, before it boots, as JSON from the names of Python's
// resource module to values. The process limit is set only in a sandbox
// with its own user namespace: the count is per user of that namespace.
func rlimitsArg(l limits, isolated bool) string {
	set := map[string]int64{"RLIMIT_CORE": 0}
	for name, v := range map[string]int64{"RLIMIT_AS": l.Memory, "RLIMIT_FSIZE": l.FileSize,
		"RLIMIT_NOFILE": int64(l.OpenFiles), "RLIMIT_CPU": int64(l.CPU)} {
		if v > 0 {
			set[name] = v
		}
	}
	if isolated && l.Processes > 0 {
		set["RLIMIT_NPROC"] = int64(l.Processes)
	}
	b, _ := json.Marshal(set)
	return string(b)
}

// command builds the start of an interpreter for key; the returned files
// are the child's mount sources, to close once it has started.
func command(key launchKey, runner string, cmdR, resW *os.File) (*exec.Cmd, []*os.File, string, error) {
	isolated := key.sandbox == Namespaces
	spec := initSpec{Python: key.python, Args: []string{key.python, "-I", "-S", "-c", runner, rlimitsArg(key.limits, isolated)},
		Isolate: isolated, Limits: key.limits}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"seeupo-sandbox-init"}
	cmd.ExtraFiles = []*os.File{cmdR, resW}
	var views []*os.File
	dir := ""
	if spec.Isolate {
		var err error
		if views, err = spec.addViews(key); err != nil {
			return nil, nil, "", err
		}
		cmd.ExtraFiles = append(cmd.ExtraFiles, views...)
		spec.ViewFDs = len(views) > 0
		spec.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", "PYTHONIOENCODING=utf-8"}
		cmd.SysProcAttr = namespaceAttr()
	} else {
		var err error
		if dir, err = os.MkdirTemp("", "seeupo-cell-"); err != nil {
			return nil, nil, "", err
		}
		cmd.Dir = dir
		spec.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir, "LANG=C.UTF-8", "PYTHONIOENCODING=utf-8"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	b, _ := json.Marshal(spec)
	cmd.Env = []string{initEnv + "=" + string(b)}
	return cmd, views, dir, nil
}

// namespaceAttr starts the init in new user, PID, mount, network, IPC,
// UTS and cgroup namespaces, as an unprivileged user that keeps
// CAP_SYS_ADMIN (in its own namespace only) until it executes python3.
func namespaceAttr() *syscall.SysProcAttr {
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = nobody, nobody
	}
	return &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET |
			syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | unix.CLONE_NEWCGROUP,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: sandboxID, HostID: uid, Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: sandboxID, HostID: gid, Size: 1}},
		GidMappingsEnableSetgroups: false,
		Credential:                 &syscall.Credential{Uid: sandboxID, Gid: sandboxID, NoSetGroups: true},
		AmbientCaps:                []uintptr{unix.CAP_SYS_ADMIN},
		Pdeathsig:                  syscall.SIGKILL,
	}
}

// addViews opens the directories the sandbox sees (the system's and the
// interpreter's) with O_PATH, so that the init binds them without walking
// host paths its user may not search.
func (s *initSpec) addViews(key launchKey) ([]*os.File, error) {
	var dirs []string
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
			continue
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(d)
			if err != nil {
				return nil, err
			}
			s.Links = append(s.Links, [2]string{d, target})
		case fi.IsDir():
			dirs = append(dirs, d)
		}
	}
	for _, d := range []string{key.prefix, filepath.Dir(key.python)} {
		if d != "" && !under(d, dirs) {
			dirs = append(dirs, d)
		}
	}
	var files []*os.File
	for _, d := range dirs {
		s.Views = append(s.Views, d)
		if os.Getuid() != 0 {
			continue // the sandbox user is the server's: the init binds by path
		}
		fd, err := unix.OpenTree(unix.AT_FDCWD, d, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
		if err != nil {
			closeAll(files)
			return nil, fmt.Errorf("pyexec: opening %s for the sandbox: %w", d, err)
		}
		files = append(files, os.NewFile(uintptr(fd), d))
	}
	return files, nil
}

func under(path string, dirs []string) bool {
	for _, d := range dirs {
		if path == d || strings.HasPrefix(path, d+"/") {
			return true
		}
	}
	return false
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// runInit is the init of one interpreter: it sets up the sandbox, the
// limits, and executes python3. A failure is reported as an error frame on
// the result fd.
func runInit(raw string) {
	res := os.NewFile(resultFD, "results")
	fail := func(step string, err error) {
		writeFrame(res, frame{Type: "error", Message: step + ": " + err.Error()})
		os.Exit(125)
	}
	var s initSpec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fail("reading the launch", err)
	}
	if s.Isolate {
		if step, err := isolate(s); err != nil {
			fail(step, err)
		}
	}
	if step, err := restrict(s.Isolate); err != nil {
		fail(step, err)
	}
	fail("executing "+s.Python, syscall.Exec(s.Python, s.Args, s.Env))
}

// newRoot is where the sandbox's root is assembled before pivot_root; the
// mount covers it in the sandbox's mount namespace only.
const newRoot = "/tmp"

// isolate builds the sandbox's file system: a tmpfs root holding
// read-only binds of the views, four devices and nothing else, then a
// size-capped tmpfs at /tmp as the only writable place.
func isolate(s initSpec) (string, error) {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return "making the mounts private", err
	}
	if err := unix.Mount("tmpfs", newRoot, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m"); err != nil {
		return "mounting the new root", err
	}
	for _, l := range s.Links {
		if err := os.Symlink(l[1], newRoot+l[0]); err != nil {
			return "linking " + l[0], err
		}
	}
	for i, target := range s.Views {
		if err := os.MkdirAll(newRoot+target, 0o755); err != nil {
			return "making " + target, err
		}
		if err := bindView(target, i, s.ViewFDs); err != nil {
			return "binding " + target, err
		}
	}
	if err := bindDevices(); err != nil {
		return "binding /dev", err
	}
	for _, d := range []string{"/tmp", "/.old"} {
		if err := os.Mkdir(newRoot+d, 0o755); err != nil {
			return "making " + d, err
		}
	}
	if err := unix.PivotRoot(newRoot, newRoot+"/.old"); err != nil {
		return "pivot_root", err
	}
	if err := unix.Chdir("/"); err != nil {
		return "chdir /", err
	}
	if err := unix.Unmount("/.old", unix.MNT_DETACH); err != nil {
		return "detaching the old root", err
	}
	if err := os.Remove("/.old"); err != nil {
		return "removing the old root's mount point", err
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID}
	if err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &attr); err != nil {
		return "making the root read-only (mount_setattr, Linux 5.12 or later)", err
	}
	opts := "mode=0700,size=" + strconv.FormatInt(max(s.Limits.Scratch, 1<<20), 10)
	if err := unix.Mount("tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return "mounting the scratch directory", err
	}
	if err := unix.Chdir("/tmp"); err != nil {
		return "chdir /tmp", err
	}
	unix.Sethostname([]byte("sandbox"))
	return "", nil
}

// bindView shows the host's directory target at the same place in the new
// root: moving the detached mount of fd firstView+i, or binding the path.
func bindView(target string, i int, fromFD bool) error {
	if fromFD {
		return unix.MoveMount(firstView+i, "", unix.AT_FDCWD, newRoot+target, unix.MOVE_MOUNT_F_EMPTY_PATH)
	}
	return unix.Mount(target, newRoot+target, "", unix.MS_BIND|unix.MS_REC, "")
}

func bindDevices() error {
	if err := os.Mkdir(newRoot+"/dev", 0o755); err != nil {
		return err
	}
	for _, d := range devices {
		target := newRoot + "/dev/" + d
		f, err := os.Create(target)
		if err != nil {
			return err
		}
		f.Close()
		if err := unix.Mount("/dev/"+d, target, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
	}
	return nil
}

// restrict forbids gaining privileges, drops the capabilities python3
// would inherit and asks for SIGKILL when the server goes away. The
// rlimits are set by the runner before it boots, not here: this init is a
// Go program, whose runtime may map memory or start a thread at any moment
// and dies when a limit refuses it.
func restrict(isolated bool) (string, error) {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return "no_new_privs", err
	}
	if isolated {
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
			return "dropping capabilities", err
		}
	}
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
		return "pdeathsig", err
	}
	return "", nil
}

// pidNamespace names the PID namespace of pid ("pid:[…]").
func pidNamespace(pid int) string {
	ns, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	return ns
}

// killStrays kills every process of the namespace ns except its init (the
// interpreter), until none is left: the cell's children, orphaned or not,
// end with the cell.
func killStrays(ns string, init int) {
	if ns == "" {
		return
	}
	for range 100 {
		found := 0
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == init || pidNamespace(pid) != ns {
				continue
			}
			syscall.Kill(pid, syscall.SIGKILL)
			found++
		}
		if found == 0 {
			return
		}
	}
}

// sandboxHint says what to do when the sandbox cannot start.
func sandboxHint(err error) error {
	return fmt.Errorf("pyexec: the sandbox cannot start on this machine: %w. It needs unprivileged user namespaces "+
		"(with PID, mount, network and IPC namespaces), bind mounts, pivot_root and mount_setattr (Linux 5.12 or later); "+
		"inside Docker the default seccomp profile refuses them: run the container with the profile printed by "+
		"`seeupo appworld seccomp` (docs/threat-model.md). "+
		"To run with the weaker Python-level sandbox instead, set appworld.sandbox: hook-only "+
		"(SEEUPO_APPWORLD_SANDBOX=hook-only); docs/threat-model.md says what it does not cover", err)
}
