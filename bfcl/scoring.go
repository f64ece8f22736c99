package bfcl

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/seeupo/seeupo/bfcl/ast"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Decoders of model results, as upstream's model handlers decode them.
const (
	// DecoderPrompt reads a reply in Python call syntax
	// (default_decode_ast_prompting, default_decode_execute_prompting).
	DecoderPrompt = "prompt"
	// DecoderFC reads a list of {name: JSON arguments} objects, the form
	// upstream's OpenAI-style function-calling handlers record.
	DecoderFC = "fc"
)

// ModelInfo is what upstream's model registry says about a model that
// the score files use: the leaderboard columns, the prices that turn token
// counts into cost, and the decoding and checking switches.
type ModelInfo struct {
	DisplayName string   `json:"display_name"`
	URL         string   `json:"url"`
	Org         string   `json:"org"`
	License     string   `json:"license"`
	InputPrice  *float64 `json:"input_price"`  // USD per million input tokens; nil for local models
	OutputPrice *float64 `json:"output_price"` // USD per million output tokens
	// FC says the results hold function-calling output (decoded with
	// DecoderFC); otherwise replies are decoded as prompting output.
	FC bool `json:"is_fc_model"`
	// UnderscoreToDot lets the AST checker accept "_" for "." in function
	// names.
	UnderscoreToDot bool `json:"underscore_to_dot"`
}

// DefaultModelInfo is the info of a model folder the caller knows
// nothing about: upstream's registry name (the folder name with "_" read
// as "/") for display, and function-calling mode when the name contains
// "FC", upstream's own test.
func DefaultModelInfo(folder string) ModelInfo {
	fc := strings.Contains(folder, "FC")
	return ModelInfo{DisplayName: strings.ReplaceAll(folder, "_", "/"), URL: "", Org: "", License: "",
		FC: fc, UnderscoreToDot: fc}
}

// ScoreOptions say what to evaluate.
type ScoreOptions struct {
	// ResultDir holds one folder per model, each with result files
	// (BFCL_v4_<category>_result.json) anywhere below it.
	ResultDir string
	// ScoreDir receives <model>/<group>/BFCL_v4_<category>_score.json and
	// the leaderboard CSVs.
	ScoreDir string
	// Models limits the evaluation to these model folders (nil: all).
	Models []string
	// Categories limits it to these categories (nil: all).
	Categories []string
	// PartialEval accepts result files that hold only some of a
	// category's entries (upstream's --partial-eval).
	PartialEval bool
	// Info gives a model folder's info (nil: DefaultModelInfo).
	Info func(folder string) (ModelInfo, error)
	// Log receives one line per category evaluated and per category
	// skipped (nil: discarded).
	Log io.Writer
}

// CategoryScore is one category's figures for one model.
type CategoryScore struct {
	Model, Category string
	Accuracy        float64
	Correct, Total  int
}

// Scorer evaluates result files against one BFCL v4 data directory.
type Scorer struct {
	data *Upstream
	// multi is the multi-turn data (executor, checker), loaded on first use.
	multi    *Dataset
	multiErr error
	counts   map[string]int
}

// NewScorer evaluates against the data in u.
func NewScorer(u Upstream) *Scorer { return &Scorer{data: &u, counts: map[string]int{}} }

func (s *Scorer) multiTurn() (*Dataset, error) {
	if s.multi == nil && s.multiErr == nil {
		s.multi, s.multiErr = Load(s.data.Dir)
	}
	return s.multi, s.multiErr
}

