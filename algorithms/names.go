package algorithms

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// registry holds things of one kind by name: algorithms, estimators,
// policy losses, aggregation modes. Entries are added from init; an empty
// or duplicate name panics, and an unknown name is an error that lists
// the known ones.
type registry[T any] struct {
	kind string // "algorithm", "estimator", …, for messages
	mu   sync.RWMutex
	m    map[string]T
}

func newRegistry[T any](kind string) *registry[T] {
	return &registry[T]{kind: kind, m: map[string]T{}}
}

func (r *registry[T]) add(name string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		panic("algorithms: a " + r.kind + " needs a name")
	}
	if _, dup := r.m[name]; dup {
		panic("algorithms: " + r.kind + " " + name + " registered twice")
	}
	r.m[name] = v
}

// names lists the registered names, sorted.
func (r *registry[T]) names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for n := range r.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (r *registry[T]) lookup(name string) (T, error) {
	r.mu.RLock()
	v, ok := r.m[name]
	r.mu.RUnlock()
	if !ok {
		return v, fmt.Errorf("unknown %s %q (known: %s)", r.kind, name, joinNames(r.names()))
	}
	return v, nil
}

func joinNames(names []string) string { return strings.Join(names, ", ") }
