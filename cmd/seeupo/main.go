// Command seeupo is the command-line interface of the seeupo benchmark
// harness: it trains and evaluates agents with SeeUPO and its baselines,
// runs the benchmark suites, serves environments and writes reports.
//
// main only wires the process to run, so that every command is tested
// in-process; signals.go says how SIGINT and SIGTERM stop a command.
package main

import (
	"context"
	"os"
)

func main() {
	ctx := withSignals(context.Background(), os.Stderr)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(exitStatus(ctx, err, os.Stderr))
}
