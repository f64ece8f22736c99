package env

import (
	"fmt"
	"math"
	"runtime/debug"
)

// GCSetting is how a process's Go garbage collector runs: the heap may
// grow by Percent of the live heap before a collection (Go's GOGC), and a
// collection also starts when the heap nears Limit bytes (Go's
// GOMEMLIMIT; 0 for none).
type GCSetting struct {
	Percent int
	Limit   int64
}

// DefaultServerGCPercent is env.server.gc_percent's default: an env
// server keeps little alive (the suites' data and its open episodes) and
// makes much short-lived garbage (each episode's instances, each call's
// output), so letting the heap grow to nine times the live heap trades
// memory it has for a tenth of the collections.
const DefaultServerGCPercent = 800

// ServerGC is the collector setting of a process that serves
// environments: percent as given (env.server.gc_percent), capped by a
// soft memory limit of half of budget, the memory the process
// may use (its container's limit or the machine's memory; 0 when unknown
// leaves no limit). Near the limit the collector runs as often as it must
// to stay below it.
func ServerGC(percent int, budget uint64) GCSetting {
	s := GCSetting{Percent: percent}
	if budget > 0 {
		s.Limit = int64(min(budget/2, math.MaxInt64))
	}
	return s
}

// Apply sets the process's collector to s and returns the setting it
// replaced, for Apply to restore.
func (s GCSetting) Apply() GCSetting {
	limit := s.Limit
	if limit <= 0 {
		limit = math.MaxInt64
	}
	prev := GCSetting{Percent: debug.SetGCPercent(s.Percent), Limit: debug.SetMemoryLimit(limit)}
	if prev.Limit == math.MaxInt64 {
		prev.Limit = 0
	}
	return prev
}

// String describes s as GOGC and GOMEMLIMIT would.
func (s GCSetting) String() string {
	if s.Limit <= 0 {
		return fmt.Sprintf("GC percent %d, no memory limit", s.Percent)
	}
	return fmt.Sprintf("GC percent %d, soft memory limit %d MiB", s.Percent, s.Limit>>20)
}
