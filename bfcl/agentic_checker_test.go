package bfcl_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

// checkerCase is a model response and the possible answers it is judged
// against.
type checkerCase struct {
	Response any      `json:"response"`
	Answers  []string `json:"answers"`
}

// verdict is AgenticCheck's result in the shape of upstream's
// agentic_checker return value, as json.dumps writes it.
func verdict(t *testing.T, c checkerCase) string {
	t.Helper()
	b, _ := json.Marshal(c.Response)
	resp, err := py.FromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	answers := &py.List{}
	for _, a := range c.Answers {
		answers.Items = append(answers.Items, py.Str(a))
	}
	v := bfcl.AgenticCheck(resp, answers)
	out := py.NewDict().With("valid", py.Bool(v == nil))
	if v == nil {
		out.SetStr("error", &py.List{})
	} else {
		for i := 0; i < v.Len(); i++ {
			_ = out.Set(v.KeyAt(i), v.ValueAt(i))
		}
	}
	s, err := py.Dumps(out)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// answerCases builds responses from the possible answers of the memory
// and web-search categories: the answer in upstream's answer format, in
// a sentence in upper case, with its spaces turned into hyphens or
// dropped, glued to a longer word, cut short, another entry's answer, as
// a one-item list, and a non-string.
func answerCases(t *testing.T, data string) []checkerCase {
	var out []checkerCase
	for _, file := range []string{"BFCL_v4_memory.json", "BFCL_v4_web_search.json"} {
		gt := possibleAnswers(t, data, file)
		var ids []string
		for id := range gt {
			ids = append(ids, id)
		}
		sortStrings(ids)
		for i, id := range ids {
			answers := gt[id]
			other := gt[ids[(i+1)%len(ids)]][0]
			for _, a := range answers {
				rs := []string{a}
				for _, r := range []string{
					bfcl.AgenticAnswer(a, "because"),
					"The answer is " + strings.ToUpper(a) + "!",
					strings.ReplaceAll(a, " ", "-"),
					strings.ReplaceAll(a, " ", ""),
					"x" + a, a + "s", "(" + a + ")",
					strings.ReplaceAll(a, "'", "’"),
					bfcl.AgenticAnswer(other, "another entry's answer"),
				} {
					rs = append(rs, r)
				}
				if n := len([]rune(a)); n > 1 {
					rs = append(rs, string([]rune(a)[:n-1]))
				}
				for _, r := range rs {
					out = append(out, checkerCase{Response: r, Answers: answers})
				}
				out = append(out, checkerCase{Response: []any{a, "second"}, Answers: answers})
			}
			out = append(out, checkerCase{Response: 42, Answers: answers})
		}
	}
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Hand-worked verdicts of upstream's agentic_checker (standardise: drop
// ,./-_*^(), lower case, ' to "; then the answer between \b boundaries).
func TestAgenticCheckHandWorked(t *testing.T) {
	tests := []struct {
		response any
		answers  []string
		valid    bool
	}{
		{"{'answer': 'Michael', 'context': 'x'}", []string{"Michael"}, true},
		{"It is April 1, 2024.", []string{"April 1, 2024"}, true},
		// White space is kept (upstream's docstring says otherwise).
		{"It is April 1,2024.", []string{"April 1, 2024"}, false},
		{"April-1-2024", []string{"April 1, 2024"}, false},
		{"Michaels", []string{"Michael"}, false},
		{"35 years", []string{"35", "thirty five"}, true},
		{"thirty-five", []string{"35", "thirty five"}, false},
		{[]any{"Seattle, WA", "x"}, []string{"Seattle"}, true},
		{[]any{"x", "Seattle"}, []string{"Seattle"}, false},
		{7, []string{"7", "seven"}, true},
		{"U.S.A.", []string{"USA"}, true},
	}
	for _, tc := range tests {
		got := bfcl.AgenticCheck(mustPy(t, tc.response), pyStrings(tc.answers)) == nil
		if got != tc.valid {
			t.Errorf("%v against %q: valid %v, want %v", tc.response, tc.answers, got, tc.valid)
		}
	}
}

func mustPy(t *testing.T, v any) py.Value {
	b, _ := json.Marshal(v)
	x, err := py.FromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func pyStrings(s []string) *py.List {
	l := &py.List{}
	for _, x := range s {
		l.Items = append(l.Items, py.Str(x))
	}
	return l
}

// TestAgenticCheckMatchesUpstream runs upstream's agentic_checker (from
// SEEUPO_BFCL_UPSTREAM) on responses built from every possible answer of
// the memory and web-search categories and compares its whole return
// value, as json.dumps writes it, with AgenticCheck's.
func TestAgenticCheckMatchesUpstream(t *testing.T) {
	root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
	if root == "" {
		t.Skip("SEEUPO_BFCL_UPSTREAM is not set: point it at the berkeley-function-call-leaderboard folder of ShishirPatil/gorilla at 6ea5797 (or the checkout holding it); python3 runs its agentic_checker")
	}
	if sub := filepath.Join(root, "berkeley-function-call-leaderboard"); dirExists(sub) {
		root = sub
	}
	data := testdata.Dir(t, "bfcl_v4")
	cases := answerCases(t, data)
	var in bytes.Buffer
	for _, c := range cases {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command("python3", filepath.Join("testdata", "agentic_checker_driver.py"), root)
	cmd.Stdin = &in
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 testdata/agentic_checker_driver.py: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n, valid, differ := 0, 0, 0
	for sc.Scan() {
		if n >= len(cases) {
			t.Fatalf("more verdicts than cases")
		}
		want := sc.Text()
		got := verdict(t, cases[n])
		if strings.HasPrefix(want, `{"valid": true`) {
			valid++
		}
		if got != want {
			differ++
			if differ <= 10 {
				t.Errorf("case %d %s:\n got %s\nwant %s", n, fmt.Sprint(cases[n]), got, want)
			}
		}
		n++
	}
	if n != len(cases) {
		t.Fatalf("%d verdicts for %d cases", n, len(cases))
	}
	t.Logf("%d cases (%d valid upstream), %d differ", n, valid, differ)
	if valid == 0 || valid == n {
		t.Errorf("the cases do not exercise both verdicts")
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// TestMemorySystemPromptMatchesUpstream formats upstream's memory prompt
// templates (constants/default_prompts.py, from SEEUPO_BFCL_UPSTREAM) for
// every memory category and scenario and compares MemorySystemPrompt's.
func TestMemorySystemPromptMatchesUpstream(t *testing.T) {
	root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
	if root == "" {
		t.Skip("SEEUPO_BFCL_UPSTREAM is not set: point it at the berkeley-function-call-leaderboard folder of ShishirPatil/gorilla at 6ea5797 (or the checkout holding it)")
	}
	if sub := filepath.Join(root, "berkeley-function-call-leaderboard"); dirExists(sub) {
		root = sub
	}
	const script = `import json, sys
ns = {}
exec(open(sys.argv[1]).read(), ns)
out = {}
for cat in ["memory_kv", "memory_vector", "memory_rec_sum"]:
    for sc, setting in ns["MEMORY_AGENT_SETTINGS"].items():
        tmpl = ns["MEMORY_BACKEND_INSTRUCTION_UNIFIED"] if "rec_sum" in cat else ns["MEMORY_BACKEND_INSTRUCTION_CORE_ARCHIVAL"]
        out[cat + "/" + sc] = tmpl.format(scenario_setting=setting, memory_content="{\n    \"k\": \"v\"\n}")
print(json.dumps(out))
`
	out, err := exec.Command("python3", "-c", script, filepath.Join(root, "bfcl_eval", "constants", "default_prompts.py")).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != 15 {
		t.Fatalf("%d prompts from upstream, want 15", len(want))
	}
	for key, w := range want {
		cat, sc, _ := strings.Cut(key, "/")
		got, err := bfcl.MemorySystemPrompt(cat, sc, "{\n    \"k\": \"v\"\n}")
		if err != nil || got != w {
			t.Errorf("%s: %v\n got %q\nwant %q", key, err, got, w)
		}
	}
}
