package bfcl

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// VersionPrefix starts every BFCL v4 data, result and score file name.
const VersionPrefix = "BFCL_v4"

// BFCL v4's test categories, in upstream's order (constants/category_mapping.py).
var (
	NonLiveCategories   = []string{"simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple", "irrelevance"}
	LiveCategories      = []string{"live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance", "live_relevance"}
	MultiTurnCategories = []string{"multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context"}
	WebSearchCategories = []string{"web_search_base", "web_search_no_snippet"}
	MemoryCategories    = []string{"memory_kv", "memory_vector", "memory_rec_sum"}
	// MemoryScenarios are the memory categories' scenarios, in the order
	// upstream links their prerequisite conversations.
	MemoryScenarios = []string{"student", "customer", "finance", "healthcare", "notetaker"}
)

// AllScoringCategories are the categories that count in the overall
// accuracy; AllTestCategories adds format_sensitivity.
var (
	AllScoringCategories = concat(NonLiveCategories, LiveCategories, MultiTurnCategories, MemoryCategories, WebSearchCategories)
	AllTestCategories    = concat(AllScoringCategories, []string{"format_sensitivity"})
)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// categoryCollections are the group names upstream's --test-category
// accepts besides single categories.
var categoryCollections = map[string][]string{
	"all":         AllTestCategories,
	"all_scoring": AllScoringCategories,
	"multi_turn":  MultiTurnCategories,
	"single_turn": concat(NonLiveCategories, LiveCategories),
	"live":        LiveCategories,
	"non_live":    NonLiveCategories,
	"non_python":  {"simple_java", "simple_javascript"},
	"python": {"simple_python", "irrelevance", "parallel", "multiple", "parallel_multiple", "live_simple",
		"live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance", "live_relevance"},
	"memory":     MemoryCategories,
	"web_search": WebSearchCategories,
	"agentic":    concat(MemoryCategories, WebSearchCategories),
}

