package bfcl

import (
	"context"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
)

// tooLarge is how the output of a call that builds too much begins.
const tooLarge = errorPrefix + "value too large: the values one call builds may hold at most 4194304 items"

// bombCall is a call of about 100 bytes whose argument expands to a
// gigabyte when rendered.
const bombCall = "echo(content=[[['A'*1024]*1024]*1024])"

func fileSystemExecutor(t *testing.T) *Executor {
	t.Helper()
	ex, err := NewExecutor(ExecutorConfig{Classes: []string{"GorillaFileSystem", "MathAPI"}, ModelName: "m", EntryID: "e"})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestOversizedValuesArePerCallErrors runs calls whose arguments build
// more than a call may, each followed by an ordinary call: the first gets
// the size error as its output, the second its usual output.
func TestOversizedValuesArePerCallErrors(t *testing.T) {
	ex := fileSystemExecutor(t)
	for _, call := range []string{
		bombCall,
		"mkdir(dir_name=[[['A'*1024]*1024]*1024])",
		"echo(content=[['A'*1024]*1024]*8)",
		"echo(content=(('A'*1024,)*1024,)*8)",
		"echo(content={'k': [['A'*1024]*1024]*8})",
		"echo(content=[['A'*1024]*1024]+[['B'*1024]*1024]+[['C'*1024]*1024]+[['D'*1024]*1024])",
		"echo(content=['A'*1000000, 'A'*1000000, 'A'*1000000, 'A'*1000000, 'A'*1000000])",
		"mean(numbers=[[0]*1000000, [0]*1000000, [0]*1000000, [0]*1000000, [0]*1000000])",
	} {
		if got := ex.ExecuteOne(call); !strings.HasPrefix(got, tooLarge) {
			t.Errorf("%s: output %.200q, want it to start with %q", call, got, tooLarge)
		}
		if got := ex.ExecuteOne("add(a=1, b=2)"); got != `{"result": 3}` {
			t.Errorf("after %s: add(a=1, b=2) = %.200q", call, got)
		}
	}
}

// TestLargeValuesWithinTheBudgetWork shows the bound is far above what a
// call needs: a megabyte of content is written and read back.
func TestLargeValuesWithinTheBudgetWork(t *testing.T) {
	ex := fileSystemExecutor(t)
	for _, call := range []string{"touch(file_name='big.txt')", "echo(content='ab'*500000, file_name='big.txt')"} {
		if got := ex.ExecuteOne(call); got != "None" {
			t.Fatalf("%s: %.200q", call, got)
		}
	}
	if got := ex.ExecuteOne("wc(file_name='big.txt', mode='c')"); got != `{"count": 1000000, "type": "characters"}` {
		t.Fatalf("wc: %.200q", got)
	}
}

// TestDecodeKeepsOversizedArgumentAsExpression decodes a reply holding the
// oversized call: the argument stays an expression (not a rendered
// gigabyte), so that executing it gives the per-call error.
func TestDecodeKeepsOversizedArgumentAsExpression(t *testing.T) {
	calls, err := DecodeExecute("[" + bombCall + ", ls()]")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"echo(content=[[['A' * 1024] * 1024] * 1024])", "ls()"}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("decoded %.300q, want %q", calls, want)
	}
}

// TestEnvOversizedCallIsAnObservation steps an episode with a reply whose
// first call is oversized: the observation carries that call's error and
// the next call's output, and the episode goes on.
func TestEnvOversizedCallIsAnObservation(t *testing.T) {
	d := loadDataset(t)
	ctx := context.Background()
	ev, err := NewSuite(d, SuiteOptions{}).NewEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Reset(ctx, env.Task{ID: "multi_turn_base_0"}); err != nil {
		t.Fatal(err)
	}
	res, err := ev.Step(ctx, "["+bombCall+", pwd()]")
	if err != nil {
		t.Fatal(err)
	}
	outs, _ := res.Info["outputs"].([]string)
	if len(outs) != 2 || !strings.HasPrefix(outs[0], tooLarge) || !strings.Contains(outs[1], "current_working_directory") {
		t.Fatalf("outputs %.300q", outs)
	}
	if len(res.Messages) != 1 || !strings.Contains(res.Messages[0].Content, "value too large") {
		t.Fatalf("observation %.300q", res.Messages)
	}
	if _, err := ev.Step(ctx, "[pwd()]"); err != nil {
		t.Fatalf("next step: %v", err)
	}
}
