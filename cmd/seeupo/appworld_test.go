package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestAppWorldTasks(t *testing.T) {
	out, _, err := runCLI(t, "appworld", "tasks", "--split", "dev", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 27 {
		t.Fatalf("%d dev tasks, want 27", len(lines))
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil || row["instruction"] == "" || row["task_id"] == "" {
		t.Fatalf("row %s: %v", lines[0], err)
	}
	if _, _, err := runCLI(t, "appworld", "tasks", "--split", "validation"); err == nil || !strings.Contains(err.Error(), "test_challenge") {
		t.Errorf("unknown split: %v", err)
	}
}

func TestAppWorldAPIs(t *testing.T) {
	out, _, err := runCLI(t, "appworld", "apis")
	if err != nil || !regexp.MustCompile(`\n1[01] apps, [1-4]\d\d APIs\n$`).MatchString(out) {
		t.Fatalf("apis: %v\n%s", err, out)
	}
	doc, _, err := runCLI(t, "appworld", "apis", "--app", "simple_note")
	var entries []map[string]any
	if err != nil || json.Unmarshal([]byte(doc), &entries) != nil || entries[0]["app_name"] != "simple_note" || entries[0]["response_schemas"] == nil {
		t.Fatalf("apis --app simple_note: %v\n%s", err, doc)
	}
}

func TestAppWorldCheck(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, "appworld", "check", "--split", "test_challenge", "--report-dir", dir)
	if err != nil || !strings.Contains(out, "test_challenge     33         11  100.0  100.0        1.500") {
		t.Fatalf("check: %v\n%s", err, out)
	}
	// Every reference solution passes: AppWorld's report says 100.0 for
	// both figures overall.
	if !strings.Contains(out, "test_challenge, as appworld evaluate reports it:\n"+
		"    type     | task_goal_completion | scenario_goal_completion\n"+
		"-------------+----------------------+-------------------------\n"+
		" aggregate   |        100.0         |          100.0          \n") {
		t.Errorf("check prints no official report:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "test_challenge.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Aggregate  map[string]float64 `json:"aggregate"`
		Individual map[string]struct {
			Success    bool `json:"success"`
			Difficulty int  `json:"difficulty"`
		} `json:"individual"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Aggregate["task_goal_completion"] != 100 || rep.Aggregate["scenario_goal_completion"] != 100 || len(rep.Individual) != 33 {
		t.Errorf("test_challenge.json: %s", b)
	}
	for id, ev := range rep.Individual {
		if !ev.Success || ev.Difficulty < 1 || ev.Difficulty > 3 {
			t.Errorf("test_challenge.json: task %s: %+v", id, ev)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "test_challenge.txt")); err != nil {
		t.Error(err)
	}
}

func TestAppWorldServeAndRemoteCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"appworld", "serve", "--addr", "127.0.0.1:0"}, &out, &out) }()
	addr := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	deadline := time.Now().Add(20 * time.Second)
	for addr.FindString(out.String()) == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	url := addr.FindString(out.String())
	if url == "" {
		t.Fatalf("serve did not start: %s", out.String())
	}
	if !strings.Contains(out.String(), "(sandbox: namespaces)") {
		t.Errorf("serve does not name its sandbox mode: %s", out.String())
	}
	res, _, err := runCLI(t, "appworld", "check", "--split", "dev", "--cut", "--url", url)
	if err != nil || !strings.Contains(res, "dev     27          9    0.0    0.0") {
		t.Errorf("check --cut through the server: %v\n%s", err, res)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestAppWorldProbe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	go run(ctx, []string{"appworld", "serve", "--addr", "127.0.0.1:0"}, &out, &out)
	addr := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	deadline := time.Now().Add(20 * time.Second)
	for addr.FindString(out.String()) == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	tasksOut, _, _ := runCLI(t, "appworld", "tasks", "--split", "train")
	id := strings.Fields(tasksOut)[0]
	res, _, err := runCLI(t, "appworld", "probe", "--url", addr.FindString(out.String()), "--task", id)
	if err != nil || !strings.Contains(res, "'name': 'venmo'") || !strings.Contains(res, "task_completed: false") || !strings.Contains(res, `"success":false`) {
		t.Fatalf("probe: %v\n%s", err, res)
	}
}

// TestAppWorldServeRoot starts appworld serve with --root and probes it:
// the probe's experiment keeps the task's state under the root.
func TestAppWorldServeRoot(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := t.TempDir()
	var out lockedBuffer
	go run(ctx, []string{"appworld", "serve", "--addr", "127.0.0.1:0", "--root", root}, &out, &out)
	addr := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	deadline := time.Now().Add(20 * time.Second)
	for addr.FindString(out.String()) == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), filepath.Join(root, "experiments", "outputs")) {
		t.Errorf("serve does not say where the outputs go: %s", out.String())
	}
	tasksOut, _, _ := runCLI(t, "appworld", "tasks", "--split", "train")
	id := strings.Fields(tasksOut)[0]
	if res, _, err := runCLI(t, "appworld", "probe", "--url", addr.FindString(out.String()), "--task", id); err != nil {
		t.Fatalf("probe: %v\n%s", err, res)
	}
	for _, f := range []string{"dbs/world.sqlite", "dbs/completion.json", "logs/environment_io.md"} {
		if _, err := os.Stat(filepath.Join(root, "experiments", "outputs", "seeupo-probe", "tasks", id, f)); err != nil {
			t.Errorf("no %s under the root: %v", f, err)
		}
	}
}

// TestAppWorldServeCutsSlowClients starts appworld serve with a short read
// timeout and sends a request whose body never completes: the server
// closes the connection (a client that drips its body cannot hold it).
func TestAppWorldServeCutsSlowClients(t *testing.T) {
	t.Setenv("SEEUPO_APPWORLD_READ_TIMEOUT_S", "0.5")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"appworld", "serve", "--addr", "127.0.0.1:0"}, &out, &out) }()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for addr.FindString(out.String()) == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	m := addr.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve did not start: %s", out.String())
	}
	conn, err := net.Dial("tcp", m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"task_id\": "); err != nil {
		t.Fatal(err)
	}
	// The server must give up long before this generous deadline.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	rest, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept a connection with an unfinished body open for 30 s (read so far %q)", rest)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestAppWorldSeccomp checks that the printed profile is JSON in Docker's
// format that allows the sandbox's pivot_root and keeps refusing setns.
func TestAppWorldSeccomp(t *testing.T) {
	out, _, err := runCLI(t, "appworld", "seccomp")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		DefaultAction string `json:"defaultAction"`
		Syscalls      []struct {
			Names    []string       `json:"names"`
			Action   string         `json:"action"`
			Includes map[string]any `json:"includes"`
		} `json:"syscalls"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.DefaultAction != "SCMP_ACT_ERRNO" {
		t.Fatalf("appworld seccomp: %v; default action %q\n%.300s", err, p.DefaultAction, out)
	}
	allowed := map[string]bool{}
	for _, r := range p.Syscalls {
		for _, n := range r.Names {
			allowed[n] = allowed[n] || (r.Action == "SCMP_ACT_ALLOW" && r.Includes == nil)
		}
	}
	if !allowed["pivot_root"] || !allowed["mount"] || allowed["setns"] || allowed["unshare"] {
		t.Errorf("allowed without a capability: pivot_root %v mount %v setns %v unshare %v; want true true false false",
			allowed["pivot_root"], allowed["mount"], allowed["setns"], allowed["unshare"])
	}
}
