//go:build unix

package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A regular file reads the same through openInput, even with reads
// smaller than the helper's own.
func TestOpenInputReadsFile(t *testing.T) {
	want := strings.Repeat("line of input\n", 1000)
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := openInput(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got, err := io.ReadAll(bufio.NewReaderSize(in, 16))
	if err != nil || string(got) != want {
		t.Fatalf("read %d bytes (want %d), %v", len(got), len(want), err)
	}
}

// Cancelling ends a wait for a named pipe's writer and a wait for its data.
func TestOpenInputEndsWaitsOnCancel(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// No writer: the open waits until ctx is cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	opened := make(chan error, 1)
	go func() {
		_, err := openInput(ctx, fifo)
		opened <- err
	}()
	cancel()
	if err := waitErr(t, opened); !errors.Is(err, context.Canceled) {
		t.Fatalf("open of a pipe without a writer after cancel: %v", err)
	}
	// Release the abandoned open, which then closes its file.
	releaseFIFO(t, fifo)

	// A writer that sends one line and then nothing: the line arrives,
	// then the read waits until ctx is cancelled.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	opened2 := make(chan io.ReadCloser, 1)
	go func() {
		in, err := openInput(ctx, fifo)
		if err != nil {
			t.Error(err)
		}
		opened2 <- in
	}()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	in := <-opened2
	if in == nil {
		t.FailNow()
	}
	defer in.Close()
	w.WriteString("first\n")
	r := bufio.NewReader(in)
	if line, err := r.ReadString('\n'); line != "first\n" || err != nil {
		t.Fatalf("first line %q, %v", line, err)
	}
	read := make(chan error, 1)
	go func() {
		_, err := r.ReadString('\n')
		read <- err
	}()
	cancel()
	if err := waitErr(t, read); !errors.Is(err, context.Canceled) {
		t.Fatalf("read of a silent pipe after cancel: %v", err)
	}
}

// waitErr waits for an error on ch; a generous deadline keeps a broken
// implementation from hanging the test run.
func waitErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(time.Minute):
		t.Fatal("still waiting a minute after cancel")
		return nil
	}
}

// releaseFIFO opens and closes the pipe's write end, so a reader blocked
// in its open goes on.
func releaseFIFO(t *testing.T, fifo string) {
	for range 100 {
		fd, err := unix.Open(fifo, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
