package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/metrics"
)

func init() { register("algo", newAlgoEvalCmd) }

func newAlgoEvalCmd(a *app) *cobra.Command {
	var input, output string
	c := &cobra.Command{
		Use:   "eval --input F [--output G]",
		Short: "Evaluate advantage estimators, policy losses and suffix weights on JSON lines",
		Long: `Read one JSON object per line from --input ("-" for standard input) and write one
JSON line per input to --output (standard output by default):

  {"op":"advantage","estimator":"` + strings.Join(algorithms.TrajectoryEstimators(), "|") + `","rewards":[...],"groups":[...]}
      → {"advantages":[...]}
  {"op":"turn_advantages","estimator":"seeupo","rewards":[...],"groups":[...],
   "turns":[n_i],"pad_ended":false,"max_turns":T,"renorm_survivors":false}
      → {"advantages":[[a_i1 ... a_iT]]}
      SeeUPO's advantage of trajectory i at turn t as turn t's update uses
      it, before the suffix weights: R − group mean, z-scored once over the
      whole batch (clamped to ±3). T is the largest "turns"; null where
      trajectory i has no turn t. With "pad_ended" (the release), ended
      trajectories are padded copies with advantage 0 and T is at least
      "max_turns" (rl.max_turns). "renorm_survivors" z-scores each turn
      batch again (not the release; can flip signs).
  {"op":"loss","loss":"` + strings.Join(algorithms.Losses(), "|") + `","logp":[[...]],"old_logp":[[...]],
   "ref_logp":[[...]],"mask":[[0|1...]],"advantages":[per sequence],"clip_low":0.2,
   "clip_high":0.2,"dual_clip":3,"kl":"k1|k2|k3","kl_coef":0.002,
   "agg":"` + strings.Join(algorithms.AggModes(), "|") + `"}
      → {"loss":x,"grad_logp":[[...]],"metrics":{"pg_loss","pg_clipfrac",
         "pg_clipfrac_lower","ppo_kl","kl_loss"}}
  {"op":"suffix_weight","before_logp":[[...]],"after_logp":[[...]],"mask":[[...]],
   "prev":[...] or null,"clip_low":0.2,"clip_high":0.2} → {"weights":[...]}

Defaults: clip_low and clip_high 0.2, dual_clip 3, no KL term unless "kl" is given
(then kl_coef defaults to 0.002), agg token-mean, mask all ones. A bad input gives
{"error":"..."} naming the field; the command then exits non-zero after
processing every line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.algoEval(cmd.Context(), input, output)
		},
	}
	c.Flags().StringVar(&input, "input", "", `JSON-lines file to read ("-" for standard input)`)
	c.Flags().StringVar(&output, "output", "", "file to write (standard output when empty)")
	_ = c.MarkFlagRequired("input")
	return c
}

func (a *app) algoEval(ctx context.Context, input, output string) error {
	in, err := openInput(ctx, input)
	if err != nil {
		return err
	}
	defer in.Close()
	out := a.stdout
	if output != "" {
		f, err := os.Create(output)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriter(out)
	n, bad, err := evalLines(in, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	if bad > 0 {
		return fmt.Errorf("%s: %d of %d inputs had errors", input, bad, n)
	}
	return nil
}

// evalLines answers every non-blank line of in with one line on w and
// counts the inputs and the errors among them.
func evalLines(in io.Reader, w io.Writer) (n, bad int, err error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		n++
		res, err := evalOne(text)
		if err == nil {
			var b []byte
			if b, err = json.Marshal(res); err == nil {
				_, werr := fmt.Fprintf(w, "%s\n", b)
				if werr != nil {
					return n, bad, werr
				}
				continue
			}
		}
		bad++
		b, _ := json.Marshal(map[string]string{"error": fmt.Sprintf("line %d: %v", line, err)})
		if _, werr := fmt.Fprintf(w, "%s\n", b); werr != nil {
			return n, bad, werr
		}
	}
	return n, bad, sc.Err()
}

// evalOne parses one input object and runs its op.
func evalOne(text []byte) (any, error) {
	var f evalFields
	if err := metrics.UnmarshalLenient(text, &f); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	op, err := f.str("op", "")
	if err != nil {
		return nil, err
	}
	known := map[string][]string{
		"advantage":       {"estimator", "rewards", "groups"},
		"turn_advantages": {"estimator", "rewards", "groups", "turns", "pad_ended", "max_turns", "renorm_survivors"},
		"loss":            {"loss", "logp", "old_logp", "ref_logp", "mask", "advantages", "clip_low", "clip_high", "dual_clip", "kl", "kl_coef", "agg"},
		"suffix_weight":   {"before_logp", "after_logp", "mask", "prev", "clip_low", "clip_high"},
	}
	fields, ok := known[op]
	if !ok {
		return nil, fmt.Errorf(`field "op": unknown op %q (known: advantage, turn_advantages, loss, suffix_weight)`, op)
	}
	if err := f.onlyKnown(append(fields, "op")); err != nil {
		return nil, err
	}
	switch op {
	case "advantage":
		return evalAdvantage(f)
	case "turn_advantages":
		return evalTurnAdvantages(f)
	case "loss":
		return evalLoss(f)
	}
	return evalSuffixWeight(f)
}

// rewardsAndGroups reads the "rewards" and "groups" fields.
func rewardsAndGroups(f evalFields) ([]float64, []int, error) {
	rewards, err := f.vector("rewards", true)
	if err != nil {
		return nil, nil, err
	}
	keys, err := f.keys("groups")
	if err != nil {
		return nil, nil, err
	}
	if len(keys) != len(rewards) {
		return nil, nil, fmt.Errorf(`field "groups": %d entries for %d rewards`, len(keys), len(rewards))
	}
	groups, _ := algorithms.GroupIndex(keys)
	return rewards, groups, nil
}

func evalTurnAdvantages(f evalFields) (any, error) {
	if est, err := f.str("estimator", algorithms.EstSeeUPO); err != nil {
		return nil, err
	} else if est != algorithms.EstSeeUPO {
		return nil, fmt.Errorf(`field "estimator": unknown %q for turn_advantages (known: seeupo)`, est)
	}
	rewards, groups, err := rewardsAndGroups(f)
	if err != nil {
		return nil, err
	}
	turns, err := f.counts("turns", 1)
	if err != nil {
		return nil, err
	}
	var o algorithms.TurnAdvOptions
	if o.PadEnded, err = f.boolean("pad_ended"); err != nil {
		return nil, err
	}
	if o.RenormSurvivors, err = f.boolean("renorm_survivors"); err != nil {
		return nil, err
	}
	if f.has("max_turns") {
		limit, err := f.counts("max_turns", 1)
		if err != nil {
			return nil, err
		}
		o.TurnLimit = limit[0]
	}
	adv, err := algorithms.SeeUPOTurnAdvantages(rewards, groups, turns, o)
	if err != nil {
		return nil, fmt.Errorf("field %s", quoteFieldOf(err))
	}
	out := make([][]*float64, len(adv))
	for i, row := range adv {
		out[i] = make([]*float64, len(row))
		for t, v := range row {
			if !math.IsNaN(v) {
				out[i][t] = &row[t]
			}
		}
	}
	return map[string]any{"advantages": out}, nil
}

func evalAdvantage(f evalFields) (any, error) {
	est, err := f.str("estimator", "")
	if err != nil {
		return nil, err
	}
	rewards, groups, err := rewardsAndGroups(f)
	if err != nil {
		return nil, err
	}
	fn, err := algorithms.EstimatorAdvantages(est)
	if err != nil {
		return nil, fmt.Errorf(`field "estimator": %w`, err)
	}
	adv, err := fn(rewards, groups)
	return map[string][]float64{"advantages": adv}, err
}

func evalLoss(f evalFields) (any, error) {
	kind, err := f.str("loss", "")
	if err != nil {
		return nil, err
	}
	cfg := algorithms.LossConfig{Loss: kind}
	if f.has("kl") {
		if cfg.KL, err = f.str("kl", ""); err != nil {
			return nil, err
		}
	}
	klDefault := 0.0
	if cfg.KL != "" {
		klDefault = 0.002
	}
	for _, p := range []struct {
		name string
		dst  *float64
		def  float64
	}{{"clip_low", &cfg.ClipLow, 0.2}, {"clip_high", &cfg.ClipHigh, 0.2}, {"dual_clip", &cfg.DualClip, 3}, {"kl_coef", &cfg.KLCoef, klDefault}} {
		if *p.dst, err = f.number(p.name, p.def); err != nil {
			return nil, err
		}
	}
	if cfg.Agg, err = f.str("agg", algorithms.AggTokenMean); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("field %s", quoteFieldOf(err))
	}
	in, err := lossInputs(f, cfg)
	if err != nil {
		return nil, err
	}
	res, err := algorithms.PolicyObjective(cfg, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"loss": res.Loss, "grad_logp": res.GradLogP, "metrics": map[string]float64{
		"pg_loss": res.PGLoss, "pg_clipfrac": res.ClipFrac, "pg_clipfrac_lower": res.ClipFracLower,
		"ppo_kl": res.PPOKL, "kl_loss": res.KLLoss}}, nil
}

// quoteFieldOf turns "name: message" into `"name": message`.
func quoteFieldOf(err error) string {
	name, msg, ok := strings.Cut(err.Error(), ": ")
	if !ok {
		return err.Error()
	}
	return strconv.Quote(name) + ": " + msg
}

// lossInputs reads the matrices of a loss op, checks their shapes against
// logp and broadcasts the per-sequence advantages.
func lossInputs(f evalFields, cfg algorithms.LossConfig) (algorithms.LossInput, error) {
	var in algorithms.LossInput
	var err error
	if in.LogP, err = f.matrix("logp", nil); err != nil {
		return in, err
	}
	spec, err := algorithms.LookupLoss(cfg.Loss)
	if err != nil {
		return in, err
	}
	needOld := spec.UsesOldLogProbs
	needRef := cfg.KL != "" && cfg.KLCoef != 0
	for _, m := range []struct {
		name string
		dst  *[][]float64
		need bool
	}{{"old_logp", &in.OldLogP, needOld}, {"ref_logp", &in.RefLogP, needRef}, {"mask", &in.Mask, false}} {
		if *m.dst, err = f.matrix(m.name, in.LogP); err != nil {
			return in, err
		}
		if *m.dst == nil && m.need {
			why := fmt.Sprintf("loss %q", cfg.Loss)
			if m.name == "ref_logp" {
				why = fmt.Sprintf("kl %q with kl_coef %v", cfg.KL, cfg.KLCoef)
			}
			return in, fmt.Errorf("field %q: required for %s", m.name, why)
		}
	}
	if in.Mask == nil {
		in.Mask = onesLike(in.LogP)
	}
	if err := binaryMask(in.Mask); err != nil {
		return in, err
	}
	adv, err := f.vector("advantages", true)
	if err != nil {
		return in, err
	}
	if len(adv) != len(in.LogP) {
		return in, fmt.Errorf(`field "advantages": %d values for %d sequences`, len(adv), len(in.LogP))
	}
	in.Adv = make([][]float64, len(in.LogP))
	for i, row := range in.LogP {
		in.Adv[i] = make([]float64, len(row))
		for j := range row {
			in.Adv[i][j] = adv[i]
		}
	}
	return in, nil
}

func evalSuffixWeight(f evalFields) (any, error) {
	before, err := f.matrix("before_logp", nil)
	if err != nil {
		return nil, err
	}
	after, err := f.matrix("after_logp", before)
	if err != nil {
		return nil, err
	}
	if after == nil {
		return nil, fmt.Errorf(`field "after_logp": required`)
	}
	mask, err := f.matrix("mask", before)
	if err != nil {
		return nil, err
	}
	if mask == nil {
		mask = onesLike(before)
	}
	if err := binaryMask(mask); err != nil {
		return nil, err
	}
	prev, err := f.vector("prev", false)
	if err != nil {
		return nil, err
	}
	if prev != nil && len(prev) != len(before) {
		return nil, fmt.Errorf(`field "prev": %d weights for %d sequences`, len(prev), len(before))
	}
	lo, err := f.number("clip_low", 0.2)
	if err != nil {
		return nil, err
	}
	hi, err := f.number("clip_high", 0.2)
	if err != nil {
		return nil, err
	}
	if lo < 0 || lo >= 1 || hi < 0 {
		return nil, fmt.Errorf(`fields "clip_low"/"clip_high": need 0 <= clip_low < 1 and clip_high >= 0, got %v and %v`, lo, hi)
	}
	return map[string][]float64{"weights": algorithms.SuffixWeights(before, after, mask, prev, lo, hi)}, nil
}

func onesLike(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = make([]float64, len(x[i]))
		for j := range out[i] {
			out[i][j] = 1
		}
	}
	return out
}

func binaryMask(m [][]float64) error {
	for i := range m {
		for j, v := range m[i] {
			if v != 0 && v != 1 {
				return fmt.Errorf(`field "mask[%d][%d]": must be 0 or 1, got %v`, i, j, v)
			}
		}
	}
	return nil
}

// evalFields is one input object, field by field.
type evalFields map[string]json.RawMessage

func (f evalFields) has(name string) bool {
	v, ok := f[name]
	return ok && string(v) != "null"
}

func (f evalFields) onlyKnown(known []string) error {
	allowed := map[string]bool{}
	for _, k := range known {
		allowed[k] = true
	}
	var unknown []string
	for k := range f {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	sort.Strings(known)
	return fmt.Errorf("field %q: unknown for this op (known: %s)", unknown[0], strings.Join(known, ", "))
}

// str reads a string field; an empty def makes it required.
func (f evalFields) str(name, def string) (string, error) {
	if !f.has(name) {
		if def == "" {
			return "", fmt.Errorf("field %q: required", name)
		}
		return def, nil
	}
	var s string
	if err := json.Unmarshal(f[name], &s); err != nil {
		return "", fmt.Errorf("field %q: must be a string", name)
	}
	return s, nil
}

func (f evalFields) number(name string, def float64) (float64, error) {
	if !f.has(name) {
		return def, nil
	}
	return parseNumber(f[name], name)
}

// parseNumber reads one finite number; the field path names it in errors.
func parseNumber(raw json.RawMessage, path string) (float64, error) {
	s := string(raw)
	switch s {
	case `"NaN"`, `"Infinity"`, `"-Infinity"`:
		return 0, fmt.Errorf("field %q: %s is not allowed", path, strings.Trim(s, `"`))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("field %q: must be a finite number, got %s", path, s)
	}
	return v, nil
}

