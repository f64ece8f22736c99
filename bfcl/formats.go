package bfcl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// DefaultPromptFormat is the prompt-format configuration of every entry
// outside format sensitivity (upstream's DEFAULT_SYSTEM_PROMPT_FORMAT).
const DefaultPromptFormat = "ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=plaintext&style=classic"

// Return formats of the prompt-format configurations.
const (
	ReturnPython     = "python"
	ReturnJSON       = "json"
	ReturnVerboseXML = "verbose_xml"
	ReturnConciseXML = "concise_xml"
	// ReturnJava and ReturnJavaScript are the return formats upstream's
	// evaluation gives the Java and JavaScript categories' replies (no
	// prompt-format configuration asks for them).
	ReturnJava       = "java"
	ReturnJavaScript = "javascript"
)

// returnFormatOf is the return format upstream's AST runner decodes a
// category's replies in: Java and JavaScript for theirs, else Python.
func returnFormatOf(category string) string {
	switch {
	case isJava(category):
		return ReturnJava
	case isJS(category):
		return ReturnJavaScript
	}
	return ReturnPython
}

// PromptFormat is one prompt-format configuration: how the model is asked
// to write its calls, how the function docs are shown, and the prompt's
// layout and wording.
type PromptFormat struct {
	Return      string // python, json, verbose_xml, concise_xml
	ToolCallTag bool   // calls inside <TOOLCALL>…</TOOLCALL>
	DocFormat   string // python, xml, json
	Layout      string // plaintext, markdown
	Style       string // classic, experimental
}

var promptFormatRE = regexp.MustCompile(`^ret_fmt=(python|json|verbose_xml|concise_xml)&tool_call_tag=(True|False)&func_doc_fmt=(python|xml|json)&prompt_fmt=(plaintext|markdown)&style=(classic|experimental)$`)

// ParsePromptFormat is upstream's parse_prompt_variation_params.
func ParsePromptFormat(s string) (PromptFormat, error) {
	m := promptFormatRE.FindStringSubmatch(s)
	if m == nil {
		return PromptFormat{}, fmt.Errorf("invalid prompt format %q", s)
	}
	return PromptFormat{Return: m[1], ToolCallTag: m[2] == "True", DocFormat: m[3], Layout: m[4], Style: m[5]}, nil
}

// PromptFormatOfID is the configuration an entry id names
// (format_sensitivity_<n>:<configuration>:<id>), else the default.
func PromptFormatOfID(id string) string {
	parts := strings.Split(id, ":")
	if len(parts) == 3 {
		return parts[1]
	}
	return DefaultPromptFormat
}

// outputFormats and paramTypes fill the tool-call part of the prompt per
// return format (OUTPUT_FORMAT_MAPPING, PARAM_TYPE_MAPPING).
var (
	outputFormats = map[string]string{
		ReturnPython:     "[func_name1(params_name1=params_value1, params_name2=params_value2...), func_name2(params)]",
		ReturnJSON:       "```json\n[{\"function\":\"func_name1\",\"parameters\":{\"param1\":\"value1\",\"param2\":\"value2\"...}},{\"function\":\"func_name2\",\"parameters\":{\"param\":\"value\"}}]\n```",
		ReturnVerboseXML: `<functions><function name="func_name1"><params><param name="param1" value="value1" type="type1"/><param name="param2" value="value2" type="type2"/>...</params></function><function name="func_name2"><params><param name="param3" value="value3" type="type3"/></params></function></functions>`,
		ReturnConciseXML: `<functions><function name="func_name1"><param name="param1" type="type1">value1</param><param name="param2" type="type2">value2</param>...</function><function name="func_name2"><param name="param3" type="type3">value</param></function></functions>`,
	}
	xmlParamTypes = "The type fields of the parameters in your function calls must be one of: string, integer, float, boolean, array, dict, or tuple."
	paramTypes    = map[string]string{ReturnPython: "", ReturnJSON: "", ReturnVerboseXML: xmlParamTypes, ReturnConciseXML: xmlParamTypes}
)

// promptStyle is the wording of one style (PROMPT_STYLE_TEMPLATES);
// toolCall and toolCallTag hold %[1]s for the output format and %[2]s
// for the parameter-type sentence, tools %[1]s for the doc format and
// %[2]s for the docs.
type promptStyle struct {
	persona, task, toolCall, toolCallTag, multiTurn, tools string
}

