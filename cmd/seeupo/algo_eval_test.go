package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeInput(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeLines(t *testing.T, out string) []map[string]json.RawMessage {
	t.Helper()
	var res []map[string]json.RawMessage
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		res = append(res, m)
	}
	return res
}

func floats(t *testing.T, raw json.RawMessage) []float64 {
	t.Helper()
	var v []float64
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestAlgoEvalEveryOp(t *testing.T) {
	in := writeInput(t,
		// rloo: 1 − (0+1)/2 = 0.5, 0 − 1 = −1, 0.5; group of one → 0.
		`{"op":"advantage","estimator":"rloo","rewards":[1,0,1,2],"groups":["a","a","a","b"]}`,
		// grae: r − group mean (2/3 for a; group of one has mean 0).
		`{"op":"advantage","estimator":"grae","rewards":[1,0,1,2],"groups":[7,7,7,8]}`,
		// reinforce, token-mean over the 3 unmasked tokens: loss
		// −(A·logp) averaged = −(1·(−0.5) + 1·(−1) + (−2)·(−2))/3 = −2.5/3,
		// gradient −A/3 and 0 for the masked token.
		`{"op":"loss","loss":"reinforce","logp":[[-0.5,-1,-7],[-2]],"mask":[[1,1,0],[1]],"advantages":[1,-2]}`,
		// ppo, ρ = 1.5 with A = 1 is clipped at 1.2: loss −1.2, gradient 0,
		// clipfrac 1, ppo_kl = old − logp = −ln 1.5.
		`{"op":"loss","loss":"ppo","logp":[[0.4054651081081644]],"old_logp":[[0]],"advantages":[1]}`,
		// suffix weights: e^0.15 unclipped; then prev 1.1 × 0.8 (s = e^−0.5 clipped).
		`{"op":"suffix_weight","before_logp":[[-1,-2],[-1]],"after_logp":[[-0.9,-1.8],[-1.5]],"mask":[[1,1],[1]],"prev":[1,1.1]}`,
	)
	out, _, err := runCLI(t, "algo", "eval", "--input", in)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	res := decodeLines(t, out)
	if len(res) != 5 {
		t.Fatalf("%d output lines for 5 inputs:\n%s", len(res), out)
	}
	check := func(what string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
		for i := range got {
			if !closeTo(got[i], want[i]) {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	check("rloo", floats(t, res[0]["advantages"]), []float64{0.5, -1, 0.5, 0})
	check("grae", floats(t, res[1]["advantages"]), []float64{1.0 / 3, -2.0 / 3, 1.0 / 3, 2})
	var loss float64
	json.Unmarshal(res[2]["loss"], &loss)
	var grad [][]float64
	json.Unmarshal(res[2]["grad_logp"], &grad)
	check("reinforce loss", []float64{loss}, []float64{-2.5 / 3})
	check("reinforce grad", append(grad[0], grad[1]...), []float64{-1.0 / 3, -1.0 / 3, 0, 2.0 / 3})
	json.Unmarshal(res[3]["loss"], &loss)
	var met map[string]float64
	json.Unmarshal(res[3]["metrics"], &met)
	check("ppo", []float64{loss, met["pg_clipfrac"], met["ppo_kl"]}, []float64{-1.2, 1, -math.Log(1.5)})
	check("suffix", floats(t, res[4]["weights"]), []float64{math.Exp(0.15), 0.88})
}

func TestAlgoEvalErrorsNameTheFieldAndExitNonZero(t *testing.T) {
	in := writeInput(t,
		`{"op":"kl"}`,
		`{"op":"loss","loss":"ppo","logp":[[-1,-2]],"old_logp":[[-1]],"advantages":[1]}`,
		`{"op":"loss","loss":"ppo","logp":[[-1]],"old_logp":[[-1]],"advantages":[1,2]}`,
		`{"op":"advantage","estimator":"grpo","rewards":[1,NaN],"groups":[0,0]}`,
		`{"op":"loss","loss":"ppo","logp":[[-1]],"advantages":[1]}`,
		`{"op":"loss","loss":"ppo","logp":[[-1]],"old_logp":[[-1]],"advantages":[1],"agg":"sum"}`,
		`{"op":"suffix_weight","before_logp":[[-1]],"after_logp":[[-1]],"clip_hi":0.3}`,
		`{"op":"advantage","estimator":"grae","rewards":[1,2],"groups":[0,0]}`,
		`not json`,
		`{"op":"loss","loss":"reinforce","logp":[[-1]],"advantages":[1],"kl":"k2"}`,
	)
	out, _, err := runCLI(t, "algo", "eval", "--input", in)
	if err == nil || !strings.Contains(err.Error(), "9 of 10 inputs had errors") {
		t.Fatalf("error %v; output:\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wants := []string{`unknown op \"kl\"`, `\"old_logp\": row 0 has 1 values, expected 2`, `\"advantages\": 2 values for 1 sequences`,
		`\"rewards[1]\": NaN is not allowed`, `\"old_logp\": required`, `\"agg\": unknown mode \"sum\"`,
		`\"clip_hi\": unknown for this op`, `"advantages":[-0.5,0.5]`, `not a JSON object`,
		`\"ref_logp\": required for kl \"k2\" with kl_coef 0.002`}
	for i, w := range wants {
		if i >= len(lines) || !strings.Contains(lines[i], w) {
			t.Errorf("line %d: want %s in\n%s", i+1, w, strings.Join(lines, "\n"))
		}
	}
}

func TestAlgoEvalWritesOutputFile(t *testing.T) {
	in := writeInput(t, `{"op":"advantage","estimator":"grpo","rewards":[3],"groups":[1]}`)
	outFile := filepath.Join(t.TempDir(), "out.jsonl")
	if _, _, err := runCLI(t, "algo", "eval", "--input", in, "--output", outFile); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(outFile)
	// A group of one: mean 0, std 1 → 3/(1 + 1e-6).
	res := decodeLines(t, string(b))
	if got := floats(t, res[0]["advantages"]); !closeTo(got[0], 3/(1+1e-6)) {
		t.Errorf("got %v", got)
	}
}

// turn_advantages, hand-worked: one group with rewards (1, 0.5, 0, −0.5),
// group-centred (0.75, 0.25, −0.25, −0.75), z-scored over the whole batch
// with the unbiased std √(1.25/3). The two survivors of turn 2 keep +1.162
// and +0.387 (renormalised over the survivors they would be ±0.707);
// ended trajectories are null, or 0 as the release's padded copies, which
// with max_turns 3 also fill a third, fully padded turn.
func TestAlgoEvalTurnAdvantages(t *testing.T) {
	base := `"op":"turn_advantages","estimator":"seeupo","rewards":[1,0.5,0,-0.5],"groups":[0,0,0,0],"turns":[2,2,1,1]`
	in := writeInput(t,
		`{`+base+`,"pad_ended":false}`,
		`{`+base+`,"pad_ended":true,"max_turns":3}`,
		`{`+base+`,"renorm_survivors":true}`,
		`{"op":"turn_advantages","rewards":[1,0],"groups":[0,0],"turns":[1,0]}`,
		`{"op":"turn_advantages","estimator":"grpo","rewards":[1,0],"groups":[0,0],"turns":[1,1]}`,
		`{`+base+`,"pad_ended":"yes"}`,
	)
	out, _, err := runCLI(t, "algo", "eval", "--input", in)
	if err == nil || !strings.Contains(err.Error(), "3 of 6 inputs had errors") {
		t.Fatalf("error %v; output:\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	sd := math.Sqrt(1.25 / 3)
	hi, lo, r := 0.75/sd, 0.25/sd, 1/math.Sqrt2
	nan := math.NaN()
	wants := [][][]float64{
		{{hi, hi}, {lo, lo}, {-lo, nan}, {-hi, nan}},
		{{hi, hi, 0}, {lo, lo, 0}, {-lo, 0, 0}, {-hi, 0, 0}},
		{{hi, r}, {lo, -r}, {-lo, nan}, {-hi, nan}},
	}
	for k, want := range wants {
		var got struct{ Advantages [][]*float64 }
		if err := json.Unmarshal([]byte(lines[k]), &got); err != nil {
			t.Fatalf("line %d: %v: %s", k+1, err, lines[k])
		}
		if len(got.Advantages) != len(want) {
			t.Fatalf("line %d: %s", k+1, lines[k])
		}
		for i := range want {
			if len(got.Advantages[i]) != len(want[i]) {
				t.Fatalf("line %d row %d: %s", k+1, i, lines[k])
			}
			for j, w := range want[i] {
				g := got.Advantages[i][j]
				if math.IsNaN(w) != (g == nil) || (g != nil && !closeTo(*g, w)) {
					t.Errorf("line %d [%d][%d]: got %s, want %v", k+1, i, j, lines[k], w)
				}
			}
		}
	}
	for i, w := range []string{`\"turns[1]\": must be an integer \u003e= 1, got 0`, `unknown \"grpo\" for turn_advantages`,
		`\"pad_ended\": must be true or false`} {
		if !strings.Contains(lines[3+i], w) {
			t.Errorf("line %d: want %s in %s", 4+i, w, lines[3+i])
		}
	}
}
