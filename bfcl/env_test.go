package bfcl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/harness/env"
)

// keywordForm rewrites a ground-truth call with positional arguments into
// keyword form (the decoder keeps keyword arguments only, as upstream).
func keywordForm(t testing.TB, call string) string {
	x, err := ParseExpr(call, "<string>")
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	c := x.(*Call)
	name := c.Func.(*Name).ID
	var params []backend.Param
	for _, cn := range backend.Names() {
		cl, _ := backend.Lookup(cn)
		if m := cl.Method(name); m != nil {
			params = m.Params
		}
	}
	var parts []string
	for i, a := range c.Args {
		parts = append(parts, params[i].Name+"="+Unparse(a))
	}
	for _, k := range c.Keywords {
		parts = append(parts, k.Name+"="+Unparse(k.Value))
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}

func registered(e *Entry) bool {
	for _, c := range e.InvolvedClasses {
		if _, err := backend.Lookup(c); err != nil {
			return false
		}
	}
	return true
}

// TestEnvGroundTruthEpisodes plays every entry's ground truth through the
// suite's Env (one reply per turn, then a reply without calls) and expects
// the tool outputs of the direct executor and a successful evaluation.
func TestEnvGroundTruthEpisodes(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	ctx := context.Background()
	played, ok := 0, 0
	for _, e := range d.All() {
		if !registered(e) {
			continue
		}
		played++
		ev, _ := suite.NewEnv(ctx)
		msgs, err := ev.Reset(ctx, env.Task{ID: e.ID})
		if err != nil {
			t.Fatal(err)
		}
		if msgs[0].Role != "system" || !strings.Contains(msgs[0].Content, "Here is a list of functions in json format") {
			t.Fatalf("%s: first message is not the system prompt: %.200q", e.ID, msgs[0].Content)
		}
		direct, _ := d.NewExecutor(e, "", nil)
		for ti, calls := range e.GroundTruth {
			if len(calls) > 0 {
				kw := make([]string, len(calls))
				for i, c := range calls {
					kw[i] = keywordForm(t, c)
				}
				res, err := ev.Step(ctx, "["+strings.Join(kw, ", ")+"]")
				if err != nil {
					t.Fatal(err)
				}
				want := ToolResultsMessage(kw, direct.Execute(calls))
				if len(res.Messages) != 1 || res.Messages[0].Content != want {
					t.Errorf("%s turn %d: observation\n got %.300q\nwant %.300q", e.ID, ti, res.Messages, want)
				}
			}
			res, err := ev.Step(ctx, "Done.")
			if err != nil {
				t.Fatal(err)
			}
			if res.Done != (ti == len(e.GroundTruth)-1) {
				t.Fatalf("%s turn %d: done = %v", e.ID, ti, res.Done)
			}
		}
		r, err := ev.Evaluate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Success {
			ok++
		} else {
			var det EvalDetails
			_ = json.Unmarshal(r.Details, &det)
			t.Errorf("%s: not solved: %+v", e.ID, det.Result)
		}
	}
	t.Logf("ground truth through the Env: %d/%d solved (entries whose classes are all registered)", ok, played)
}

func TestEnvForceQuitAndSplits(t *testing.T) {
	d := loadDataset(t)
	s, err := env.Open(SuiteName, env.Options{DataDir: filepath.Dir(d.Dir), Params: map[string]string{"category": "base", "prompt": "compact"}})
	if err != nil {
		t.Fatal(err)
	}
	train, _ := s.Tasks(SplitTrain)
	test, _ := s.Tasks(SplitTest)
	all, _ := s.Tasks(SplitAll)
	if len(train)+len(test) != len(all) || len(all) != 200 || len(train) == 0 {
		t.Fatalf("split sizes train %d test %d all %d", len(train), len(test), len(all))
	}
	if _, err := s.Tasks("dev"); err == nil || !strings.Contains(err.Error(), "train, test, all") {
		t.Fatalf("unknown split error: %v", err)
	}
	ev, _ := s.NewEnv(context.Background())
	msgs, err := ev.Reset(context.Background(), env.Task{ID: "multi_turn_base_0"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Content, "- cd(folder: string): Change the current working directory") {
		t.Fatalf("compact prompt: %.400s", msgs[0].Content)
	}
	var res env.StepResult
	steps := 0
	for !res.Done {
		if res, err = ev.Step(context.Background(), "[pwd()]"); err != nil {
			t.Fatal(err)
		}
		steps++
	}
	if steps != MaxSteps+1 {
		t.Fatalf("force quit after %d steps, want %d", steps, MaxSteps+1)
	}
	r, _ := ev.Evaluate(context.Background())
	var det EvalDetails
	_ = json.Unmarshal(r.Details, &det)
	if r.Success || det.Result.ErrorType != ErrForceTerminated {
		t.Fatalf("force-quit evaluation = %+v", det.Result)
	}
	if _, err := env.Open(SuiteName, env.Options{DataDir: filepath.Dir(d.Dir), Params: map[string]string{"prompt": "fancy"}}); err == nil ||
		!strings.Contains(err.Error(), "allowed: official, compact") {
		t.Fatalf("bad prompt param error: %v", err)
	}
}

var updatePrompts = flag.Bool("update-prompts", false,
	"regenerate testdata/prompt_digests.json with testdata/gen_prompt_digests.py and the upstream checkout in SEEUPO_BFCL_UPSTREAM")

// promptDigests is testdata/prompt_digests.json: what upstream's own
// functions render for an entry, made by testdata/gen_prompt_digests.py.
type promptDigests struct {
	Entry          string `json:"entry"`
	HandoutTurn    int    `json:"handout_turn"`
	SystemPrompt   digest `json:"system_prompt"`
	HandoutMessage digest `json:"handout_message"`
}

type digest struct {
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// readPromptDigests reads the expectations, regenerating them first with
// -update-prompts.
func readPromptDigests(t *testing.T, dataDir string) promptDigests {
	t.Helper()
	path := filepath.Join("testdata", "prompt_digests.json")
	if *updatePrompts {
		root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
		if root == "" {
			t.Fatal("-update-prompts needs SEEUPO_BFCL_UPSTREAM: a checkout of ShishirPatil/gorilla at 6ea5797")
		}
		out, err := exec.Command("python3", filepath.Join("testdata", "gen_prompt_digests.py"), root, dataDir).Output()
		if err != nil {
			t.Fatalf("python3 testdata/gen_prompt_digests.py: %v", err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p promptDigests
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Entry == "" || len(p.SystemPrompt.SHA256) != 64 || len(p.HandoutMessage.SHA256) != 64 {
		t.Fatalf("%s is incomplete: %+v", path, p)
	}
	return p
}

// The official system prompt and the miss_func hand-out message are
// byte-identical to what upstream's functions render (the digests come from
// testdata/gen_prompt_digests.py, which runs upstream's code).
func TestOfficialPromptMatchesUpstream(t *testing.T) {
	d := loadDataset(t)
	want := readPromptDigests(t, d.Dir)
	e, ok := d.Entry(want.Entry)
	if !ok {
		t.Fatalf("no entry %s", want.Entry)
	}
	sys, err := SystemPrompt(d.Functions(e, false), PromptOfficial)
	if err != nil {
		t.Fatal(err)
	}
	if got := sha(sys); got != want.SystemPrompt.SHA256 || len(sys) != want.SystemPrompt.Bytes {
		t.Errorf("system prompt sha256 %s, %d bytes; want %s, %d bytes", got, len(sys), want.SystemPrompt.SHA256, want.SystemPrompt.Bytes)
	}
	ho := HandOutMessage(d.HandedOut(e, want.HandoutTurn), PromptOfficial)
	if got := sha(ho); got != want.HandoutMessage.SHA256 || len(ho) != want.HandoutMessage.Bytes {
		t.Errorf("hand-out message sha256 %s, %d bytes; want %s, %d bytes: %s", got, len(ho), want.HandoutMessage.SHA256, want.HandoutMessage.Bytes, ho)
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Episodes of one suite run concurrently (the suite is shared, each Env is
// owned by one goroutine); run with -race.
func TestEnvConcurrentEpisodes(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	ids := []string{"multi_turn_base_0", "multi_turn_long_context_0", "multi_turn_base_150", "multi_turn_long_context_150", "multi_turn_miss_func_60", "multi_turn_base_100"}
	errs := make(chan error, len(ids)*2)
	for rep := 0; rep < 2; rep++ {
		for _, id := range ids {
			go func(id string) {
				ctx := context.Background()
				e, _ := d.Entry(id)
				ev, _ := suite.NewEnv(ctx)
				if _, err := ev.Reset(ctx, env.Task{ID: id}); err != nil {
					errs <- err
					return
				}
				for _, calls := range e.GroundTruth {
					if len(calls) > 0 {
						kw := make([]string, len(calls))
						for i, c := range calls {
							kw[i] = keywordForm(t, c)
						}
						if _, err := ev.Step(ctx, "["+strings.Join(kw, ", ")+"]"); err != nil {
							errs <- err
							return
						}
					}
					if _, err := ev.Step(ctx, ""); err != nil {
						errs <- err
						return
					}
				}
				r, err := ev.Evaluate(ctx)
				if err == nil && !r.Success {
					err = fmt.Errorf("%s not solved: %s", id, r.Details)
				}
				errs <- err
			}(id)
		}
	}
	for range len(ids) * 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