// ParseTestCategories is upstream's parse_test_category_argument: each
// argument is a category or a collection (all, all_scoring, multi_turn,
// single_turn, live, non_live, non_python, python, memory, web_search,
// agentic); the result is the sorted set of categories.
func ParseTestCategories(args []string) ([]string, error) {
	set := map[string]bool{}
	for _, a := range args {
		if list, ok := categoryCollections[a]; ok {
			for _, c := range list {
				set[c] = true
			}
			continue
		}
		if !contains(AllTestCategories, a) {
			names := make([]string, 0, len(categoryCollections))
			for k := range categoryCollections {
				names = append(names, k)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("test category %q: want a category (%s) or a collection (%s)",
				a, strings.Join(AllTestCategories, ", "), strings.Join(names, ", "))
		}
		set[a] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out, nil
}

// Category predicates as upstream's (substring tests on a category or id).
func isFormatSensitivity(c string) bool { return strings.Contains(c, "format_sensitivity") }
func isWebSearch(c string) bool         { return strings.Contains(c, "web_search") }
func isMemory(c string) bool            { return strings.Contains(c, "memory") }
func isMemoryPrereq(c string) bool      { return strings.Contains(c, "prereq") }
func isAgentic(c string) bool           { return isWebSearch(c) || isMemory(c) }
func isMultiTurn(c string) bool         { return strings.Contains(c, "multi_turn") }
func isLive(c string) bool              { return strings.Contains(c, "live") }
func isRelevanceOrIrrelevance(c string) bool {
	return strings.Contains(c, "relevance") || strings.Contains(c, "irrelevance")
}
func isJS(c string) bool   { return strings.Contains(c, "javascript") }
func isJava(c string) bool { return strings.Contains(c, "java") && !isJS(c) }

// GroupDir is upstream's get_directory_structure_by_category: the folder,
// relative to a model's result or score folder, of a category's file
// (non_live, live, multi_turn, agentic, agentic/memory/<backend>,
// format_sensitivity).
func GroupDir(category string) string {
	var group string
	switch {
	case isFormatSensitivity(category):
		group = "format_sensitivity"
	case isLive(category):
		group = "live"
	case isMultiTurn(category):
		group = "multi_turn"
	case isAgentic(category):
		group = "agentic"
	default:
		group = "non_live"
	}
	if group == "agentic" && isMemory(category) {
		return path.Join(group, "memory", strings.TrimPrefix(category, "memory_"))
	}
	return group
}

// ResultFileName and ScoreFileName are the file names upstream gives a
// category's result and score files.
func ResultFileName(category string) string { return VersionPrefix + "_" + category + "_result.json" }

// ScoreFileName is the name of a category's score file.
func ScoreFileName(category string) string { return VersionPrefix + "_" + category + "_score.json" }

var fileCategoryRe = regexp.MustCompile(`^.*` + VersionPrefix + `_(\w+?)(?:_score|_result)?\.json`)

// CategoryOfFile is upstream's extract_test_category on a file name.
func CategoryOfFile(name string) (string, bool) {
	m := fileCategoryRe.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// CategoryOfEntryID is upstream's extract_test_category_from_id: the part
// of the id (before any ":") up to its last "_".
func CategoryOfEntryID(id string) string {
	if i := strings.IndexByte(id, ':'); i >= 0 {
		id = id[:i]
	}
	if i := strings.LastIndexByte(id, '_'); i >= 0 {
		return id[:i]
	}
	return id
}

// entrySortKey is upstream's sort_key: memory prerequisites first, then
// web search, single-turn, multi-turn and memory entries, each by
// category and index.
type entrySortKey struct {
	priority int
	category string
	index    int
}

func sortKeyOf(id string) (entrySortKey, error) {
	if i := strings.IndexByte(id, ':'); i >= 0 {
		id = id[:i]
	}
	j := strings.LastIndexByte(id, '_')
	if j < 0 {
		return entrySortKey{}, fmt.Errorf("entry id %q: want <category>_<index>", id)
	}
	cat, idx := id[:j], id[j+1:]
	if strings.Contains(idx, "-") {
		if strings.Count(idx, "-") != 2 {
			return entrySortKey{}, fmt.Errorf("entry id %q: invalid index format %s", id, idx)
		}
		idx = idx[:strings.IndexByte(idx, '-')]
	}
	n, err := strconv.Atoi(idx)
	if err != nil {
		return entrySortKey{}, fmt.Errorf("entry id %q: index %q is not a number", id, idx)
	}
	k := entrySortKey{category: cat, index: n}
	switch {
	case isMemoryPrereq(cat):
		k.priority = 0
	case isWebSearch(cat):
		k.priority = 1
	case !isMultiTurn(cat) && !isAgentic(cat):
		k.priority = 2
	case isMultiTurn(cat):
		k.priority = 3
	default:
		k.priority = 4
	}
	return k, nil
}

func (a entrySortKey) less(b entrySortKey) bool {
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	if a.category != b.category {
		return a.category < b.category
	}
	return a.index < b.index
}

// SortByID sorts entries (objects with an "id") by upstream's sort_key,
// stably.
func SortByID(entries []*py.Dict) error {
	keys := make([]entrySortKey, len(entries))
	for i, e := range entries {
		id, err := dictString(e, "id")
		if err != nil {
			return err
		}
		if keys[i], err = sortKeyOf(id); err != nil {
			return err
		}
	}
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]].less(keys[idx[b]]) })
	sorted := make([]*py.Dict, len(entries))
	for i, j := range idx {
		sorted[i] = entries[j]
	}
	copy(entries, sorted)
	return nil
}

func dictString(d *py.Dict, field string) (string, error) {
	v, ok := d.GetStr(field)
	if !ok {
		return "", fmt.Errorf("field %s: missing", field)
	}
	s, ok := v.(py.Str)
	if !ok {
		return "", fmt.Errorf("field %s: want a string, got %s", field, v.TypeName())
	}
	return string(s), nil
}

// ReadJSONLines reads a JSON Lines file into objects, as upstream's
// load_file (every line one object; errors name the file and line).
func ReadJSONLines(p string) ([]*py.Dict, error) {
	var out []*py.Dict
	err := eachLine(p, func(_ int, line []byte) error {
		obj, err := jsonObject(line)
		if err != nil {
			return err
		}
		out = append(out, obj)
		return nil
	})
	return out, err
}

// funcDocFiles maps every class of the multi-turn and agentic categories
// to its function-doc file (upstream's MULTI_TURN_FUNC_DOC_FILE_MAPPING).
var funcDocFiles = map[string]string{
	"GorillaFileSystem": "gorilla_file_system.json",
	"MathAPI":           "math_api.json",
	"MessageAPI":        "message_api.json",
	"TwitterAPI":        "posting_api.json",
	"TicketAPI":         "ticket_api.json",
	"TradingBot":        "trading_bot.json",
	"TravelAPI":         "travel_booking.json",
	"VehicleControlAPI": "vehicle_control.json",
	"WebSearchAPI":      "web_search.json",
	"MemoryAPI_kv":      "memory_kv.json",
	"MemoryAPI_vector":  "memory_vector.json",
	"MemoryAPI_rec_sum": "memory_rec_sum.json",
}

