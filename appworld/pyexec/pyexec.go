// Package pyexec runs agent code cells in a persistent python3 interpreter
// per episode: variables survive across cells, output is captured and
// capped, each cell has a timeout, and an `apis` object calls the world's
// API through the server.
//
// Every interpreter runs in an OS-level sandbox (Sandbox Namespaces, the
// default): its own user, PID, mount, network, IPC, UTS and cgroup
// namespaces, an unprivileged user, a read-only view of the system's and
// the interpreter's directories with a size-capped tmpfs as the only
// writable place, no network interface, rlimits on memory, file size,
// descriptors, processes and CPU time. The API is reached over the
// interpreter's command and result pipes, which carry length-prefixed,
// size-capped frames; the server answers each call itself. Processes a
// cell starts end with the cell, and the whole namespace ends with the
// episode. An audit hook inside python3 refuses process creation, sockets
// and ctypes as a first, Python-level wall; Sandbox HookOnly keeps only
// that wall, the limits and the framed channel (see docs/threat-model.md).
package pyexec

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed runner.py
var runnerSource string

// Sandbox names how an interpreter is isolated.
type Sandbox string

// Sandboxes.
const (
	// Namespaces is the OS-level sandbox; the default.
	Namespaces Sandbox = "namespaces"
	// HookOnly runs python3 as the server's user, contained only by the
	// Python audit hook, the rlimits and the framed channel.
	HookOnly Sandbox = "hook-only"
)

// ParseSandbox reads a sandbox name; "" is Namespaces.
func ParseSandbox(s string) (Sandbox, error) {
	switch Sandbox(s) {
	case "", Namespaces:
		return Namespaces, nil
	case HookOnly:
		return HookOnly, nil
	}
	return "", fmt.Errorf("unknown sandbox %q (allowed: namespaces, hook-only)", s)
}

// API answers one call of a cell: app and api name it, args is the JSON
// object of its arguments; the answer is an HTTP status and a JSON body.
type API func(ctx context.Context, app, api string, args json.RawMessage) (status int, body []byte)

// Config sets up an interpreter.
type Config struct {
	// Python is the interpreter command; "python3" when empty.
	Python string
	// Sandbox is the isolation; Namespaces when empty.
	Sandbox Sandbox
	// API answers the cells' calls.
	API API
	// LimitStatus is the status with which API refuses calls past the
	// per-cell cap; the cell then stops with CallLimit.
	LimitStatus int
	// MaxOutput caps a cell's captured output in characters.
	MaxOutput int
	// Timeout bounds one cell's run time.
	Timeout time.Duration
	// MemoryBytes (address space), FileBytes (largest file written, and
	// the size of the scratch directory), OpenFiles, Processes (tasks of
	// the sandbox user, threads included) and CPUSeconds (per process)
	// are rlimits; zero takes the default named in withDefaults.
	MemoryBytes int64
	FileBytes   int64
	OpenFiles   int
	Processes   int
	CPUSeconds  int
	// Clock, an ISO date-time ("2006-01-02T15:04:05", taken as UTC),
	// stops the cells' clock there: datetime.now and today, date.today,
	// time.time and time.time_ns give it. Empty leaves the real clock.
	Clock string
}

func (c Config) withDefaults() Config {
	if c.Python == "" {
		c.Python = "python3"
	}
	if c.Sandbox == "" {
		c.Sandbox = Namespaces
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = 100_000
	}
	if c.Timeout <= 0 {
		c.Timeout = 100 * time.Second
	}
	if c.LimitStatus == 0 {
		c.LimitStatus = 429
	}
	if c.MemoryBytes <= 0 {
		c.MemoryBytes = 2 << 30
	}
	if c.FileBytes <= 0 {
		c.FileBytes = 64 << 20
	}
	if c.OpenFiles <= 0 {
		c.OpenFiles = 256
	}
	if c.Processes <= 0 {
		c.Processes = 1 // the interpreter alone: no process or thread can start
	}
	if c.CPUSeconds <= 0 {
		c.CPUSeconds = 3600
	}
	return c
}

// frameCap is the largest frame the server reads from the interpreter: a
// result holds the output (at most MaxOutput characters) and the failure
// (at most its last max(MaxOutput, 20000)), of up to 12 bytes each once
// escaped.
func (c Config) frameCap() int { return 12*(c.MaxOutput+max(c.MaxOutput, 20_000)) + 1<<20 }

// Status says how a cell ended.
type Status string

// Cell outcomes.
const (
	OK          Status = "ok"
	Failed      Status = "error"
	TimedOut    Status = "timeout"
	OutputLimit Status = "output_limit"
	CallLimit   Status = "call_limit"
	Exited      Status = "exit"
	Crashed     Status = "crashed"
	// Broken: the interpreter sent an oversize, malformed or out-of-turn
	// frame; Failure says which. The interpreter is replaced.
	Broken Status = "broken_channel"
)

