package bfcl

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// InferenceError is a policy's failure to answer (a server error, a
// request the model cannot take, a reply that cannot be read). As
// upstream's generation does, such an entry is recorded with the error as
// its result and generation goes on; evaluate then scores it as a failed
// inference (or, in the irrelevance categories, as no call made).
type InferenceError struct{ Err error }

func (e *InferenceError) Error() string { return e.Err.Error() }

func (e *InferenceError) Unwrap() error { return e.Err }

// respond asks the responder, marking its errors as inference errors.
func respond(ctx context.Context, r Responder, msgs []ChatMessage, tools []env.Tool) (Response, error) {
	resp, err := r.Respond(ctx, msgs, tools)
	if err != nil && ctx.Err() == nil {
		return resp, &InferenceError{Err: err}
	}
	return resp, err
}

// inferenceErrorResult is upstream's record of an entry whose inference
// failed: {"id", "result": "Error during inference: <error>", "traceback"}.
// It returns nil when err is not an inference error (the caller stops).
func inferenceErrorResult(e *py.Dict, err error, log io.Writer) *py.Dict {
	var ie *InferenceError
	if !errors.As(err, &ie) {
		return nil
	}
	id, _ := dictString(e, "id")
	if log != nil {
		fmt.Fprintf(log, "%s: error during inference, recorded as its result; generation goes on: %v\n", id, ie.Err)
	}
	return py.NewDict().With("id", py.Str(id)).
		With("result", py.Str("Error during inference: "+ie.Err.Error())).
		With("traceback", py.Str(err.Error()))
}
