package env

// Sized is an optional capability of a Suite whose environments hold
// notable memory: InstanceBytes is what one live environment holds, as
// measured (0: negligible). A server sizes its default instance limit
// from it.
type Sized interface {
	InstanceBytes() int64
}

// DefaultInstanceBytes is assumed for a suite that does not say: a
// generous bound for an in-process episode (a BFCL episode holds about
// 10 KB).
const DefaultInstanceBytes = 1 << 20

// DefaultMaxInstances is the most live instances a server of these
// suites may hold: half of memBytes (the machine's available memory)
// divided by the largest per-instance cost, between 1 and 1024. With
// memBytes 0 (unknown) it is 1024.
func DefaultMaxInstances(suites []Suite, memBytes uint64) (limit int, perInstance int64) {
	perInstance = DefaultInstanceBytes
	for _, s := range suites {
		if z, ok := s.(Sized); ok {
			perInstance = max(perInstance, z.InstanceBytes())
		}
	}
	if memBytes == 0 {
		return maxDefaultInstances, perInstance
	}
	n := memBytes / 2 / uint64(perInstance)
	return int(min(max(n, 1), maxDefaultInstances)), perInstance
}

// maxDefaultInstances caps the default instance limit.
const maxDefaultInstances = 1024