// Result is one cell's outcome.
type Result struct {
	Status Status
	// Output is the captured stdout and stderr.
	Output string
	// Failure is the formatted traceback (Failed), the API's refusal
	// (CallLimit) or what was wrong with the channel (Broken).
	Failure string
	// Restarted is true when the interpreter had to be replaced, losing
	// the episode's variables.
	Restarted bool
}

// Interpreter is one episode's python3 process.
type Interpreter struct {
	cfg  Config
	key  launchKey
	proc *process
	seq  uint64
	mu   sync.Mutex
}

// launchKey is what a started process is made for: spare processes are
// kept per key.
type launchKey struct {
	python, prefix string
	sandbox        Sandbox
	limits         limits
}

// Start launches (or takes a spare) interpreter and configures it.
func Start(ctx context.Context, cfg Config) (*Interpreter, error) {
	cfg = cfg.withDefaults()
	if _, err := ParseSandbox(string(cfg.Sandbox)); err != nil {
		return nil, fmt.Errorf("pyexec: %w", err)
	}
	key, err := keyFor(cfg)
	if err != nil {
		return nil, err
	}
	p := &Interpreter{cfg: cfg, key: key}
	if err := p.attach(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Check starts and closes one interpreter: an error says why cfg cannot
// run on this machine.
func Check(ctx context.Context, cfg Config) error {
	p, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	return p.Close()
}

func keyFor(cfg Config) (launchKey, error) {
	py, err := resolve(cfg.Python)
	if err != nil {
		return launchKey{}, err
	}
	return launchKey{python: py.executable, prefix: py.prefix, sandbox: cfg.Sandbox, limits: limits{
		Memory: cfg.MemoryBytes, FileSize: cfg.FileBytes, OpenFiles: cfg.OpenFiles, Processes: cfg.Processes,
		CPU: cfg.CPUSeconds, Scratch: cfg.FileBytes}}, nil
}

// process is a started interpreter that waits for its configuration.
type process struct {
	cmd      *exec.Cmd
	in, out  *os.File
	frames   chan frameOrErr
	stop     chan struct{}
	exited   chan struct{}
	dir      string // hook-only: the working directory
	isolated bool
	pidns    string
	cap      chan int // the frame cap, set once when attached
	killOnce sync.Once
}

type frameOrErr struct {
	f   frame
	err error
}

// spawn starts an interpreter; it imports what cells need and then waits
// for its configuration.
func spawn(key launchKey) (*process, error) {
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		return nil, err
	}
	cmd, views, dir, err := command(key, runnerSource, cmdR, resW)
	stderr := &tail{max: 2048}
	if err == nil {
		// The init's and the interpreter's own complaints (a crash before
		// the first frame) are kept for the boot error; cells' output goes
		// through the frames.
		cmd.Stderr, cmd.WaitDelay = stderr, time.Second
		err = cmd.Start()
		closeAll(views)
	}
	cmdR.Close()
	resW.Close()
	if err != nil {
		cmdW.Close()
		resR.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
		if key.sandbox == Namespaces {
			return nil, sandboxHint(err)
		}
		return nil, fmt.Errorf("pyexec: starting %s: %w", key.python, err)
	}
	pr := &process{cmd: cmd, in: cmdW, out: resR, frames: make(chan frameOrErr), stop: make(chan struct{}),
		exited: make(chan struct{}), dir: dir, isolated: key.sandbox == Namespaces, cap: make(chan int, 1)}
	go pr.read()
	go func() {
		cmd.Wait()
		close(pr.exited)
	}()
	if pr.isolated {
		pr.pidns = pidNamespace(cmd.Process.Pid)
	}
	if _, err := pr.await("booted", time.Now().Add(30*time.Second)); err != nil {
		pr.kill()
		<-pr.exited
		if last := stderr.String(); last != "" {
			err = fmt.Errorf("%w (its standard error ends: %q)", err, last)
		}
		if key.sandbox == Namespaces {
			return nil, sandboxHint(err)
		}
		return nil, err
	}
	return pr, nil
}

// read delivers the interpreter's frames until the channel fails or the
// process is killed. Until the interpreter is configured, frames are small.
func (pr *process) read() {
	limit := 1 << 16
	for {
		select {
		case n := <-pr.cap:
			limit = n
		default:
		}
		f, err := readFrame(pr.out, limit)
		select {
		case pr.frames <- frameOrErr{f, err}:
		case <-pr.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// await reads the next frame, which must be of type want.
func (pr *process) await(want string, deadline time.Time) (frame, error) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case fe := <-pr.frames:
		switch {
		case fe.err != nil:
			return frame{}, fmt.Errorf("the interpreter did not get %s: %w", want, fe.err)
		case fe.f.Type == "error":
			return frame{}, errors.New(fe.f.Message)
		case fe.f.Type != want:
			return frame{}, fmt.Errorf("the interpreter sent %q instead of %q", fe.f.Type, want)
		}
		return fe.f, nil
	case <-timer.C:
		return frame{}, fmt.Errorf("the interpreter did not get %s within 30s", want)
	}
}

// send writes a frame, giving up at deadline.
func (pr *process) send(f frame, deadline time.Time) error {
	pr.in.SetWriteDeadline(deadline)
	return writeFrame(pr.in, f)
}

// kill ends the process and everything it started (in the sandbox, by
// killing the PID namespace's init) and never waits for the pipes: a
// process that keeps them open cannot hold up the caller.
func (pr *process) kill() {
	pr.killOnce.Do(func() {
		if pr.isolated {
			syscall.Kill(pr.cmd.Process.Pid, syscall.SIGKILL)
		} else {
			syscall.Kill(-pr.cmd.Process.Pid, syscall.SIGKILL)
		}
		close(pr.stop)
		pr.in.Close()
		pr.out.Close()
		if pr.dir != "" {
			go func() {
				<-pr.exited
				os.RemoveAll(pr.dir)
			}()
		}
	})
}

// endCell kills what the cell left running (the sandbox only: without a
// PID namespace its orphans cannot be told from the host's processes).
func (pr *process) endCell() {
	if pr.isolated {
		killStrays(pr.pidns, pr.cmd.Process.Pid)
	}
}

// spares holds started processes per launch, so that an episode's start
// does not wait for python3 to boot.
var spares = struct {
	sync.Mutex
	m map[launchKey][]*process
}{m: map[launchKey][]*process{}}

// SpareProcesses is how many started interpreters are kept ready per
// launch; 0 starts each one on demand.
var SpareProcesses = 2

// WaitSpare blocks until a spare interpreter for cfg is ready (or the
// timeout passes) and reports whether one is.
func WaitSpare(cfg Config, timeout time.Duration) bool {
	key, err := keyFor(cfg.withDefaults())
	if err != nil {
		return false
	}
	go refill(key)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		spares.Lock()
		n := len(spares.m[key])
		spares.Unlock()
		if n > 0 {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

func take(key launchKey) (*process, error) {
	spares.Lock()
	list := spares.m[key]
	var pr *process
	if len(list) > 0 {
		pr, spares.m[key] = list[len(list)-1], list[:len(list)-1]
	}
	spares.Unlock()
	if SpareProcesses > 0 {
		go refill(key)
	}
	if pr != nil {
		return pr, nil
	}
	return spawn(key)
}

func refill(key launchKey) {
	spares.Lock()
	missing := SpareProcesses - len(spares.m[key])
	spares.Unlock()
	for range missing {
		pr, err := spawn(key)
		if err != nil {
			return
		}
		spares.Lock()
		if len(spares.m[key]) >= SpareProcesses {
			spares.Unlock()
			pr.kill()
			return
		}
		spares.m[key] = append(spares.m[key], pr)
		spares.Unlock()
	}
}

// attach takes a process and configures it for this interpreter.
func (p *Interpreter) attach(context.Context) error {
	pr, err := take(p.key)
	if err != nil {
		return err
	}
	p.proc, p.seq = pr, 0
	pr.cap <- p.cfg.frameCap()
	cfg, _ := json.Marshal(map[string]any{"max_output": p.cfg.MaxOutput, "limit_status": p.cfg.LimitStatus, "clock": p.cfg.Clock})
	deadline := time.Now().Add(30 * time.Second)
	if err := pr.send(frame{Type: "config", Config: cfg}, deadline); err != nil {
		return fmt.Errorf("pyexec: configuring the interpreter: %w", err)
	}
	if _, err := pr.await("ready", deadline); err != nil {
		return fmt.Errorf("pyexec: %w", err)
	}
	return nil
}

type python struct{ executable, prefix string }

var resolved sync.Map // command → python

// resolve finds the interpreter binary behind a command once per process:
// version-manager shims (pyenv) re-resolve on every start, which costs
// hundreds of milliseconds, so the real sys.executable is used; its
// sys.base_prefix is what the sandbox must show besides the system.
func resolve(command string) (python, error) {
	if v, ok := resolved.Load(command); ok {
		return v.(python), nil
	}
	path, err := exec.LookPath(command)
	if err != nil {
		return python{}, fmt.Errorf("pyexec: %w", err)
	}
	out, err := exec.Command(path, "-I", "-S", "-c", "import sys; print(sys.executable); print(sys.base_prefix)").Output()
	if err != nil {
		return python{}, fmt.Errorf("pyexec: %s does not run: %w", path, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	py := python{executable: path}
	if len(lines) == 2 {
		py = python{executable: lines[0], prefix: lines[1]}
	}
	if real, err := filepath.EvalSymlinks(py.executable); err == nil {
		py.executable = real
	}
	if real, err := filepath.EvalSymlinks(py.prefix); err == nil && py.prefix != "" {
		py.prefix = real
	}
	resolved.Store(command, py)
	return py, nil
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
