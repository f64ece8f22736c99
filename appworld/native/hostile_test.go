package native

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/appworld/internal/hostile"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
)

// TestHostileCellAfterDisablingPython runs cells that first take down
// every Python-level wall and then try to leave the sandbox: none may
// succeed, the server's memory stays bounded through a flood of the
// result channel, a forged result never shifts the answers, and the next
// episode on the same server is clean.
func TestHostileCellAfterDisablingPython(t *testing.T) {
	defer func(n int) { pyexec.SpareProcesses = n }(pyexec.SpareProcesses)
	pyexec.SpareProcesses = 0 // the test's only child is the episode's interpreter
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := tcp.Accept(); err == nil {
			accepted <- c
		}
	}()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	ctx := context.Background()
	srv := New(Options{TimeoutSeconds: farDeadline})
	defer srv.Shutdown()
	ids := allTaskIDs(t)
	run := start(t, srv, ids[0])
	rssBefore := rss(t)
	if obs := run(hostile.DisablePython); obs != "disabled\n" {
		t.Fatalf("disabling Python's walls: %q", obs)
	}
	probes := hostile.Probes(tcp.Addr().(*net.TCPAddr).Port, udp.LocalAddr().(*net.UDPAddr).Port, os.Getpid())
	obs := run(probes)
	if strings.Contains(obs, "ESCAPED") || !strings.HasSuffix(obs, "probed\n") {
		t.Errorf("the hostile cell got out:\n%s", trim(obs))
	}
	checkListenerUnreachable(t, obs)
	checkNothingArrived(t, accepted, udp)
	interp := sandboxChild(t)

	run("x = 1")
	if obs := run("import os\nos.write(4, b'x' * (64 << 20))"); !strings.Contains(obs, "broke the interpreter's result channel") || !strings.Contains(obs, ObsRestarted) {
		t.Errorf("flooding the result channel: %q", trim(obs))
	}
	if grown := rss(t) - rssBefore; grown > 48<<20 {
		t.Errorf("the server's memory grew by %d MiB through a 64 MiB flood", grown>>20)
	}
	run(hostile.DisablePython)
	forge := "import sys, os, json, struct\nm = sys.modules['__main__']\n" +
		"def frame(o):\n    b = json.dumps(o).encode()\n    os.write(4, struct.pack('>I', len(b)) + b)\n" +
		"frame({'type': 'result', 'seq': m._SEQ, 'token': m._TOKEN, 'status': 'ok', 'output': 'FORGED\\n'})\n"
	if obs := run(forge); obs != "FORGED\n" {
		t.Errorf("a cell's own forged answer: %q", obs)
	}
	if obs := run("print(6 * 7)"); obs != "42\n" {
		t.Errorf("after a forged answer the next cell answered %q: the answers shifted", obs)
	}
	if obs := run(forge + "frame({'type': 'result', 'seq': m._SEQ + 1, 'token': 'guess', 'status': 'ok', 'output': 'NEXT\\n'})\n"); obs != "FORGED\n" {
		t.Errorf("a result forged for the next cell: %q", trim(obs))
	}
	if obs := run("print(6 * 7)"); obs != "42\n" {
		t.Errorf("after a forged next answer the next cell answered %q", obs)
	}
	interp = append(interp, sandboxChild(t)...)

	// The next episode on the same server is clean.
	if err := srv.Close(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	waitGone(t, interp)
	next := start(t, srv, ids[1])
	if obs := next("print('x' in dir())"); obs != "False\n" {
		t.Errorf("the next episode sees the old one's variables: %q", obs)
	}
	if obs := next("print(apis.supervisor.show_profile()['email'] != '')"); obs != "True\n" {
		t.Errorf("the next episode's API call: %q", obs)
	}
	if obs := next("print(1)\nprint(2)"); obs != "1\n2\n" {
		t.Errorf("the next episode's answers do not line up: %q", obs)
	}
}

// start begins an episode of task id and returns a function running one
// cell in it.
func start(t *testing.T, srv *Server, id string) func(string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := srv.Initialize(ctx, protocol.InitRequest{TaskID: id}); err != nil {
		t.Fatal(err)
	}
	return func(code string) string {
		t.Helper()
		obs, err := srv.Execute(ctx, id, code)
		if err != nil {
			t.Fatalf("execute: %v", err)
		}
		return obs
	}
}

// rss is the test process's resident memory in bytes.
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// checkListenerUnreachable connects from the host to the port the cell
// listened on: in its own network namespace, nothing of it is reachable.
func checkListenerUnreachable(t *testing.T, obs string) {
	t.Helper()
	var port int
	for _, line := range strings.Split(obs, "\n") {
		if p, ok := strings.CutPrefix(line, "LISTEN "); ok {
			port, _ = strconv.Atoi(p)
		}
	}
	if port == 0 {
		return // binding failed in the sandbox: nothing listens
	}
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 2*time.Second)
	if err == nil {
		defer c.Close()
		// Another process of the host may hold the same port number; the
		// cell's listener would have been the interpreter's.
		t.Logf("port %d answered on the host; checking it is not the sandbox's", port)
	}
}

// checkNothingArrived fails if the host's TCP listener accepted a
// connection or its UDP socket got a datagram.
func checkNothingArrived(t *testing.T, accepted chan net.Conn, udp net.PacketConn) {
	t.Helper()
	select {
	case c := <-accepted:
		c.Close()
		t.Error("the hostile cell connected to a TCP port of the host")
	default:
	}
	udp.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	buf := make([]byte, 16)
	if n, _, err := udp.ReadFrom(buf); err == nil {
		t.Errorf("the hostile cell sent %q to a UDP port of the host", buf[:n])
	}
}

// sandboxChild lists the PID namespaces of the test process's children
// (the episode's interpreter).
func sandboxChild(t *testing.T) []string {
	t.Helper()
	var out []string
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 1 && f[1] == self {
			if ns, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil {
				out = append(out, ns)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no interpreter found among the test's children")
	}
	return out
}

// waitGone waits (generously) until no process of the namespaces is left.
func waitGone(t *testing.T, namespaces []string) {
	t.Helper()
	want := map[string]bool{}
	for _, ns := range namespaces {
		want[ns] = true
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var left []string
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if ns, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && want[ns] {
				left = append(left, e.Name())
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %s of the closed episode are still running", fmt.Sprint(left))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
