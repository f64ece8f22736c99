package pyexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, cfg Config) *Interpreter {
	t.Helper()
	p, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestCells(t *testing.T) {
	// The timeout is far away: the output cap, not the clock, must stop
	// the long print on any load.
	p := start(t, Config{Timeout: time.Minute, MaxOutput: 50})
	ctx := context.Background()
	cases := []struct {
		code    string
		status  Status
		output  string
		failure string
	}{
		{"x = 2", OK, "", ""},
		{"print(x * 21)", OK, "42\n", ""},
		{"import sys\nprint('e', file=sys.stderr)", OK, "e\n", ""},
		{"print('a' * 60)", OutputLimit, strings.Repeat("a", 50), ""},
		{"def f():\n    return 1 / 0\nf()", Failed, "", "ZeroDivisionError: division by zero"},
		{"print(x)", OK, "2\n", ""},
	}
	for _, c := range cases {
		r, err := p.Run(ctx, c.code)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != c.status || r.Output != c.output || !strings.Contains(r.Failure, c.failure) || r.Restarted {
			t.Errorf("%q: %+v, want status %s output %q failure containing %q", c.code, r, c.status, c.output, c.failure)
		}
	}
}

// TestBrokenProtocol checks that a cell writing garbage to the result
// channel ends with a Broken result naming the fault and gets a fresh
// interpreter, reported as such.
func TestBrokenProtocol(t *testing.T) {
	p := start(t, Config{Timeout: time.Minute})
	ctx := context.Background()
	p.Run(ctx, "y = 1")
	r, err := p.Run(ctx, "import os\nos.write(4, b'garbage\\n')")
	if err != nil || r.Status != Broken || !r.Restarted || !strings.Contains(r.Failure, "exceeds the cap") {
		t.Fatalf("garbage on the pipe: %+v %v", r, err)
	}
	if r, err := p.Run(ctx, "print('y' in dir())"); err != nil || r.Output != "False\n" {
		t.Fatalf("after restart: %+v %v", r, err)
	}
}

func TestContextCancelStopsCell(t *testing.T) {
	p := start(t, Config{Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r, err := p.Run(ctx, "while True:\n    pass")
	if err == nil || r.Status != TimedOut {
		t.Fatalf("cancelled cell: %+v %v", r, err)
	}
	if r, err := p.Run(context.Background(), "print(1)"); err != nil || r.Output != "1\n" {
		t.Fatalf("after cancel: %+v %v", r, err)
	}
}

// TestBootFailureShowsStandardError checks that an interpreter that dies
// before it boots is reported with the end of its standard error, so the
// cause of a failed start can be read from the error.
func TestBootFailureShowsStandardError(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "python3")
	script := "#!/bin/sh\n" +
		"case \"$4\" in *sys.executable*) echo \"$0\"; echo /nonexistent; exit 0;; esac\n" +
		"echo 'no interpreter here' >&2\nexit 3\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Config{Python: fake, Sandbox: HookOnly, Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "no interpreter here") {
		t.Fatalf("start with an interpreter that exits at once: %v; want its standard error in the message", err)
	}
}

// TestFrozenClock checks that a Clock stops the cells' clock, and that
// without one the clock runs.
func TestFrozenClock(t *testing.T) {
	ctx := context.Background()
	code := "import datetime, time\n" +
		"now = datetime.datetime.now()\n" +
		"print(now.isoformat(), datetime.date.today(), int(time.time()), now - datetime.timedelta(days=1),\n" +
		"      datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=2))).isoformat(),\n" +
		"      isinstance(now, datetime.datetime), isinstance(datetime.date.today(), datetime.date), repr(now))"
	cases := []struct {
		clock, want string
	}{
		// 2023-05-18T12:00:00Z is 1684411200 s after the epoch.
		{"2023-05-18T12:00:00", "2023-05-18T12:00:00 2023-05-18 1684411200 2023-05-17 12:00:00 2023-05-18T14:00:00+02:00 True True datetime.datetime(2023, 5, 18, 12, 0)\n"},
	}
	for _, c := range cases {
		p := start(t, Config{Timeout: time.Minute, Clock: c.clock})
		r, err := p.Run(ctx, code)
		if err != nil || r.Status != OK || r.Output != c.want {
			t.Errorf("clock %s: %+v %v, want output %q", c.clock, r, err, c.want)
		}
	}
	p := start(t, Config{Timeout: time.Minute})
	r, err := p.Run(ctx, "import datetime\nprint(datetime.date.today().year >= 2025)")
	if err != nil || r.Output != "True\n" {
		t.Errorf("without a clock: %+v %v, want the real date", r, err)
	}
}
