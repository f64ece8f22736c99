package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// openInput opens a command's input file ("-": standard input) so that
// cancelling ctx ends any wait on it: opening a named pipe waits for a
// writer and reading a pipe or a terminal waits for data, and neither
// looks at a context. Both happen on other goroutines; a cancelled wait
// returns ctx's error and leaves its goroutine to finish on its own.
func openInput(ctx context.Context, path string) (io.ReadCloser, error) {
	if path == "-" {
		return &contextReader{ctx: ctx, r: os.Stdin}, nil
	}
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, o.err
		}
		return &contextReader{ctx: ctx, r: o.f, c: o.f}, nil
	case <-ctx.Done():
		go func() { // close the file if the open completes later
			if o := <-done; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, fmt.Errorf("opening %s: %w", path, ctx.Err())
	}
}

// contextReader reads r on another goroutine, so that a Read returns
// ctx's error as soon as ctx is cancelled. The goroutine reads into a
// buffer of its own, never into the caller's.
type contextReader struct {
	ctx     context.Context
	r       io.Reader
	c       io.Closer // closed by Close (nil: nothing to close)
	pending chan readResult
	left    []byte // data read but not yet returned
	err     error  // error of the read that produced left
}

type readResult struct {
	data []byte
	err  error
}

func (cr *contextReader) Read(p []byte) (int, error) {
	if len(cr.left) > 0 || cr.err != nil {
		return cr.drain(p)
	}
	if err := cr.ctx.Err(); err != nil {
		return 0, err
	}
	if cr.pending == nil {
		ch := make(chan readResult, 1)
		buf := make([]byte, max(len(p), 4096))
		go func() {
			n, err := cr.r.Read(buf)
			ch <- readResult{buf[:n], err}
		}()
		cr.pending = ch
	}
	select {
	case res := <-cr.pending:
		cr.pending = nil
		cr.left, cr.err = res.data, res.err
		return cr.drain(p)
	case <-cr.ctx.Done():
		return 0, cr.ctx.Err()
	}
}

// drain returns what the last read produced; its error comes with the
// last of its data.
func (cr *contextReader) drain(p []byte) (int, error) {
	n := copy(p, cr.left)
	cr.left = cr.left[n:]
	if len(cr.left) > 0 {
		return n, nil
	}
	err := cr.err
	cr.err = nil
	return n, err
}

func (cr *contextReader) Close() error {
	if cr.c == nil {
		return nil
	}
	return cr.c.Close()
}
