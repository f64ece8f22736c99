package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// writeSkips writes one JSON line per skip to path.
func writeSkips(path, label string, skips []Skip) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, s := range skips {
		s.Label = label
		line, err := json.Marshal(s)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// readSkips reads the skip files.
func readSkips(paths []string) ([]Skip, error) {
	var all []Skip
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<22)
		for sc.Scan() {
			var s Skip
			if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			all = append(all, s)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// printSummary prints the count of skipped tests and, grouped by reason,
// which tests (and runs) skipped.
func printSummary(w io.Writer, paths []string) error {
	skips, err := readSkips(paths)
	if err != nil {
		return err
	}
	if len(skips) == 0 {
		fmt.Fprintln(w, "skipped tests: none")
		return nil
	}
	byReason := map[string][]string{}
	for _, s := range skips {
		name := s.Package + " " + s.Test
		if s.Label != "" {
			name += " (" + s.Label + ")"
		}
		byReason[s.Reason] = append(byReason[s.Reason], name)
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	fmt.Fprintf(w, "skipped tests: %d, for %d reasons (not checked on this machine):\n", len(skips), len(reasons))
	for _, r := range reasons {
		names := byReason[r]
		sort.Strings(names)
		fmt.Fprintf(w, "  %s\n", r)
		for _, n := range names {
			fmt.Fprintf(w, "    %s\n", n)
		}
	}
	return nil
}