// Evaluate is upstream's evaluation runner: every result file of the
// selected models and categories is scored into its score file, then the
// leaderboard CSVs are written from every score file under ScoreDir.
func (s *Scorer) Evaluate(opts ScoreOptions) ([]CategoryScore, error) {
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	info := opts.Info
	if info == nil {
		info = func(f string) (ModelInfo, error) { return DefaultModelInfo(f), nil }
	}
	cats := opts.Categories
	if cats == nil {
		cats = AllTestCategories
	}
	dirs, err := os.ReadDir(opts.ResultDir)
	if err != nil {
		return nil, fmt.Errorf("result folder: %w", err)
	}
	var models []string
	for _, d := range dirs {
		if d.IsDir() && (opts.Models == nil || contains(opts.Models, d.Name())) {
			models = append(models, d.Name())
		}
	}
	for _, m := range opts.Models {
		if !contains(models, m) {
			return nil, fmt.Errorf("model %q: no folder %s", m, filepath.Join(opts.ResultDir, m))
		}
	}
	var scores []CategoryScore
	usage := map[string]*usageData{}
	var order []string
	for _, model := range models {
		mi, err := info(model)
		if err != nil {
			return nil, err
		}
		files, err := resultFiles(filepath.Join(opts.ResultDir, model))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			cat, _ := CategoryOfFile(filepath.Base(f))
			if !contains(cats, cat) || isMemoryPrereq(cat) {
				continue
			}
			results, err := ReadJSONLines(f)
			if err != nil {
				return nil, err
			}
			if err := SortByID(results); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if _, ok := usage[model]; !ok {
				usage[model] = &usageData{}
				order = append(order, model)
			}
			usage[model].record(results)
			sc, err := s.evaluateCategory(model, mi, cat, results, opts)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", model, cat, err)
			}
			fmt.Fprintf(logw, "%s %s: accuracy %.2f%% (%d/%d)\n", model, cat, 100*sc.Accuracy, sc.Correct, sc.Total)
			scores = append(scores, sc)
		}
	}
	return scores, s.writeLeaderboard(opts.ScoreDir, usage, info)
}

// resultFiles lists a model folder's result files (upstream's
// rglob("BFCL_v4_*_result.json")), sorted.
func resultFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if !d.IsDir() && strings.HasPrefix(name, VersionPrefix+"_") && strings.HasSuffix(name, "_result.json") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// scoreRun is one category's evaluation in progress.
type scoreRun struct {
	model    string
	info     ModelInfo
	category string
	failures []*py.Dict
	correct  int
	// configs counts format sensitivity's entries per configuration, in
	// the order they first appear.
	configs []configCount
}

func (r *scoreRun) add(failure *py.Dict) {
	if failure == nil {
		r.correct++
		return
	}
	r.failures = append(r.failures, failure)
}

// entryHead starts a failure record: id, model_name, test_category, valid.
func (r *scoreRun) entryHead(id py.Value) *py.Dict {
	return py.NewDict().With("id", id).With("model_name", py.Str(r.model)).
		With("test_category", py.Str(r.category)).With("valid", py.Bool(false))
}

func (s *Scorer) evaluateCategory(model string, mi ModelInfo, cat string, results []*py.Dict, opts ScoreOptions) (CategoryScore, error) {
	prompts, err := s.data.Entries(cat, false, false)
	if err != nil {
		return CategoryScore{}, err
	}
	var gt []*py.Dict
	if !isRelevanceOrIrrelevance(cat) {
		if gt, err = s.data.GroundTruth(cat); err != nil {
			return CategoryScore{}, err
		}
		if len(prompts) != len(gt) {
			return CategoryScore{}, fmt.Errorf("length of ground truth (%d) should match prompt entries (%d)", len(gt), len(prompts))
		}
	}
	if prompts, gt, err = subsetByResults(results, prompts, gt, opts.PartialEval); err != nil {
		return CategoryScore{}, err
	}
	if len(results) == 0 {
		return CategoryScore{}, fmt.Errorf("the result file has no entry")
	}
	if gt != nil && (len(results) != len(prompts) || len(results) != len(gt)) {
		return CategoryScore{}, fmt.Errorf("the length of the model result (%d) does not match the length of the prompt (%d) or possible answer (%d)",
			len(results), len(prompts), len(gt))
	}
	if gt == nil && len(prompts) < len(results) {
		return CategoryScore{}, fmt.Errorf("the result file has %d entries, the category %d", len(results), len(prompts))
	}
	run := &scoreRun{model: model, info: mi, category: cat}
	for i, res := range results {
		id, _ := res.GetStr("id")
		raw, ok := res.GetStr("result")
		if !ok {
			return CategoryScore{}, fmt.Errorf("entry %s: field result: missing", py.StrOf(id))
		}
		var failure *py.Dict
		switch {
		case isRelevanceOrIrrelevance(cat):
			failure = run.relevance(id, raw, prompts[i])
		case isMultiTurn(cat):
			d, err := s.multiTurn()
			if err != nil {
				return CategoryScore{}, err
			}
			if failure, err = run.multiTurn(d, id, raw, gt[i], prompts[i]); err != nil {
				return CategoryScore{}, err
			}
		case isAgentic(cat):
			failure = run.agentic(id, raw, gt[i], prompts[i])
		case isFormatSensitivity(cat):
			if failure, err = run.formatSensitivity(id, raw, gt[i], prompts[i]); err != nil {
				return CategoryScore{}, fmt.Errorf("entry %s: %w", py.StrOf(id), err)
			}
		default:
			if failure, err = run.ast(id, raw, gt[i], prompts[i]); err != nil {
				return CategoryScore{}, fmt.Errorf("entry %s: %w", py.StrOf(id), err)
			}
		}
		if failure != nil && (isMultiTurn(cat) || isAgentic(cat)) {
			log, ok := res.GetStr("inference_log")
			if !ok {
				log = py.Str("")
			}
			failure.SetStr("inference_log", log)
		}
		run.add(failure)
	}
	acc := float64(run.correct) / float64(len(results))
	header := py.NewDict().With("accuracy", py.Float(acc)).With("correct_count", py.Int(run.correct)).
		With("total_count", py.Int(len(results)))
	if isFormatSensitivity(cat) {
		run.configStats(header)
	}
	dir := filepath.Join(opts.ScoreDir, model, filepath.FromSlash(GroupDir(cat)))
	if err := writeScoreFile(filepath.Join(dir, ScoreFileName(cat)), append([]*py.Dict{header}, run.failures...)); err != nil {
		return CategoryScore{}, err
	}
	return CategoryScore{Model: model, Category: cat, Accuracy: acc, Correct: run.correct, Total: len(results)}, nil
}