var promptStyles = map[string]promptStyle{
	"classic": {
		persona:     promptPersona,
		task:        promptTask,
		toolCall:    "You should only return the function calls in your response.\n\nIf you decide to invoke any of the function(s), you MUST put it in the format of %[1]s. %[2]s You SHOULD NOT include any other text in the response.",
		toolCallTag: "You should only return the function calls in the <TOOLCALL> section. If you decide to invoke any of the function(s), you MUST put it in the format of <TOOLCALL>%[1]s</TOOLCALL>. %[2]s You SHOULD NOT include any other text in the response.",
		multiTurn:   promptMulti,
		tools:       "Here is a list of functions in %[1]s format that you can invoke.\n%[2]s\n",
	},
	"experimental": {
		persona:     "You are an expert in generating structured function calls.",
		task:        "You are given a user query and a set of available functions. Your task is to produce one or more function/tool calls to fulfill the user's request. If no suitable function exists, or required parameters are missing, clearly indicate this.",
		toolCall:    "Respond with only the function calls.\n\nYou MUST format it exactly as %[1]s. %[2]s Do NOT include any other text.",
		toolCallTag: "Return only the function calls enclosed in <TOOLCALL> tags.\n\nYou MUST format it exactly as <TOOLCALL>%[1]s</TOOLCALL>. %[2]s Do NOT include any other text.",
		multiTurn:   "At every turn, aim to complete the user's tasks within that turn. Continue emitting function calls until the request is satisfied to the best of your ability. Once no more calls are needed, the system will proceed to the next turn.",
		tools:       "Below is a list of callable functions in the %[1]s style:\n%[2]s\n",
	},
}

// FormulateSystemPrompt is upstream's formulate_system_prompt: the system
// prompt of a prompt-format configuration for the function docs.
func FormulateSystemPrompt(config string, functions py.Value) (string, error) {
	f, err := ParsePromptFormat(config)
	if err != nil {
		return "", err
	}
	docs, err := FormatFunctionDocs(functions, f.DocFormat)
	if err != nil {
		return "", err
	}
	st := promptStyles[f.Style]
	tmpl := st.toolCall
	if f.ToolCallTag {
		tmpl = st.toolCallTag
	}
	toolCall := fmt.Sprintf(tmpl, outputFormats[f.Return], paramTypes[f.Return])
	tools := fmt.Sprintf(st.tools, f.DocFormat, docs)
	if f.Layout == "markdown" {
		return st.persona + "\n\n## Task\n" + st.task + "\n\n## Tool Call Format\n" + toolCall +
			"\n\n## Multi-turn Behavior\n" + st.multiTurn + "\n\n## Available Tools\n" + tools, nil
	}
	return st.persona + st.task + "\n\n" + toolCall + "\n\n" + st.multiTurn + "\n\n" + tools, nil
}

// FormatFunctionDocs is upstream's format_function_doc: the docs as
// json.dumps(indent=4), as XML or as Python docstrings.
func FormatFunctionDocs(functions py.Value, format string) (string, error) {
	switch format {
	case "json":
		return py.DumpsIndent(functions, 4)
	case "xml", "python":
		l, ok := functions.(*py.List)
		if !ok {
			return "", fmt.Errorf("function docs: want a list")
		}
		var docs []*py.Dict
		for _, it := range l.Items {
			d, ok := it.(*py.Dict)
			if !ok {
				return "", fmt.Errorf("function docs: want objects")
			}
			docs = append(docs, d)
		}
		if format == "xml" {
			return docsXML(docs)
		}
		return docsPython(docs), nil
	}
	return "", fmt.Errorf("invalid function doc format %q", format)
}

// getOr is dict.get(key, def).
func getOr(d *py.Dict, key string, def py.Value) py.Value {
	if v, ok := d.GetStr(key); ok {
		return v
	}
	return def
}

// withEnum is a description with " Enum values: [...]." when the schema
// has an enum.
func withEnum(meta *py.Dict) string {
	desc := py.StrOf(getOr(meta, "description", py.Str("")))
	if e, ok := meta.GetStr("enum"); ok {
		desc += " Enum values: " + py.StrOf(e) + "."
	}
	return desc
}

func docsXML(fns []*py.Dict) (string, error) {
	blocks := make([]string, len(fns))
	for i, fn := range fns {
		name, ok := fn.GetStr("name")
		if !ok {
			return "", fmt.Errorf("function doc: no name")
		}
		params, _ := fn.GetStr("parameters")
		pd, ok := params.(*py.Dict)
		if !ok {
			return "", fmt.Errorf("function %s: parameters: want an object", py.StrOf(name))
		}
		var b strings.Builder
		b.WriteString(`<function name="` + py.StrOf(name) + "\">\n")
		b.WriteString("  <desc>" + py.StrOf(getOr(fn, "description", py.Str(""))) + "</desc>\n")
		b.WriteString("  <params>\n")
		if err := paramsXML(&b, getOr(pd, "properties", py.NewDict()), getOr(pd, "required", py.None), 2); err != nil {
			return "", err
		}
		b.WriteString("  </params>\n</function>\n")
		blocks[i] = b.String()
	}
	return strings.Join(blocks, "\n"), nil
}

