package config

import (
	"fmt"
	"sort"
	"strings"
)

// otherEnv are the SEEUPO_* variables read outside the configuration: by
// tests and the tools they start.
var otherEnv = []string{
	"SEEUPO_BFCL_UPSTREAM", // a checkout of upstream BFCL for the differential tests
	"SEEUPO_TORCH_OPTIONS", // options of the PyTorch reference benchmark script
}

// KnownEnv lists every SEEUPO_* variable the project reads, sorted: one per
// setting, the aliases (SEEUPO_DATA) and those of the tests and tools.
func KnownEnv() []string {
	names := append([]string(nil), otherEnv...)
	for _, key := range Keys() {
		names = append(names, envNames(key)...)
	}
	sort.Strings(names)
	return names
}

// checkEnviron reports SEEUPO_* variables of environ (KEY=VALUE entries)
// that name no setting, with the closest known name, and settings' variables
// that are set but empty (which would otherwise fall back to the default
// unnoticed).
func checkEnviron(s *schema, environ []string) []error {
	known := map[string]bool{}
	for _, n := range otherEnv {
		known[n] = true
	}
	setting := map[string]field{}
	for _, f := range s.leaves {
		for _, n := range envNames(f.Key) {
			known[n] = true
			setting[n] = f
		}
	}
	var errs []error
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "SEEUPO_") {
			continue
		}
		if !known[name] {
			errs = append(errs, unknownEnv(name))
			continue
		}
		if f, ok := setting[name]; ok && value == "" {
			errs = append(errs, fmt.Errorf("environment variable %s is set but empty; give it a value (setting %q: %s) or unset it",
				name, f.Key, f.describe()))
		}
	}
	return errs
}

// unknownEnv is the error for a SEEUPO_* variable that names no setting.
func unknownEnv(name string) error {
	names := KnownEnv()
	best, bestDist := "", 4 // suggest only names within three edits
	for _, n := range names {
		if d := editDistance(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best != "" {
		return fmt.Errorf("environment variable %s is not a setting; did you mean %s? (unset it if it is not for seeupo)", name, best)
	}
	return fmt.Errorf("environment variable %s is not a setting; known variables: %s", name, strings.Join(names, ", "))
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
