// Package benchmarks defines the suites of experiments: which algorithms
// are compared, on which tasks, with which seeds, as YAML presets
// (presets/quick.yaml, presets/paper.yaml) plus the code that expands them
// into runs, one task family after another (bfcl_gen, and appworld where
// the suite enables it), each from its own warm start on the
// environments' demonstrations, which the harness trains
// (harness.WarmStart); and the theory suite (bandit environments
// on tabular policies). The throughput suite of `seeupo bench kernels`
// lives in the subpackage throughput.
//
// It may import harness and its leaves (harness/env, harness/config,
// harness/metrics, harness/progress, harness/sysinfo), algorithms,
// policy (its models only through policy/models), kernels (the throughput
// suite's matmuls), and the environments' root packages bfcl and appworld
// (not their subpackages); internal/layers checks it.
package benchmarks