// subsetByResults is upstream's _subset_entries_by_model_ids: the prompt
// entries (and ground truth, aligned by index) whose id has a result.
func subsetByResults(results, prompts, gt []*py.Dict, allowMissing bool) ([]*py.Dict, []*py.Dict, error) {
	if len(results) == 0 {
		return nil, nil, nil
	}
	if !allowMissing && len(results) != len(prompts) {
		return nil, nil, fmt.Errorf("length of model result (%d) does not match length of test entries (%d); to evaluate a subset (the entries present in the model result), pass --partial-eval",
			len(results), len(prompts))
	}
	present := map[string]bool{}
	for _, r := range results {
		id, err := dictString(r, "id")
		if err != nil {
			return nil, nil, err
		}
		present[id] = true
	}
	var ps, gs []*py.Dict
	for i, p := range prompts {
		id, _ := dictString(p, "id")
		if present[id] {
			ps = append(ps, p)
			if gt != nil {
				gs = append(gs, gt[i])
			}
		}
	}
	return ps, gs, nil
}

// writeScoreFile writes records as upstream's write_list_of_dicts_to_file:
// one json.dumps(make_json_serializable(x), ensure_ascii=False) a line.
func writeScoreFile(p string, records []*py.Dict) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range records {
		s, err := py.DumpsUnicode(py.JSONSafe(r))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return os.WriteFile(p, []byte(b.String()), 0o644)
}

func groundTruthOf(gt *py.Dict) py.Value {
	v, ok := gt.GetStr("ground_truth")
	if !ok {
		return py.None
	}
	return v
}

// decodeAST is the handler's decode_ast in the Python return format.
func (r *scoreRun) decodeAST(raw py.Value) (py.Value, error) {
	return r.decodeASTFormat(raw, ReturnPython, false)
}

// decodeASTFormat is the handler's decode_ast in a return format
// (function-calling handlers ignore it).
func (r *scoreRun) decodeASTFormat(raw py.Value, format string, tag bool) (py.Value, error) {
	if r.info.FC {
		return decodeFCAST(raw)
	}
	s, ok := raw.(py.Str)
	if !ok {
		return nil, attributeError(raw, "strip")
	}
	return DecodeASTFormat(string(s), format, tag)
}

func attributeError(v py.Value, attr string) error {
	return &py.Exception{Kind: "AttributeError", Msg: fmt.Sprintf("'%s' object has no attribute '%s'", pyTypeName(v), attr)}
}

func pyTypeName(v py.Value) string {
	switch v.(type) {
	case *py.List:
		return "list"
	case *py.Dict:
		return "dict"
	case py.Str:
		return "str"
	}
	return v.TypeName()
}

