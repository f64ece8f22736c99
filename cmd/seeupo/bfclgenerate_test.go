package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/internal/testdata"
)

// readLines reads a JSON Lines file into objects.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m)
	}
	return out
}

// scoreHeader is the accuracy line of a score file.
func scoreHeader(t *testing.T, path string) (correct, total float64) {
	t.Helper()
	lines := readLines(t, path)
	if len(lines) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return lines[0]["correct_count"].(float64), lines[0]["total_count"].(float64)
}

// The ground-truth policy's result files, in both tool formats, score 100%
// on the entries it generated, with upstream's file layout on both sides.
func TestBfclGenerateGroundTruthScoresFull(t *testing.T) {
	data := bfclData(t)
	tests := []struct {
		format, folder string
	}{
		{"prompt", "ground-truth"},
		{"fc", "ground-truth-FC"},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			dir := t.TempDir()
			results, scores := filepath.Join(dir, "result"), filepath.Join(dir, "score")
			cats := "simple_python,parallel,live_multiple,irrelevance,live_relevance,multi_turn_base,multi_turn_miss_func"
			out, errOut, err := runCLI(t, "--data-dir", data, "bfcl", "generate", "--policy", "ground-truth",
				"--tool-format", tc.format, "--categories", cats, "--limit", "4", "--result-dir", results)
			if err != nil {
				t.Fatalf("%v\n%s\n%s", err, out, errOut)
			}
			resultFile := filepath.Join(results, tc.folder, "multi_turn", "BFCL_v4_multi_turn_base_result.json")
			lines := readLines(t, resultFile)
			if len(lines) != 4 || lines[0]["id"] != "multi_turn_base_0" {
				t.Fatalf("%s: %d lines, first %v", resultFile, len(lines), lines[0]["id"])
			}
			for _, k := range []string{"result", "input_token_count", "output_token_count", "latency"} {
				if _, ok := lines[0][k]; !ok {
					t.Errorf("%s: no field %s", resultFile, k)
				}
			}
			out, errOut, err = runCLI(t, "--data-dir", data, "bfcl", "evaluate", "--result-dir", results,
				"--score-dir", scores, "--partial-eval")
			if err != nil {
				t.Fatalf("%v\n%s\n%s", err, out, errOut)
			}
			for _, cat := range strings.Split(cats, ",") {
				p := filepath.Join(scores, tc.folder, filepath.FromSlash(bfcl.GroupDir(cat)), bfcl.ScoreFileName(cat))
				if correct, total := scoreHeader(t, p); correct != 4 || total != 4 {
					t.Errorf("%s: %v/%v correct, want 4/4", cat, correct, total)
				}
			}
			for _, csv := range []string{"data_overall.csv", "data_non_live.csv", "data_live.csv", "data_multi_turn.csv",
				"data_agentic.csv", "data_format_sensitivity.csv"} {
				if _, err := os.Stat(filepath.Join(scores, csv)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// A served model (the scripted chat server) plays multi-turn entries
// through generate in both tool formats; its result files score 100%.
func TestBfclGenerateOpenAIPolicy(t *testing.T) {
	bfclDir := testdata.Dir(t, "bfcl_v4")
	d, err := bfcl.Load(bfclDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{scriptPrompt, scriptFC} {
		t.Run(mode, func(t *testing.T) {
			srv, url := newScriptedServer(t, d, mode)
			dir := t.TempDir()
			results, scores := filepath.Join(dir, "result"), filepath.Join(dir, "score")
			out, errOut, err := runCLI(t, "--data-dir", filepath.Dir(bfclDir), "bfcl", "generate", "--policy", "openai",
				"--base-url", url, "--model", "org/scripted", "--tool-format", mode, "--categories", "multi_turn_base",
				"--limit", "3", "--result-dir", results)
			if err != nil {
				t.Fatalf("%v\n%s\n%s", err, out, errOut)
			}
			if len(srv.problems) > 0 {
				t.Fatalf("server saw: %v", srv.problems)
			}
			folder := "org_scripted"
			if mode == scriptFC {
				folder += "-FC"
			}
			lines := readLines(t, filepath.Join(results, folder, "multi_turn", "BFCL_v4_multi_turn_base_result.json"))
			if len(lines) != 3 {
				t.Fatalf("%d result lines, want 3", len(lines))
			}
			if tok := lines[0]["input_token_count"].([]any)[0].([]any)[0]; tok != 10.0 {
				t.Errorf("input_token_count[0][0] = %v, want the server's 10", tok)
			}
			if _, _, err := runCLI(t, "--data-dir", filepath.Dir(bfclDir), "bfcl", "evaluate", "--result-dir", results,
				"--score-dir", scores, "--partial-eval"); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(scores, folder, "multi_turn", "BFCL_v4_multi_turn_base_score.json")
			if correct, total := scoreHeader(t, p); correct != 3 || total != 3 {
				t.Errorf("%v/%v correct, want 3/3", correct, total)
			}
		})
	}
}

func TestBfclGenerateEvaluateErrors(t *testing.T) {
	data := bfclData(t)
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--categories", "memory_vector", "--result-dir", dir}, "--embeddings-url URL"},
		{[]string{"generate", "--categories", "web_search_base", "--result-dir", dir}, "--search-provider serpapi"},
		{[]string{"generate", "--categories", "web_search_base", "--search-provider", "corpus", "--result-dir", dir}, "--search-corpus FILE"},
		{[]string{"generate", "--categories", "memory_vector", "--embeddings-offline", "--embeddings-url", "http://x/v1", "--result-dir", dir}, "give one"},
		{[]string{"generate", "--categories", "nope", "--result-dir", dir}, `test category "nope"`},
		{[]string{"generate", "--policy", "native", "--categories", "simple_python", "--result-dir", dir}, "seeupo serve"},
		{[]string{"generate", "--policy", "openai", "--categories", "simple_python", "--result-dir", dir}, "--base-url"},
		{[]string{"evaluate", "--result-dir", filepath.Join(dir, "absent"), "--score-dir", filepath.Join(dir, "s")}, "result folder"},
		{[]string{"evaluate", "--result-dir", dir, "--score-dir", filepath.Join(dir, "s"), "--model", "ghost"}, `model "ghost"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args[:3], " "), func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"--data-dir", data, "bfcl"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// format_sensitivity: the ground-truth policy answers each prompt-format
// configuration in its return format and tool-call tag, and evaluate
// decodes them so (every configuration of the first two entries scores
// 100%); fc mode skips the category as upstream does.
func TestBfclGenerateFormatSensitivity(t *testing.T) {
	data := bfclData(t)
	dir := t.TempDir()
	results, scores := filepath.Join(dir, "result"), filepath.Join(dir, "score")
	tests := []struct {
		format, wantLog string
	}{
		{"prompt", "format_sensitivity: 52 entries generated"},
		{"fc", "format_sensitivity: skipped"},
	}
	for _, tc := range tests {
		out, errOut, err := runCLI(t, "--data-dir", data, "bfcl", "generate", "--policy", "ground-truth",
			"--tool-format", tc.format, "--categories", "format_sensitivity", "--limit", "52", "--result-dir", results)
		if err != nil || !strings.Contains(out, tc.wantLog) {
			t.Fatalf("%s: %v\n%s\n%s", tc.format, err, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(results, "ground-truth-FC")); err == nil {
		t.Errorf("fc mode wrote a format_sensitivity result folder")
	}
	out, errOut, err := runCLI(t, "--data-dir", data, "bfcl", "evaluate", "--result-dir", results,
		"--score-dir", scores, "--partial-eval")
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	p := filepath.Join(scores, "ground-truth", "format_sensitivity", bfcl.ScoreFileName("format_sensitivity"))
	if correct, total := scoreHeader(t, p); correct != 52 || total != 52 {
		t.Errorf("%v/%v correct, want 52/52", correct, total)
	}
	header := readLines(t, p)[0]
	for _, c := range bfcl.FormatSensitivityConfigs() {
		st, ok := header[c].(map[string]any)
		if !ok || st["correct_count"] != 2.0 || st["total_count"] != 2.0 {
			t.Errorf("configuration %s: %v, want 2 of 2 correct", c, header[c])
		}
	}
}

// The ground-truth policy on the Java and JavaScript categories: every
// entry scores except those whose possible answer has no text that
// upstream's parser and type converter turn back into it (docs/bfcl.md,
// "Java and JavaScript replies"): a HashMap with entries (upstream's
// walk drops the body of new HashMap<>() {{ put(…); }}), an Array of
// strings that are not Java expressions (upstream's converter keeps the
// quotes of quoted items), an ArrayList of "any" items mixing strings and
// other values; and simple_java_64, whose possible answer holds a string
// where a list of allowed values belongs, so that only a map upstream
// reads as empty passes.
func TestBfclGenerateGroundTruthJavaJavaScript(t *testing.T) {
	data := bfclData(t)
	dir := t.TempDir()
	results, scores := filepath.Join(dir, "result"), filepath.Join(dir, "score")
	for _, format := range []string{"prompt", "fc"} {
		out, errOut, err := runCLI(t, "--data-dir", data, "bfcl", "generate", "--policy", "ground-truth",
			"--tool-format", format, "--categories", "simple_java,simple_javascript", "--result-dir", results)
		if err != nil {
			t.Fatalf("%v\n%s\n%s", err, out, errOut)
		}
	}
	out, errOut, err := runCLI(t, "--data-dir", data, "bfcl", "evaluate", "--result-dir", results, "--score-dir", scores)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	tests := []struct {
		folder, category string
		total            int
		failing          []string
	}{
		{"ground-truth", "simple_java", 100, []string{"simple_java_1", "simple_java_35", "simple_java_36",
			"simple_java_65", "simple_java_67", "simple_java_68", "simple_java_85"}},
		{"ground-truth", "simple_javascript", 50, nil},
		{"ground-truth-FC", "simple_java", 100, []string{"simple_java_36", "simple_java_64", "simple_java_65"}},
		{"ground-truth-FC", "simple_javascript", 50, nil},
	}
	for _, tc := range tests {
		p := filepath.Join(scores, tc.folder, "non_live", bfcl.ScoreFileName(tc.category))
		lines := readLines(t, p)
		var failing []string
		for _, l := range lines[1:] {
			failing = append(failing, l["id"].(string))
		}
		correct, total := scoreHeader(t, p)
		if int(total) != tc.total || int(correct) != tc.total-len(tc.failing) ||
			strings.Join(failing, ",") != strings.Join(tc.failing, ",") {
			t.Errorf("%s %s: %v/%v correct, failing %v; want %d/%d, failing %v",
				tc.folder, tc.category, correct, total, failing, tc.total-len(tc.failing), tc.total, tc.failing)
		}
	}
}

// The agentic categories through the command line: with the offline
// services (hashed embeddings, a recorded corpus) the ground-truth policy
// generates memory (prerequisites and snapshots included) and web search,
// and evaluate scores them 100%; in a collection, a category whose service
// is missing is skipped with a message naming the flag.
func TestBfclGenerateAgentic(t *testing.T) {
	data := bfclData(t)
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.json")
	if err := os.WriteFile(corpus, []byte(`{"documents": [{"title": "T", "link": "https://e.test/a", "snippet": "s", "content": "<p>text</p>"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	results, scores := filepath.Join(dir, "result"), filepath.Join(dir, "score")
	out, _, err := runCLI(t, "--data-dir", data, "bfcl", "generate", "--categories", "memory_kv,memory_vector,memory_rec_sum,web_search_base,web_search_no_snippet",
		"--embeddings-offline", "--search-provider", "corpus", "--search-corpus", corpus, "--limit", "2", "--result-dir", results)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "memory_vector_prereq: 10 entries generated") {
		t.Errorf("generate output:\n%s", out)
	}
	if _, _, err := runCLI(t, "--data-dir", data, "bfcl", "evaluate", "--result-dir", results, "--score-dir", scores, "--partial-eval"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"agentic/memory/kv/BFCL_v4_memory_kv_score.json", "agentic/memory/vector/BFCL_v4_memory_vector_score.json",
		"agentic/memory/rec_sum/BFCL_v4_memory_rec_sum_score.json", "agentic/BFCL_v4_web_search_base_score.json",
		"agentic/BFCL_v4_web_search_no_snippet_score.json"} {
		if c, n := scoreHeader(t, filepath.Join(scores, "ground-truth", f)); c != 2 || n != 2 {
			t.Errorf("%s: %v/%v, want 2/2", f, c, n)
		}
	}
	_, stderr, err := runCLI(t, "--data-dir", data, "bfcl", "generate", "--categories", "agentic", "--limit", "1", "--result-dir", filepath.Join(dir, "r2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"skipped memory_vector", "--embeddings-url", "skipped web_search_base", "--search-provider"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