func paramsXML(b *strings.Builder, props, required py.Value, level int) error {
	pd, ok := props.(*py.Dict)
	if !ok {
		return fmt.Errorf("properties: want an object")
	}
	for i := 0; i < pd.Len(); i++ {
		meta, ok := pd.ValueAt(i).(*py.Dict)
		if !ok {
			return fmt.Errorf("property %s: want an object", py.StrOf(pd.KeyAt(i)))
		}
		if err := paramXML(b, py.StrOf(pd.KeyAt(i)), meta, required, level); err != nil {
			return err
		}
	}
	return nil
}

// paramXML is one parameter of upstream's _generate_function_doc_xml.
func paramXML(b *strings.Builder, name string, meta *py.Dict, required py.Value, level int) error {
	indent := strings.Repeat(" ", level*2)
	typ := py.StrOf(getOr(meta, "type", py.Str("string")))
	req := "true"
	if required != py.None {
		req = "false"
		if l, ok := required.(*py.List); ok {
			for _, r := range l.Items {
				if s, ok := r.(py.Str); ok && string(s) == name {
					req = "true"
				}
			}
		}
	}
	items, _ := meta.GetStr("items")
	if id, ok := items.(*py.Dict); ok && hasKey(id, "type") {
		t, _ := id.GetStr("type")
		typ += "[" + py.StrOf(t) + "]"
	} else if ap, ok := meta.GetStr("additionalProperties"); ok {
		apd, ok := ap.(*py.Dict)
		if !ok {
			return fmt.Errorf("property %s: additionalProperties: want an object", name)
		}
		typ += "[" + py.StrOf(getOr(apd, "type", py.Str("string"))) + "]"
	}
	attrs := `name="` + name + `", type="` + typ + `", required="` + req + `"`
	if def, ok := meta.GetStr("default"); ok {
		attrs += ` default="` + py.Repr(def) + `"`
	}
	b.WriteString(indent + "<param " + strings.ReplaceAll(attrs, ",", "") + ">\n")
	b.WriteString(indent + "  <desc>" + withEnum(meta) + "</desc>\n")
	if props, ok := meta.GetStr("properties"); ok {
		b.WriteString(indent + "  <params>\n")
		if err := paramsXML(b, props, getOr(meta, "required", py.None), level+2); err != nil {
			return err
		}
		b.WriteString(indent + "  </params>\n")
	}
	b.WriteString(indent + "</param>\n")
	return nil
}

func hasKey(d *py.Dict, k string) bool {
	_, ok := d.GetStr(k)
	return ok
}

// pyTypeOf is upstream's _to_py_type for the Python doc format.
func pyTypeOf(meta *py.Dict) string {
	t := py.StrOf(getOr(meta, "type", py.Str("string")))
	switch t {
	case "string":
		return "str"
	case "number":
		return "float"
	case "integer":
		return "int"
	case "boolean":
		return "bool"
	case "array", "list", "tuple":
		if items, ok := meta.GetStr("items"); ok {
			if id, ok := items.(*py.Dict); ok {
				return "list[" + pyTypeOf(id) + "]"
			}
		}
	case "object", "dict":
		if ap, ok := meta.GetStr("additionalProperties"); ok {
			if apd, ok := ap.(*py.Dict); ok {
				return "dict[str, " + pyTypeOf(apd) + "]"
			}
		}
		return "dict"
	}
	return t
}

func paramPython(b *strings.Builder, name string, meta *py.Dict, depth int) {
	note := ""
	if def, ok := meta.GetStr("default"); ok {
		note = ", default=" + py.Repr(def)
	}
	b.WriteString(strings.Repeat(" ", 8+4*depth) + name + " (" + pyTypeOf(meta) + note + "): " + withEnum(meta) + "\n")
	if props, ok := meta.GetStr("properties"); ok {
		if pd, ok := props.(*py.Dict); ok {
			for i := 0; i < pd.Len(); i++ {
				if child, ok := pd.ValueAt(i).(*py.Dict); ok {
					paramPython(b, py.StrOf(pd.KeyAt(i)), child, depth+1)
				}
			}
		}
	}
}

// docsPython is upstream's _generate_function_doc_python.
func docsPython(fns []*py.Dict) string {
	var parts []string
	for _, fn := range fns {
		var b strings.Builder
		name, _ := fn.GetStr("name")
		b.WriteString("# Function: " + py.StrOf(name) + "\n")
		b.WriteString("    \"\"\"\n")
		b.WriteString("    " + py.StrOf(getOr(fn, "description", py.Str(""))) + "\n\n")
		if params, ok := getOr(fn, "parameters", py.NewDict()).(*py.Dict); ok {
			if props, ok := getOr(params, "properties", py.NewDict()).(*py.Dict); ok && props.Len() > 0 {
				b.WriteString("    Args:\n")
				for i := 0; i < props.Len(); i++ {
					if meta, ok := props.ValueAt(i).(*py.Dict); ok {
						paramPython(&b, py.StrOf(props.KeyAt(i)), meta, 0)
					}
				}
			}
		}
		b.WriteString("    \"\"\"\n")
		parts = append(parts, b.String(), "\n")
	}
	return strings.Join(parts, "\n\n")
}
