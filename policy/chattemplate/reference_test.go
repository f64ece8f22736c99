package chattemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const debianPython = "/usr/bin/python3"

// fixedNow is the time strftime_now reports on both sides.
var fixedNow = time.Date(2025, time.March, 7, 9, 5, 3, 0, time.UTC)

// The published templates under testdata/templates (see the README there).
var publishedTemplates = []string{"qwen2.5-instruct.jinja", "qwen3.jinja"}

var qwenSpecials = map[string]string{"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}

type refCase struct {
	Conversation        json.RawMessage `json:"conversation"`
	AddGenerationPrompt bool            `json:"add_generation_prompt"`
	Kwargs              map[string]any  `json:"kwargs,omitempty"`
}

type refResult struct {
	Text  *string `json:"text"`
	Error string  `json:"error"`
}

// jinja2Missing says why the reference renderer cannot run, or "".
func jinja2Missing() string {
	if err := exec.Command(debianPython, "-c", "import jinja2").Run(); err != nil {
		return fmt.Sprintf("%s with python3-jinja2 is not available (%v); .ci/run installs it", debianPython, err)
	}
	return ""
}

// renderReference renders the cases with testdata/render_jinja2.py.
func renderReference(t *testing.T, source string, specials map[string]string, cases []refCase) []refResult {
	t.Helper()
	req, err := json.Marshal(map[string]any{"template": source, "specials": specials, "now": fixedNow.Format("2006-01-02T15:04:05"), "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(debianPython, "testdata/render_jinja2.py")
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("render_jinja2.py: %v\n%s", err, stderr.String())
	}
	var res []refResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != len(cases) {
		t.Fatalf("render_jinja2.py answered %d cases of %d", len(res), len(cases))
	}
	return res
}

func loadConversations(t *testing.T) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/conversations.json")
	if err != nil {
		t.Fatal(err)
	}
	var convs []json.RawMessage
	if err := json.Unmarshal(b, &convs); err != nil {
		t.Fatal(err)
	}
	return convs
}

// optionSets are the apply_chat_template arguments every conversation is
// rendered with.
var optionSets = []struct {
	agp      bool
	thinking *bool
}{
	{false, nil},
	{true, nil},
	{true, boolPtr(false)},
	{true, boolPtr(true)},
}

func boolPtr(b bool) *bool { return &b }

// The published Qwen2.5 and Qwen3 templates render the conversation
// corpus (tools, tool calls, tool results, reasoning, Unicode) exactly as
// Python's jinja2 does under transformers' settings.
func TestPublishedTemplatesMatchJinja2(t *testing.T) {
	if why := jinja2Missing(); why != "" {
		t.Skip(why)
	}
	convs := loadConversations(t)
	if len(convs) < 50 {
		t.Fatalf("the corpus holds %d conversations, want at least 50", len(convs))
	}
	for _, name := range publishedTemplates {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata/templates", name))
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := New(string(src), qwenSpecials)
			if err != nil {
				t.Fatal(err)
			}
			var cases []refCase
			for _, c := range convs {
				for _, o := range optionSets {
					rc := refCase{Conversation: c, AddGenerationPrompt: o.agp}
					if o.thinking != nil {
						rc.Kwargs = map[string]any{"enable_thinking": *o.thinking}
					}
					cases = append(cases, rc)
				}
			}
			ref := renderReference(t, string(src), qwenSpecials, cases)
			rendered := map[int]bool{}
			for i, rc := range cases {
				o := optionSets[i%len(optionSets)]
				got, err := tmpl.RenderJSON(rc.Conversation, Options{AddGenerationPrompt: o.agp, EnableThinking: o.thinking, Now: fixedNow})
				want := ref[i]
				label := fmt.Sprintf("conversation %d (%s), add_generation_prompt=%v enable_thinking=%s", i/len(optionSets), note(rc.Conversation), o.agp, showBool(o.thinking))
				switch {
				case want.Text == nil && err == nil:
					t.Errorf("%s: jinja2 fails (%s), Go renders %q", label, want.Error, got)
				case want.Text != nil && err != nil:
					t.Errorf("%s: Go fails (%v), jinja2 renders %q", label, err, *want.Text)
				case want.Text != nil && got != *want.Text:
					t.Errorf("%s:\n  go:     %q\n  jinja2: %q\n  first difference at byte %d", label, got, *want.Text, firstDiff(got, *want.Text))
				case want.Text != nil:
					rendered[i/len(optionSets)] = true
				}
			}
			if len(rendered) < 50 {
				t.Errorf("%d conversations rendered identically, want at least 50", len(rendered))
			}
		})
	}
}

