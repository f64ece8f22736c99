package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent).
type event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// Skip is one skipped test and the reason it logged.
type Skip struct {
	Label   string `json:"label,omitempty"`
	Package string `json:"package"`
	Test    string `json:"test"`
	Reason  string `json:"reason"`
}

// result is what a stream amounts to.
type result struct {
	Failed bool
	Skips  []Skip
}

// reader folds the events of a stream, printing as `go test` would.
type reader struct {
	out    io.Writer
	output map[string][]string // package + "\x00" + test → output lines
	res    result
}

// readStream prints the stream's package lines and failures to out and
// returns its skips and whether anything failed. Lines that are not JSON
// (build errors printed by the go command) are copied through.
func readStream(in io.Reader, out io.Writer) (result, error) {
	r := &reader{out: out, output: map[string][]string{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		r.handle(ev)
	}
	return r.res, sc.Err()
}

func (r *reader) handle(ev event) {
	key := ev.Package + "\x00" + ev.Test
	switch ev.Action {
	case "output":
		if ev.Test != "" {
			r.output[key] = append(r.output[key], ev.Output)
		} else if ev.Output != "PASS\n" && ev.Output != "FAIL\n" {
			fmt.Fprint(r.out, ev.Output) // ok, FAIL and [no test files] lines
		}
	case "build-output":
		fmt.Fprint(r.out, ev.Output) // compiler errors, as go test prints them
	case "build-fail":
		r.res.Failed = true
	case "pass":
		delete(r.output, key)
	case "skip":
		if ev.Test != "" {
			r.res.Skips = append(r.res.Skips, Skip{Package: ev.Package, Test: ev.Test, Reason: skipReason(r.output[key])})
		}
		delete(r.output, key)
	case "fail":
		r.res.Failed = true
		r.flush(key)
		if ev.Test == "" {
			// Tests that never ended (a timeout's panic, a crash).
			for _, k := range slices.Sorted(maps.Keys(r.output)) {
				if strings.HasPrefix(k, ev.Package+"\x00") {
					r.flush(k)
				}
			}
		}
	}
}

// flush prints and forgets the output kept under key, without the
// framework's === lines.
func (r *reader) flush(key string) {
	for _, l := range r.output[key] {
		if !strings.HasPrefix(l, "=== ") {
			fmt.Fprint(r.out, l)
		}
	}
	delete(r.output, key)
}

// skipReason is the message a skipped test logged: its output without the
// framework's === and --- lines, on one line.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}
