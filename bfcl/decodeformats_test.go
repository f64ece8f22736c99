package bfcl_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/bfcl/py"
)

// TestDecodeASTFormatMatchesUpstream decodes replies in each return format
// of the prompt-format configurations. The expectations are what upstream's
// default_decode_ast_prompting (CPython 3.11) returned for the same
// arguments: repr() of the result, or the exception's str() after "ERR ".
func TestDecodeASTFormatMatchesUpstream(t *testing.T) {
	tests := []struct {
		reply, format string
		tag           bool
		want          string
	}{
		{"```json\n[{\"function\":\"f\",\"parameters\":{\"a\":1,\"b\":\"x\"}}]\n```", "json", false, "[{'f': {'a': 1, 'b': 'x'}}]"},
		{"[f(a=1)]", "json", false, "[]"},
		{"<TOOLCALL>[{\"function\": \"f\", \"parameters\": {}}]</TOOLCALL>", "json", true, "[{'f': {}}]"},
		{"[1, {\"function\": \"f\", \"parameters\": {\"a\": null}}]", "json", false, "[{'f': {'a': None}}]"},
		{"Sure: [{\"function\": \"f\", \"parameters\": {\"a\": 1}}, {\"function\": \"g\", \"parameters\": {\"b\": [1, 2]}}] done", "json", false, "[{'f': {'a': 1}}, {'g': {'b': [1, 2]}}]"},
		{"[{\"parameters\": {}}]", "json", false, "ERR 'function'"},
		{`<functions><function name="f"><params><param name="a" value="3" type="integer"/><param name="b" value="[1, 2]" type="array"/><param name="c" value="x &amp; y" type="string"/><param name="d" value="True" type="boolean"/><param name="e" value="2.5" type="float"/></params></function></functions>`, "verbose_xml", false,
			"[{'f': {'a': 3, 'b': [1, 2], 'c': 'x & y', 'd': True, 'e': 2.5}}]"},
		{`<functions><function name="f"><param name="a" value="-4" type="integer"/><param value="v"/></function></functions>`, "verbose_xml", false, "[{'f': {'a': -4, None: 'v'}}]"},
		{`<functions><function name="g"><param name="a" type="integer"> 7 </param><param name="m" type="dict">{"k": (1, -2.5)}</param><param name="n" type="null">x</param><param name="s">  text  </param></function></functions>`, "concise_xml", false,
			"[{'g': {'a': 7, 'm': {'k': (1, -2.5)}, 'n': None, 's': 'text'}}]"},
		{"[f(a=1)]", "verbose_xml", false, "ERR No XML function call found in input string: [f(a=1)]. Missing <functions> tag."},
		{"<functions></functions>", "verbose_xml", true, "ERR No tool call tag found in input string: [<functions></functions>]"},
		{`<TOOLCALL><functions><function name="f"><param name="a" type="integer">x</param></function></functions></TOOLCALL>`, "concise_xml", true, "ERR invalid literal for int() with base 10: 'x'"},
		{`<functions><function name="f"><param name="a" type="float">1e3</param><param name="b" type="boolean">TRUE</param><param name="c" type="tuple">(1, 2)</param></function><function name="h"></function></functions>`, "concise_xml", false,
			"[{'f': {'a': 1000.0, 'b': True, 'c': (1, 2)}}, {'h': {}}]"},
		{"<TOOLCALL>[f(a=1)]</TOOLCALL>", "python", true, "[{'f': {'a': 1}}]"},
		{"[f(a=1)]", "python", true, "ERR No tool call tag found in input string: [f(a=1)]"},
	}
	for _, tc := range tests {
		got, err := bfcl.DecodeASTFormat(tc.reply, tc.format, tc.tag)
		s := ""
		if err != nil {
			s = "ERR " + err.Error()
		} else {
			s = py.Repr(got)
		}
		if s != tc.want {
			t.Errorf("DecodeASTFormat(%q, %s, %v) = %s; upstream %s", tc.reply, tc.format, tc.tag, s, tc.want)
		}
	}
}
