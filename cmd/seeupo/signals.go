package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// The process's answer to SIGINT and SIGTERM: the first one cancels the
// command's context, so it stops at its next safe point (training between
// steps, keeping its last complete checkpoint) and the process exits with
// 128 + the signal's number after saying how to go on; a second one exits
// at once with the same status.

// interruption is the cancellation cause of a command stopped by a signal.
type interruption struct{ sig os.Signal }

func (i interruption) Error() string { return "interrupted by " + signalName(i.sig) }

// exitStatus is the shell's status for a process ended by sig: 128 + its
// number (130 for SIGINT, 143 for SIGTERM).
func (i interruption) exitStatus() int { return signalExitStatus(i.sig) }

func signalExitStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// stallAfterInterrupt, set only in test builds (go build -ldflags
// "-X main.stallAfterInterrupt=1"), makes the process hang after a
// graceful stop, so a test can show that a second signal still ends it.
var stallAfterInterrupt string

// withSignals returns a context that the first SIGINT or SIGTERM cancels
// with an interruption as its cause; a second signal exits the process at
// once. Messages go to stderr.
func withSignals(parent context.Context, stderr io.Writer) context.Context {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		first := <-sigs
		fmt.Fprintf(stderr, "\nseeupo: %s received: stopping at the next safe point (send it again to exit at once)\n",
			signalName(first))
		cancel(interruption{first})
		second := <-sigs
		fmt.Fprintf(stderr, "seeupo: %s received again: exiting at once\n", signalName(second))
		os.Exit(signalExitStatus(second))
	}()
	return ctx
}

// exitStatus reports how the command ended on stderr and returns the
// process's exit status: 0 on success, 1 on an error, and 128 + the
// signal's number when a signal stopped the command.
func exitStatus(ctx context.Context, err error, stderr io.Writer) int {
	var intr interruption
	if err == nil {
		return 0
	}
	if !errors.As(context.Cause(ctx), &intr) {
		fmt.Fprintln(stderr, "seeupo:", err)
		return 1
	}
	if !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "seeupo:", err) // a failure of its own while stopping
	}
	fmt.Fprintln(stderr, "seeupo: "+interruptedMessage(intr, err))
	if stallAfterInterrupt != "" {
		fmt.Fprintln(stderr, "seeupo: stalling after the interruption (test build)")
		for {
			time.Sleep(time.Hour)
		}
	}
	return intr.exitStatus()
}

// interruptedMessage says what stopped the command, what it kept and how
// to continue.
func interruptedMessage(intr interruption, err error) string {
	msg := "interrupted by " + signalName(intr.sig)
	var st *stoppedError
	if errors.As(err, &st) {
		if st.kept != "" {
			msg += "; " + st.kept
		}
		if st.resume != "" {
			msg += "; resume with: " + st.resume
		}
	}
	return msg
}

// stoppedError is a command's error after its context was cancelled,
// with what the command kept and the command line that continues it.
type stoppedError struct {
	err    error
	kept   string // e.g. "run directory runs/x (last checkpoint: step 4)"
	resume string // a command line, or ""
}

func (e *stoppedError) Error() string {
	msg := e.err.Error()
	if e.kept != "" {
		msg += "; " + e.kept
	}
	if e.resume != "" {
		msg += "; resume with: " + e.resume
	}
	return msg
}

func (e *stoppedError) Unwrap() error { return e.err }

// stopped wraps err, when ctx was cancelled, with what was kept and how to
// resume; other errors are returned as they are.
func stopped(ctx context.Context, err error, kept, resume string) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	return &stoppedError{err: err, kept: kept, resume: resume}
}

// commandLine is "seeupo" and args as a shell would need them typed, with
// extra appended unless already present.
func commandLine(args []string, extra ...string) string {
	parts := []string{"seeupo"}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	for _, e := range extra {
		if !slices.Contains(args, e) {
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes an argument for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
