// Command testreport reads the event stream of `go test -json` and prints
// what a plain `go test` prints (one line per package, the output of failed
// tests), then keeps the tests that were skipped, with the reasons they
// gave, so that `make test` can end with a summary of what was not checked.
//
//	go test -json ./... | go run ./internal/testreport -label unit -skips bin/testlog/unit.skips
//	go run ./internal/testreport -summary bin/testlog/*.skips
//
// With a stream it exits with status 1 when a test or a package failed.
// It is used by the Makefile only.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	label := flag.String("label", "", "name of this run in the skip summary")
	skips := flag.String("skips", "", "file the skipped tests of the stream are written to")
	summary := flag.Bool("summary", false, "print the skip summary of the given skip files")
	flag.Parse()
	if *summary {
		if err := printSummary(os.Stdout, flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
		return
	}
	os.Exit(runStream(os.Stdin, os.Stdout, *label, *skips))
}

// runStream reads a `go test -json` stream, prints it, writes its skips
// and returns the exit status.
func runStream(in io.Reader, out io.Writer, label, skipsPath string) int {
	r, err := readStream(in, out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		return 2
	}
	if skipsPath != "" {
		if err := writeSkips(skipsPath, label, r.Skips); err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			return 2
		}
	}
	if r.Failed {
		return 1
	}
	return 0
}