func note(conv json.RawMessage) string {
	var c struct {
		Note string `json:"note"`
	}
	json.Unmarshal(conv, &c)
	return c.Note
}

func showBool(b *bool) string {
	if b == nil {
		return "unset"
	}
	return fmt.Sprint(*b)
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// Templates written to exercise what the wrapper changes: transformers'
// tojson (float spelling, U+2028, indent, separators, sort_keys,
// ensure_ascii), strftime_now, raise_exception, and tojson inside longer
// expressions.
func TestWrapperFeaturesMatchJinja2(t *testing.T) {
	if why := jinja2Missing(); why != "" {
		t.Skip(why)
	}
	conv := json.RawMessage(`{"messages": [{"role": "user", "content": "x\u2028y", "n": [1.0, 0.1, 1e22, 1e-7, 123456789012.5, -0.0, 100, 12345678901234567, 1.5e300, 0.0001]}],
		"tools": [{"b": 1, "a": {"z": "é", "y": [true, null]}}]}`)
	templates := []string{
		`{{ messages[0].n | tojson }}`,
		`{{ messages[0].content | tojson }}|{{ messages[0] | tojson(ensure_ascii=true) }}`,
		`{{ tools[0] | tojson(indent=2) }}`,
		`{{ tools[0] | tojson(separators=(",", ":"), sort_keys=true) }}`,
		`{{ tools | tojson(indent=1) }}{{ [] | tojson(indent=2) }}{{ {} | tojson }}`,
		`{{- "a" ~ (tools[0].a | tojson) ~ messages[0]['n'][1:3] | tojson -}}`,
		`{% set s = tools[0].a.y | tojson %}{{ s }}{{ "lit | tojson" }}`,
		`{{ strftime_now("%Y-%m-%d %H:%M:%S %d %B %b %A %a %j %I %p %-d %y") }}`,
		`{%- if messages | length > 0 %}{{ raise_exception("no " ~ messages[0].role) }}{% endif %}`,
		`{{ messages[0].n[1] }} {{ 3 / 2 }} {{ messages[0].n[6] }} {{ messages[0].n | length }}`,
	}
	for i, src := range templates {
		tmpl, err := New(src, nil)
		if err != nil {
			t.Errorf("template %d %q: %v", i, src, err)
			continue
		}
		ref := renderReference(t, src, nil, []refCase{{Conversation: conv}})[0]
		got, err := tmpl.RenderJSON(conv, Options{Now: fixedNow})
		switch {
		case ref.Text == nil && err == nil:
			t.Errorf("template %d %q: jinja2 fails (%s), Go renders %q", i, src, ref.Error, got)
		case ref.Text == nil && !strings.Contains(err.Error(), "no user"):
			t.Errorf("template %d %q: Go fails with %v, jinja2 with %s", i, src, err, ref.Error)
		case ref.Text != nil && err != nil:
			t.Errorf("template %d %q: Go fails (%v), jinja2 renders %q", i, src, err, *ref.Text)
		case ref.Text != nil && got != *ref.Text:
			t.Errorf("template %d %q:\n  go:     %q\n  jinja2: %q", i, src, got, *ref.Text)
		}
	}
}
