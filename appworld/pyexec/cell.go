package pyexec

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// interruptGrace is how long an interrupted cell has to answer before its
// interpreter is replaced.
const interruptGrace = 2 * time.Second

// Run executes one cell.
func (p *Interpreter) Run(ctx context.Context, code string) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.proc == nil {
		return Result{}, errors.New("pyexec: interpreter is closed")
	}
	p.seq++
	c := cell{seq: p.seq, token: newToken(), deadline: time.Now().Add(p.cfg.Timeout)}
	if err := p.proc.send(frame{Type: "run", Seq: c.seq, Token: c.token, Code: code}, c.deadline); err != nil {
		return p.recover(ctx, Crashed, "")
	}
	return p.collect(ctx, c)
}

// cell is the run in progress: its frames must carry seq and token.
type cell struct {
	seq      uint64
	token    string
	deadline time.Time
}

func (c cell) owns(f frame) bool { return f.Seq == c.seq && f.Token == c.token }

// collect answers the cell's API calls until its result comes; on timeout
// or cancellation it interrupts the cell, and replaces the interpreter if
// the cell does not stop within interruptGrace.
func (p *Interpreter) collect(ctx context.Context, c cell) (Result, error) {
	timer := time.NewTimer(time.Until(c.deadline))
	defer timer.Stop()
	done := ctx.Done()
	interrupted := false
	for {
		select {
		case fe := <-p.proc.frames:
			if res, final, err := p.handle(ctx, c, fe, interrupted); final {
				return res, err
			}
			continue
		case <-done:
		case <-timer.C:
		}
		if interrupted { // the grace period passed too
			res, err := p.recover(context.WithoutCancel(ctx), TimedOut, "")
			if err == nil {
				err = ctx.Err()
			}
			return res, err
		}
		interrupted, done = true, nil
		p.proc.cmd.Process.Signal(syscall.SIGINT)
		timer.Reset(interruptGrace)
	}
}

// handle takes one frame of the running cell; final says the cell ended.
func (p *Interpreter) handle(ctx context.Context, c cell, fe frameOrErr, interrupted bool) (Result, bool, error) {
	if fe.err != nil {
		var bad errChannel
		if errors.As(fe.err, &bad) {
			res, err := p.recover(ctx, Broken, bad.reason)
			return res, true, err
		}
		res, err := p.recover(ctx, Crashed, "")
		return res, true, err
	}
	f := fe.f
	switch {
	case f.Type == "call" && c.owns(f):
		if err := p.answer(ctx, f, c.deadline.Add(interruptGrace)); err != nil {
			res, err := p.recover(ctx, Crashed, "")
			return res, true, err
		}
		return Result{}, false, nil
	case f.Type == "result" && c.owns(f):
		p.proc.endCell()
		if interrupted {
			return Result{Status: TimedOut, Output: f.Output}, true, ctx.Err()
		}
		return Result{Status: Status(f.Status), Output: f.Output, Failure: f.Failure}, true, nil
	case f.Type == "call" || f.Type == "result":
		// Not this cell's: the late answer of an earlier, interrupted
		// cell, or a forgery. It is never taken as an answer.
		return Result{}, false, nil
	}
	res, err := p.recover(ctx, Broken, fmt.Sprintf("a frame of unknown type %.40q", f.Type))
	return res, true, err
}

// answer makes one API call for the cell and sends the answer.
func (p *Interpreter) answer(ctx context.Context, f frame, deadline time.Time) error {
	status, body := 503, []byte(`{"message":"No API is attached to this interpreter."}`)
	if p.cfg.API != nil {
		status, body = p.cfg.API(ctx, f.App, f.API, f.Args)
	}
	return p.proc.send(frame{Type: "answer", HTTPStatus: status, Body: string(body)}, deadline)
}

// recover kills the interpreter and attaches a fresh one.
func (p *Interpreter) recover(ctx context.Context, st Status, failure string) (Result, error) {
	p.proc.kill()
	p.proc = nil
	if err := p.attach(ctx); err != nil {
		return Result{}, err
	}
	return Result{Status: st, Failure: failure, Restarted: true}, nil
}

// Close stops the interpreter and everything it started; it does not wait
// for them and is safe to call twice.
func (p *Interpreter) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.proc != nil {
		p.proc.kill()
		p.proc = nil
	}
	return nil
}