// decodeFCAST is the function-calling handlers' decode_ast: each
// {name: arguments} becomes {name: json.loads(arguments)}.
func decodeFCAST(raw py.Value) (py.Value, error) {
	items, err := iterateResult(raw)
	if err != nil {
		return nil, err
	}
	out := &py.List{}
	for _, it := range items {
		d, ok := it.(*py.Dict)
		if !ok {
			return nil, attributeError(it, "keys")
		}
		if d.Len() == 0 {
			return nil, &py.Exception{Kind: "IndexError", Msg: "list index out of range"}
		}
		params, err := jsonLoads(d.ValueAt(0))
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, py.NewDict().With(py.StrOf(d.KeyAt(0)), params))
	}
	return out, nil
}

// iterateResult iterates a result value as Python's for loop does (a
// string yields its characters).
func iterateResult(raw py.Value) ([]py.Value, error) {
	switch x := raw.(type) {
	case *py.List:
		return x.Items, nil
	case py.Str:
		var out []py.Value
		for _, r := range string(x) {
			out = append(out, py.Str(string(r)))
		}
		return out, nil
	case *py.Dict:
		return x.Keys(), nil
	}
	return nil, &py.Exception{Kind: "TypeError", Msg: fmt.Sprintf("'%s' object is not iterable", raw.TypeName())}
}

func jsonLoads(v py.Value) (py.Value, error) {
	s, ok := v.(py.Str)
	if !ok {
		return nil, &py.Exception{Kind: "TypeError", Msg: fmt.Sprintf("the JSON object must be str, bytes or bytearray, not %s", pyTypeName(v))}
	}
	out, err := py.FromJSON([]byte(s))
	if err != nil {
		return nil, &py.Exception{Kind: "JSONDecodeError", Msg: err.Error()}
	}
	return out, nil
}

// decodeExecute is the handler's decode_execute.
func (r *scoreRun) decodeExecute(raw py.Value) ([]string, error) {
	if r.info.FC {
		return convertToFunctionCall(raw)
	}
	s, ok := raw.(py.Str)
	if !ok {
		return nil, attributeError(raw, "strip")
	}
	return DecodeExecute(string(s))
}

// convertToFunctionCall is upstream's convert_to_function_call:
// name(k=repr(v),...) for each {name: arguments}.
func convertToFunctionCall(raw py.Value) ([]string, error) {
	if d, ok := raw.(*py.Dict); ok {
		raw = &py.List{Items: []py.Value{d}}
	}
	items, err := iterateResult(raw)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		d, ok := it.(*py.Dict)
		if !ok {
			return nil, attributeError(it, "items")
		}
		for i := 0; i < d.Len(); i++ {
			v := d.ValueAt(i)
			if _, isStr := v.(py.Str); isStr {
				if v, err = jsonLoads(v); err != nil {
					return nil, err
				}
			}
			args, ok := v.(*py.Dict)
			if !ok {
				return nil, attributeError(v, "items")
			}
			parts := make([]string, args.Len())
			for j := 0; j < args.Len(); j++ {
				parts[j] = py.StrOf(args.KeyAt(j)) + "=" + py.Repr(args.ValueAt(j))
			}
			out = append(out, py.StrOf(d.KeyAt(i))+"("+strings.Join(parts, ",")+")")
		}
	}
	return out, nil
}

// ast is upstream's _evaluate_single_ast_entry (the category's return
// format, no tool-call tag); nil means valid.
func (r *scoreRun) ast(id, raw py.Value, gt, prompt *py.Dict) (*py.Dict, error) {
	return r.astFormat(id, raw, gt, prompt, r.category, returnFormatOf(r.category), false)
}

// astFormat is _evaluate_single_ast_entry with the return format and
// tool-call tag of a prompt-format configuration; checkCategory is the
// category the checker is told.
func (r *scoreRun) astFormat(id, raw py.Value, gt, prompt *py.Dict, checkCategory, format string, tag bool) (*py.Dict, error) {
	answer := groundTruthOf(gt)
	decoded, err := r.decodeASTFormat(raw, format, tag)
	if err != nil {
		return r.entryHead(id).With("error", &py.List{Items: []py.Value{py.Str("Invalid syntax. Failed to decode AST. " + err.Error())}}).
			With("error_type", py.Str("ast_decoder:decoder_failed")).With("prompt", prompt).
			With("model_result_raw", raw).With("possible_answer", answer), nil
	}
	if !IsFunctionCallingFormat(decoded) {
		return r.entryHead(id).With("error", &py.List{Items: []py.Value{py.Str("Did not output in the specified format. Note: the model_result is wrapped in a string to ensure json serializability.")}}).
			With("error_type", py.Str("ast_decoder:decoder_wrong_output_format")).With("prompt", prompt).
			With("model_result_raw", py.Str(py.StrOf(raw))).With("model_result_decoded", py.Str(py.StrOf(decoded))).
			With("possible_answer", answer), nil
	}
	fns, _ := prompt.GetStr("function")
	res, err := ast.Check(fns, decoded, answer, ast.LanguageOf(checkCategory), checkCategory, r.info.UnderscoreToDot)
	if err != nil {
		return nil, err
	}
	if res.Valid {
		return nil, nil
	}
	return r.entryHead(id).With("error", res.Error).With("error_type", res.ErrorType).With("prompt", prompt).
		With("model_result_raw", raw).With("model_result_decoded", decoded).With("possible_answer", answer), nil
}