func (f evalFields) vector(name string, required bool) ([]float64, error) {
	if !f.has(name) {
		if required {
			return nil, fmt.Errorf("field %q: required", name)
		}
		return nil, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(f[name], &raw); err != nil {
		return nil, fmt.Errorf("field %q: must be an array of numbers", name)
	}
	out := make([]float64, len(raw))
	for i, r := range raw {
		v, err := parseNumber(r, fmt.Sprintf("%s[%d]", name, i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// matrix reads an array of number arrays; with shape it must have the
// same number of rows and row lengths (ragged input is an error). An
// absent field gives nil.
func (f evalFields) matrix(name string, shape [][]float64) ([][]float64, error) {
	if !f.has(name) {
		if shape == nil {
			return nil, fmt.Errorf("field %q: required", name)
		}
		return nil, nil
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(f[name], &rows); err != nil {
		return nil, fmt.Errorf("field %q: must be an array of arrays of numbers", name)
	}
	if shape != nil && len(rows) != len(shape) {
		return nil, fmt.Errorf("field %q: %d rows, expected %d", name, len(rows), len(shape))
	}
	out := make([][]float64, len(rows))
	for i, row := range rows {
		var raw []json.RawMessage
		if err := json.Unmarshal(row, &raw); err != nil {
			return nil, fmt.Errorf("field %q: row %d must be an array of numbers", name, i)
		}
		if shape != nil && len(raw) != len(shape[i]) {
			return nil, fmt.Errorf("field %q: row %d has %d values, expected %d (ragged)", name, i, len(raw), len(shape[i]))
		}
		out[i] = make([]float64, len(raw))
		for j, r := range raw {
			v, err := parseNumber(r, fmt.Sprintf("%s[%d][%d]", name, i, j))
			if err != nil {
				return nil, err
			}
			out[i][j] = v
		}
	}
	return out, nil
}

// boolean reads an optional true/false field (absent: false).
func (f evalFields) boolean(name string) (bool, error) {
	if !f.has(name) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(f[name], &b); err != nil {
		return false, fmt.Errorf("field %q: must be true or false", name)
	}
	return b, nil
}

// counts reads an integer or an array of integers, each at least min.
func (f evalFields) counts(name string, min int) ([]int, error) {
	if !f.has(name) {
		return nil, fmt.Errorf("field %q: required", name)
	}
	array := f[name][0] == '['
	var raw []json.RawMessage
	if !array {
		raw = append(raw, f[name])
	} else if err := json.Unmarshal(f[name], &raw); err != nil {
		return nil, fmt.Errorf("field %q: must be an array of integers", name)
	}
	out := make([]int, len(raw))
	for i, r := range raw {
		path := name
		if array {
			path = fmt.Sprintf("%s[%d]", name, i)
		}
		v, err := strconv.Atoi(string(r))
		if err != nil || v < min {
			return nil, fmt.Errorf("field %q: must be an integer >= %d, got %s", path, min, r)
		}
		out[i] = v
	}
	return out, nil
}

// keys reads group ids: numbers or strings, compared by their JSON text.
func (f evalFields) keys(name string) ([]string, error) {
	if !f.has(name) {
		return nil, fmt.Errorf("field %q: required", name)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(f[name], &raw); err != nil {
		return nil, fmt.Errorf("field %q: must be an array of group ids", name)
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		s := string(r)
		if s == "" || s[0] == '[' || s[0] == '{' || s == "null" {
			return nil, fmt.Errorf("field %q: entry %d must be a number or a string", name+"["+strconv.Itoa(i)+"]", i)
		}
		out[i] = s
	}
	return out, nil
}
