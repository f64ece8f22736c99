// Package throughput is the throughput suite behind `seeupo bench kernels`:
// matmul GFLOP/s of this binary's kernels build and of the other build
// against the machine's peak, training and generation throughput of a
// native model preset, and the same network in PyTorch, timed in the same
// run in the strongest set-up a short search finds. Run measures; the CLI
// only parses flags and prints the Result.
//
// Performance figures are measurements of the machine they ran on; the
// package's tests check shapes and the set-up search, never speeds.
package throughput