// AgenticAnswerFormatPrompt is the system message upstream puts before
// the question of every agentic entry
// (ADDITIONAL_SYSTEM_PROMPT_FOR_AGENTIC_RESPONSE_FORMAT).
const AgenticAnswerFormatPrompt = "For your final answer to the user, you must respond in this format: {'answer': A short and precise answer to the question, 'context': A brief explanation of how you arrived at this answer or why it is correct}. If you do not know the answer, respond with {'answer': 'I do not know', 'context': 'I do not know'}. If you think the question cannot be properly answered, response with {'answer': 'I cannot answer this question', 'context': A short reason explaining why this question cannot be answered}.\n"

// Upstream is the BFCL v4 data of one directory in the form upstream's
// pipeline holds it: entries as loaded JSON objects, with upstream's
// rewrites (ids, function docs, dependencies) applied.
type Upstream struct {
	Dir string
}

func (u Upstream) read(rel string) ([]*py.Dict, error) {
	out, err := ReadJSONLines(filepath.Join(u.Dir, rel))
	return out, withFetchHint(err)
}

// Entries is upstream's load_dataset_entry(category, include_prereq,
// include_language_specific_hint): the category's entries with their
// function docs ("function").
func (u Upstream) Entries(category string, includePrereq, languageHint bool) ([]*py.Dict, error) {
	var entries []*py.Dict
	var err error
	switch {
	case isFormatSensitivity(category):
		if entries, err = u.formatSensitivityEntries(); err != nil {
			return nil, err
		}
	case isWebSearch(category):
		if entries, err = u.read(VersionPrefix + "_web_search.json"); err != nil {
			return nil, err
		}
		for _, e := range entries {
			id, err := dictString(e, "id")
			if err != nil {
				return nil, err
			}
			e.SetStr("id", py.Str(strings.ReplaceAll(id, "web_search", category)))
		}
	case isMemory(category):
		if entries, err = u.read(VersionPrefix + "_memory.json"); err != nil {
			return nil, err
		}
		for _, sc := range MemoryScenarios {
			if entries, err = u.memoryScenario(entries, category, sc, includePrereq); err != nil {
				return nil, err
			}
		}
	default:
		if !contains(AllTestCategories, category) {
			return nil, fmt.Errorf("unknown test category %q", category)
		}
		if entries, err = u.read(VersionPrefix + "_" + category + ".json"); err != nil {
			return nil, err
		}
	}
	for _, e := range entries {
		id, _ := dictString(e, "id")
		if isAgentic(id) && !isMemoryPrereq(id) {
			if err := prependSystemMessage(e, AgenticAnswerFormatPrompt); err != nil {
				return nil, fmt.Errorf("entry %s: %w", id, err)
			}
		}
	}
	if err := u.addClassDocs(entries); err != nil {
		return nil, err
	}
	if languageHint {
		for _, e := range entries {
			id, _ := dictString(e, "id")
			fns, _ := e.GetStr("function")
			if l, ok := fns.(*py.List); ok {
				if err := addLanguageHint(l, CategoryOfEntryID(id)); err != nil {
					return nil, fmt.Errorf("entry %s: %w", id, err)
				}
			}
		}
	}
	return entries, nil
}

// memoryScenario is upstream's process_memory_test_case for one scenario.
func (u Upstream) memoryScenario(entries []*py.Dict, category, scenario string, includePrereq bool) ([]*py.Dict, error) {
	prereq, err := u.read(filepath.Join("memory_prereq_conversation", "memory_"+scenario+".json"))
	if err != nil {
		return nil, err
	}
	class := py.Str("MemoryAPI_" + strings.TrimPrefix(category, "memory_"))
	var out []*py.Dict
	var ids []py.Value
	for _, e := range prereq {
		id, err := dictString(e, "id")
		if err != nil {
			return nil, err
		}
		id = strings.ReplaceAll(id, "memory", category)
		e.SetStr("id", py.Str(id))
		e.SetStr("depends_on", &py.List{Items: append([]py.Value(nil), ids...)})
		e.SetStr("involved_classes", &py.List{Items: []py.Value{class}})
		ids = append(ids, py.Str(id))
		if includePrereq {
			out = append(out, e)
		}
	}
	for _, e := range entries {
		sc, _ := e.GetStr("scenario")
		if s, ok := sc.(py.Str); ok && string(s) == scenario {
			id, err := dictString(e, "id")
			if err != nil {
				return nil, err
			}
			e.SetStr("id", py.Str(strings.ReplaceAll(id, "memory", category)))
			e.SetStr("depends_on", &py.List{Items: append([]py.Value(nil), ids...)})
			e.SetStr("involved_classes", &py.List{Items: []py.Value{class}})
		}
		out = append(out, e)
	}
	return out, nil
}

