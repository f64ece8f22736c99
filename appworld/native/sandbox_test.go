package native

import (
	"context"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/appworld/protocol"
)

// hostileTimeout is the cell timeout of the cases that must time out; the
// other cases run with farDeadline, so that on a loaded machine a limit
// (API calls, output) is always what stops them, never the clock.
const (
	hostileTimeout = 2
	farDeadline    = 600
)

// session starts a server holding task id with a cell timeout and returns
// a function running one cell in it.
func session(t *testing.T, id string, timeout int) func(string) string {
	t.Helper()
	ctx := context.Background()
	srv := New(Options{TimeoutSeconds: timeout, MaxAPICalls: 1000})
	t.Cleanup(srv.Shutdown)
	if _, err := srv.Initialize(ctx, protocol.InitRequest{TaskID: id}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(ctx, id) })
	return func(code string) string {
		t.Helper()
		obs, err := srv.Execute(ctx, id, code)
		if err != nil {
			t.Fatalf("execute %q: %v", code, err)
		}
		return obs
	}
}

// TestHostileCells runs cells that must be stopped with the documented
// observation, each followed by a cell showing the episode goes on.
func TestHostileCells(t *testing.T) {
	id := allTaskIDs(t)[0]
	runs := map[bool]func(string) string{
		true:  session(t, id, hostileTimeout),
		false: session(t, id, farDeadline),
	}
	run := runs[false]
	for _, r := range runs {
		if obs := r("x = 41"); obs != ObsSuccess {
			t.Fatalf("assignment: %q", obs)
		}
	}
	cases := []struct {
		name, code string
		want       string
		survives   bool
		timed      bool // runs with hostileTimeout
	}{
		{"infinite loop", "while True:\n    pass", "Execution timed out after 2 seconds.", true, true},
		{"loop that ignores interrupts", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass", "Execution timed out after 2 seconds.", false, true},
		{"100 MB of output", "print('y' * 100_000_000)", "Output exceeded the limit of 100000 characters; the cell was stopped.", true, false},
		{"output in a loop", "while True:\n    print('z' * 1000)", "Output exceeded the limit of 100000 characters; the cell was stopped.", true, false},
		{"socket to the outside", "import socket\ns = socket.create_connection(('192.0.2.1', 80), timeout=1)", "PermissionError: Network access is blocked by the sandbox", true, false},
		{"name lookup", "import socket\nsocket.getaddrinfo('example.com', 443)", "PermissionError: Network access is blocked", true, false},
		{"subprocess", "import subprocess\nsubprocess.run(['curl', 'http://192.0.2.1'])", "PermissionError: Blocked by the sandbox: subprocess.Popen", true, false},
		{"4 GiB allocation", "b = bytearray(4 << 30)", "MemoryError", true, false},
		{"ctypes", "import ctypes\nctypes.CDLL(None).connect", "PermissionError: Blocked by the sandbox: ctypes.dlopen", true, false},
		{"fork", "import os\nos.fork()", "PermissionError: Blocked by the sandbox: os.fork", true, false},
		{"kill the host", "import os\nos.kill(os.getppid(), 9)", "PermissionError: Blocked by the sandbox: os.kill", true, false},
		{"exit", "raise SystemExit(3)", "SystemExit: exiting the interpreter is not allowed.", true, false},
		{"10,000 API calls", "for i in range(10_000):\n    apis.api_docs.show_app_descriptions()", "Number of requests exceeded the limit of 1000", true, false},
		{"caught call-limit", "n = 0\nfor i in range(10_000):\n    try:\n        apis.api_docs.show_app_descriptions()\n    except Exception:\n        n += 1", "Number of requests exceeded the limit of 1000", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := runs[c.timed]
			obs := run(c.code)
			if !strings.Contains(obs, c.want) {
				t.Fatalf("observation %q, want it to contain %q", trim(obs), c.want)
			}
			if len(obs) > 101_000 {
				t.Errorf("observation of %d characters exceeds the output cap", len(obs))
			}
			if !c.survives && !strings.Contains(obs, ObsRestarted) {
				t.Errorf("a replaced interpreter is not reported: %q", trim(obs))
			}
			if c.survives {
				if got := run("print(x + 1)"); got != "42\n" {
					t.Errorf("after the cell, print(x + 1) gave %q; variables did not survive", got)
				}
				run("x = 41") // keep x for the next case if lost
			} else {
				if got := run("print(apis.supervisor.show_profile()['email'] != '')"); got != "True\n" {
					t.Errorf("after a restart the interpreter does not work: %q", got)
				}
				run("x = 41")
			}
		})
	}
	if got := run("1/0"); !strings.HasPrefix(got, "Execution failed. Traceback:\n  File \"<python-input>\", line 1") || !strings.HasSuffix(got, "ZeroDivisionError: division by zero") {
		t.Errorf("traceback form: %q", got)
	}
	if got := run("apis.simple_note.show_note(access_token='nope', note_id=1)"); !strings.Contains(got, "Exception: Response status code is 401:\n{\"message\":") {
		t.Errorf("API error form: %q", got)
	}
	if got := run("x = (1"); !strings.HasPrefix(got, "Execution failed. Traceback:\nSyntax error in line:\nx = (1\nMessage: ") {
		t.Errorf("syntax error form: %q", got)
	}
}

// TestMaxInteractions checks the interaction cap's observation.
func TestMaxInteractions(t *testing.T) {
	srv := New(Options{})
	defer srv.Shutdown()
	ctx := context.Background()
	id := allTaskIDs(t)[0]
	if _, err := srv.Initialize(ctx, protocol.InitRequest{TaskID: id, MaxInteractions: 2}); err != nil {
		t.Fatal(err)
	}
	defer srv.Close(ctx, id)
	for i, want := range []string{ObsSuccess, ObsSuccess, "Maximum number of executions (2) reached."} {
		if got, err := srv.Execute(ctx, id, "y = 1"); err != nil || got != want {
			t.Errorf("execution %d: %q, %v; want %q", i+1, got, err, want)
		}
	}
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:150] + " … " + s[len(s)-150:]
	}
	return s
}