// relevance is upstream's _evaluate_single_relevance_entry.
func (r *scoreRun) relevance(id, raw py.Value, prompt *py.Dict) *py.Dict {
	var decoded py.Value = py.None
	var decodeErr py.Value = py.None
	contains := false
	if d, err := r.decodeAST(raw); err != nil {
		decodeErr = py.Str(err.Error())
	} else {
		decoded = d
		contains = !isEmptyOutput(d)
	}
	irrelevance := strings.Contains(r.category, "irrelevance")
	if contains != irrelevance {
		return nil
	}
	f := r.entryHead(id).With("prompt", prompt).With("model_result", raw).With("decoded_result", decoded)
	if irrelevance {
		return f.With("error", &py.List{Items: []py.Value{py.Str("Valid syntax. Successfully decode AST when it should not.")}}).
			With("error_type", py.Str("irrelevance_error:decoder_success"))
	}
	return f.With("error", &py.List{Items: []py.Value{py.Str("Invalid syntax. Failed to decode AST when it should have. " + py.StrOf(decodeErr))}}).
		With("error_type", py.Str("relevance_error:decoder_failed"))
}

// withoutFunction drops "function" from a prompt entry, as upstream's
// multi-turn and agentic evaluations do before recording it.
func withoutFunction(prompt *py.Dict) *py.Dict {
	_, _, _ = prompt.Pop(py.Str("function"))
	return prompt
}

// multiTurn is upstream's _evaluate_single_multi_turn_entry.
func (r *scoreRun) multiTurn(d *Dataset, id, raw py.Value, gt, prompt *py.Dict) (*py.Dict, error) {
	prompt = withoutFunction(prompt)
	answer := groundTruthOf(gt)
	turns, ok := raw.(*py.List)
	if !ok {
		return r.entryHead(id).With("error", errorObject("Error during inference phase. Model did not output a list of model responses.", "multi_turn:inference_error")).
			With("prompt", prompt).With("model_result", raw).With("possible_answer", answer), nil
	}
	gtTurns, _ := answer.(*py.List)
	if gtTurns == nil || len(turns.Items) != len(gtTurns.Items) {
		n := 0
		if gtTurns != nil {
			n = len(gtTurns.Items)
		}
		return r.entryHead(id).With("error", errorObject(fmt.Sprintf("Model was force-terminated during inference phase. The length of the model result turns (%d) does not match the length of the ground truth turns (%d).", len(turns.Items), n), "multi_turn:force_terminated")).
			With("prompt", prompt).With("model_result", raw).With("possible_answer", answer), nil
	}
	decoded := make([][][]string, len(turns.Items))
	decodedV := &py.List{}
	for t, turn := range turns.Items {
		steps, err := iterateResult(turn)
		if err != nil {
			return nil, fmt.Errorf("entry %s: turn %d: %w", py.StrOf(id), t, err)
		}
		turnV := &py.List{}
		for _, step := range steps {
			calls, err := r.decodeExecute(step)
			if err != nil || isEmptyCalls(calls) {
				continue
			}
			decoded[t] = append(decoded[t], calls)
			turnV.Items = append(turnV.Items, strList(calls))
		}
		decodedV.Items = append(decodedV.Items, turnV)
	}
	e, ok := d.Entry(py.StrOf(id))
	if !ok {
		return nil, fmt.Errorf("entry %s: not in the multi-turn data", py.StrOf(id))
	}
	res, detail, err := d.CheckDetailed(e, decoded, CheckOptions{ModelName: r.model})
	if err != nil {
		return nil, err
	}
	if res.Valid {
		return nil, nil
	}
	return r.entryHead(id).With("error", detail).With("prompt", prompt).With("model_result_raw", raw).
		With("model_result_decoded", decodedV).With("possible_answer", answer), nil
}