func prependSystemMessage(e *py.Dict, content string) error {
	q, _ := e.GetStr("question")
	turns, ok := q.(*py.List)
	if !ok || len(turns.Items) == 0 {
		return fmt.Errorf("field question: want a non-empty list of turns")
	}
	first, ok := turns.Items[0].(*py.List)
	if !ok {
		return fmt.Errorf("field question[0]: want a list of messages")
	}
	msg := py.NewDict().With("role", py.Str("system")).With("content", py.Str(content))
	first.Items = append([]py.Value{msg}, first.Items...)
	return nil
}

// addClassDocs is upstream's populate_test_cases_with_predefined_functions:
// multi-turn and agentic entries get the docs of their involved classes
// as "function", and a miss_func entry's missed_function names become the
// docs they name, taken out of "function".
func (u Upstream) addClassDocs(entries []*py.Dict) error {
	cache := map[string][]*py.Dict{}
	for _, e := range entries {
		id, _ := dictString(e, "id")
		if !isMultiTurn(id) && !isAgentic(id) {
			continue
		}
		cv, _ := e.GetStr("involved_classes")
		classes, ok := cv.(*py.List)
		if !ok {
			return fmt.Errorf("entry %s: field involved_classes: want a list", id)
		}
		fns := &py.List{}
		for _, c := range classes.Items {
			name := py.StrOf(c)
			file, ok := funcDocFiles[name]
			if !ok {
				return fmt.Errorf("entry %s: class %q has no function-doc file", id, name)
			}
			docs, ok := cache[name]
			if !ok {
				var err error
				if docs, err = u.read(filepath.Join("multi_turn_func_doc", file)); err != nil {
					return err
				}
				cache[name] = docs
			}
			for _, d := range docs {
				fns.Items = append(fns.Items, d.Copy())
			}
		}
		e.SetStr("function", fns)
		mv, ok := e.GetStr("missed_function")
		if !ok {
			continue
		}
		missed, ok := mv.(*py.Dict)
		if !ok {
			return fmt.Errorf("entry %s: field missed_function: want an object", id)
		}
		for i := 0; i < missed.Len(); i++ {
			names, _ := missed.ValueAt(i).(*py.List)
			taken := &py.List{}
			if names != nil {
				for _, n := range names.Items {
					for j, d := range fns.Items {
						if name, _ := d.(*py.Dict).GetStr("name"); py.Eq(name, n) {
							taken.Items = append(taken.Items, d)
							fns.Items = append(fns.Items[:j], fns.Items[j+1:]...)
							break
						}
					}
				}
			}
			_ = missed.Set(missed.KeyAt(i), taken)
		}
	}
	return nil
}

// Language hints upstream appends to function descriptions.
const (
	javaHint       = " Note that the provided function is in Java 8 SDK syntax."
	javaScriptHint = " Note that the provided function is in JavaScript syntax."
)

// addLanguageHint is upstream's _func_doc_language_specific_pre_processing
// for one entry's docs.
func addLanguageHint(fns *py.List, category string) error {
	for _, it := range fns.Items {
		doc, ok := it.(*py.Dict)
		if !ok {
			return fmt.Errorf("function doc: want an object")
		}
		hint := PythonHint
		switch {
		case isJava(category):
			hint = javaHint
		case isJS(category):
			hint = javaScriptHint
		}
		desc, _ := doc.GetStr("description")
		doc.SetStr("description", py.Str(py.StrOf(desc)+hint))
		if !isJava(category) && !isJS(category) {
			continue
		}
		pv, _ := doc.GetStr("parameters")
		params, _ := pv.(*py.Dict)
		if params == nil {
			return fmt.Errorf("function doc: field parameters: want an object")
		}
		prv, _ := params.GetStr("properties")
		props, _ := prv.(*py.Dict)
		if props == nil {
			return fmt.Errorf("function doc: field parameters.properties: want an object")
		}
		lang := "Java"
		if isJS(category) {
			lang = "JavaScript"
		}
		for i := 0; i < props.Len(); i++ {
			p, ok := props.ValueAt(i).(*py.Dict)
			if !ok {
				return fmt.Errorf("function doc: property %s: want an object", py.StrOf(props.KeyAt(i)))
			}
			tv, _ := p.GetStr("type")
			typ := py.StrOf(tv)
			d, _ := p.GetStr("description")
			desc := py.StrOf(d)
			if typ == "any" {
				desc += " This parameter can be of any type of " + lang + " object in string representation."
			} else {
				desc += " This is " + lang + " " + typ + " type parameter in string representation."
			}
			listType := (isJava(category) && (typ == "ArrayList" || typ == "Array")) || (isJS(category) && typ == "array")
			if listType {
				iv, _ := p.GetStr("items")
				items, _ := iv.(*py.Dict)
				var it py.Value = py.None
				if items != nil {
					it, _ = items.GetStr("type")
				}
				desc += " The list elements are of type " + py.StrOf(it) + "; they are not in string representation."
				_, _, _ = p.Pop(py.Str("items"))
			}
			if isJS(category) && typ == "dict" {
				if sub, ok := p.GetStr("properties"); ok {
					js, err := py.Dumps(sub)
					if err != nil {
						return err
					}
					desc += " The dictionary entries have the following schema; they are not in string representation. " + js
					_, _, _ = p.Pop(py.Str("properties"))
				}
			}
			p.SetStr("description", py.Str(desc))
			p.SetStr("type", py.Str("string"))
		}
	}
	return nil
}

// GroundTruth is upstream's load_ground_truth_entry: the possible-answer
// objects of a category, in file order (memory and web search share one
// file each across their categories). Relevance categories have none.
func (u Upstream) GroundTruth(category string) ([]*py.Dict, error) {
	switch {
	case isFormatSensitivity(category):
		return u.formatSensitivityGroundTruth()
	case isMemory(category):
		return u.read(filepath.Join("possible_answer", VersionPrefix+"_memory.json"))
	case isWebSearch(category):
		return u.read(filepath.Join("possible_answer", VersionPrefix+"_web_search.json"))
	}
	return u.read(filepath.Join("possible_answer", VersionPrefix+"_"+category+".json"))
}

// formatSensitivityIDs is BFCL_v4_format_sensitivity.json: the source
// categories in the file's order (those with ids) and each one's ids.
func (u Upstream) formatSensitivityIDs() ([]string, map[string]map[string]bool, error) {
	p := filepath.Join(u.Dir, VersionPrefix+"_format_sensitivity.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, nil, withFetchHint(err)
	}
	v, err := py.FromJSON(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p, err)
	}
	d, ok := v.(*py.Dict)
	if !ok {
		return nil, nil, fmt.Errorf("%s: want an object of id lists", p)
	}
	var cats []string
	ids := map[string]map[string]bool{}
	for i := 0; i < d.Len(); i++ {
		cat := py.StrOf(d.KeyAt(i))
		l, ok := d.ValueAt(i).(*py.List)
		if !ok {
			return nil, nil, fmt.Errorf("%s: %s: want a list of ids", p, cat)
		}
		if len(l.Items) == 0 {
			continue
		}
		set := map[string]bool{}
		for _, it := range l.Items {
			set[py.StrOf(it)] = true
		}
		cats = append(cats, cat)
		ids[cat] = set
	}
	return cats, ids, nil
}

// formatSensitivityEntries is upstream's load_format_sensitivity_test_cases:
// each listed entry (loaded with its language hint) once per
// configuration, with the id format_sensitivity_<n>:<configuration>:<id>.
func (u Upstream) formatSensitivityEntries() ([]*py.Dict, error) {
	cats, ids, err := u.formatSensitivityIDs()
	if err != nil {
		return nil, err
	}
	configs := FormatSensitivityConfigs()
	var out []*py.Dict
	for _, cat := range cats {
		entries, err := u.Entries(cat, true, true)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			id, _ := dictString(e, "id")
			if !ids[cat][id] {
				continue
			}
			for _, c := range configs {
				cp := py.DeepCopy(e).(*py.Dict)
				cp.SetStr("id", py.Str(fmt.Sprintf("format_sensitivity_%d:%s:%s", len(out), c, id)))
				out = append(out, cp)
			}
		}
	}
	return out, nil
}

// formatSensitivityGroundTruth is upstream's
// load_format_sensitivity_ground_truth_entry: the possible answers of the
// listed entries, each once per configuration (their ids stay the source
// ids; they align with the entries by position).
func (u Upstream) formatSensitivityGroundTruth() ([]*py.Dict, error) {
	cats, ids, err := u.formatSensitivityIDs()
	if err != nil {
		return nil, err
	}
	n := len(FormatSensitivityConfigs())
	var out []*py.Dict
	for _, cat := range cats {
		gt, err := u.GroundTruth(cat)
		if err != nil {
			return nil, err
		}
		for _, g := range gt {
			id, _ := dictString(g, "id")
			if !ids[cat][id] {
				continue
			}
			for i := 0; i < n; i++ {
				out = append(out, py.DeepCopy(g).(*py.Dict))
			}
		}
	}
	return out, nil
}