// isEmptyCalls is upstream's is_empty_execute_response.
func isEmptyCalls(calls []string) bool {
	return len(calls) == 0 || len(calls) == 1 && calls[0] == ""
}

func errorObject(msg, typ string) *py.Dict {
	return py.NewDict().With("error_message", &py.List{Items: []py.Value{py.Str(msg)}}).With("error_type", py.Str(typ))
}

// agentic is upstream's _evaluate_single_agentic_entry.
func (r *scoreRun) agentic(id, raw py.Value, gt, prompt *py.Dict) *py.Dict {
	prompt = withoutFunction(prompt)
	answer := groundTruthOf(gt)
	turns, ok := raw.(*py.List)
	if !ok || len(turns.Items) != 1 {
		return r.entryHead(id).With("error", errorObject("Error during inference phase. Model did not output a list of model responses.", "agentic:inference_error")).
			With("prompt", prompt).With("model_result", raw).With("possible_answer", answer)
	}
	var last py.Value = py.None
	decodedV := &py.List{}
	steps, err := iterateResult(turns.Items[0])
	if err != nil {
		steps = nil
	}
	for _, step := range steps {
		calls, err := r.decodeExecute(step)
		if err != nil || isEmptyCalls(calls) {
			last = step
			continue
		}
		decodedV.Items = append(decodedV.Items, strList(calls))
	}
	if !py.Truthy(last) {
		return r.entryHead(id).With("error", errorObject("Cannot find the last chat message that is not a function call.", "agentic:no_last_message")).
			With("prompt", prompt).With("model_result", raw).With("model_result_decoded", decodedV).With("possible_answer", answer)
	}
	verdict := AgenticCheck(last, answer)
	if verdict == nil {
		return nil
	}
	q, _ := prompt.GetStr("question")
	return r.entryHead(id).With("error", verdict).With("prompt", q).With("model_result_raw", raw).
		With("last_non_fc_message", last).With("possible_answer", answer)
}

var agenticPunct = regexp.MustCompile(`[,./\-_*^()]`)

// StandardizeAnswer is the agentic checker's standardize_string: drop
// the characters ,./-_*^() (whitespace stays), lowercase, ' becomes ".
func StandardizeAnswer(s string) string {
	return strings.ReplaceAll(strings.ToLower(agenticPunct.ReplaceAllString(s, "")), "'", `"`)
}

// AgenticCheck is upstream's agentic_checker: the response (the first
// item of a list; str() of a non-string) must contain one of the possible
// answers, standardized, between word boundaries. It returns nil when it
// does, otherwise upstream's verdict without "valid".
func AgenticCheck(response, possibleAnswers py.Value) *py.Dict {
	if l, ok := response.(*py.List); ok && len(l.Items) > 0 {
		response = l.Items[0]
	}
	text := py.StrOf(response)
	std := StandardizeAnswer(text)
	answers, _ := possibleAnswers.(*py.List)
	stdAnswers := &py.List{}
	if answers != nil {
		for _, a := range answers.Items {
			stdAnswers.Items = append(stdAnswers.Items, py.Str(StandardizeAnswer(py.StrOf(a))))
		}
	}
	for _, a := range stdAnswers.Items {
		if containsWord(std, string(a.(py.Str))) {
			return nil
		}
	}
	return py.NewDict().With("error_message", py.Str("None of the expected answers were found in the model response.")).
		With("error_type", py.Str("agentic:answer_not_found")).
		With("details", py.NewDict().With("model_response", py.Str(text)).With("possible_answers", possibleAnswers).
			With("standardized_model_response", py.Str(std)).With("standardized_possible_answers", stdAnswers))
}

// containsWord is re.search(r"\b" + re.escape(word) + r"\b", s) with
// Python's Unicode word characters.
func containsWord(s, word string) bool {
	rs, ws := []rune(s), []rune(word)
	isWord := func(i int) bool { return i >= 0 && i < len(rs) && py.IsWordChar(rs[i]) }
	boundary := func(i int) bool { return isWord(i-1) != isWord(i) }
	for i := 0; i+len(ws) <= len(rs); i++ {
		match := true
		for j := range ws {
			if rs[i+j] != ws[j] {
				match = false
				break
			}
		}
		if match && boundary(i) && boundary(i+len(ws)) {
			return true
		}
	}
	return false
}
