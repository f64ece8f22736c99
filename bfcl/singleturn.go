package bfcl

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/seeupo/seeupo/bfcl/ast"
	"github.com/seeupo/seeupo/bfcl/py"
)

// ASTCategories are BFCL v4's single-turn categories judged by the AST
// checker, in upstream's order.
var ASTCategories = []string{
	"simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple",
	"live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
}

// RelevanceCategories are the single-turn categories judged by the
// relevance rule alone.
var RelevanceCategories = []string{"irrelevance", "live_irrelevance", "live_relevance"}

// SingleTurnEntry is one entry of a single-turn category: its function
// docs as upstream hands them to the checker (no language hint added) and
// its possible answer (None for the relevance categories).
type SingleTurnEntry struct {
	ID, Category   string
	Functions      py.Value
	PossibleAnswer py.Value
}

// SingleTurn holds single-turn entries by id, loading a category's files
// the first time one of its entries is asked for.
type SingleTurn struct {
	dir     string
	loaded  map[string]bool
	entries map[string]*SingleTurnEntry
}

// NewSingleTurn reads single-turn entries from dir (the bfcl_v4 directory)
// on demand.
func NewSingleTurn(dir string) *SingleTurn {
	return &SingleTurn{dir: dir, loaded: map[string]bool{}, entries: map[string]*SingleTurnEntry{}}
}

// CategoryOfID is the category an entry id belongs to: the id without its
// final "_<number...>" part (live_simple_23-5-1 is in live_simple).
func CategoryOfID(id string) string {
	if i := strings.LastIndexByte(id, '_'); i > 0 {
		return id[:i]
	}
	return id
}

// Entry returns the entry with the given id, loading its category.
func (s *SingleTurn) Entry(id string) (*SingleTurnEntry, error) {
	if e, ok := s.entries[id]; ok {
		return e, nil
	}
	cat := CategoryOfID(id)
	if !isSingleTurn(cat) {
		return nil, fmt.Errorf("entry %q: category %q is not a single-turn AST or relevance category (want one of %s, %s)",
			id, cat, strings.Join(ASTCategories, ", "), strings.Join(RelevanceCategories, ", "))
	}
	if !s.loaded[cat] {
		if err := s.load(cat); err != nil {
			return nil, err
		}
	}
	e, ok := s.entries[id]
	if !ok {
		return nil, fmt.Errorf("entry %q not found in %s", id, s.questionPath(cat))
	}
	return e, nil
}

func isSingleTurn(cat string) bool {
	for _, c := range append(append([]string{}, ASTCategories...), RelevanceCategories...) {
		if c == cat {
			return true
		}
	}
	return false
}

func (s *SingleTurn) questionPath(cat string) string {
	return filepath.Join(s.dir, "BFCL_v4_"+cat+".json")
}

func (s *SingleTurn) load(cat string) error {
	err := eachLine(s.questionPath(cat), func(_ int, line []byte) error {
		obj, err := jsonObject(line)
		if err != nil {
			return err
		}
		id, _ := obj.GetStr("id")
		fns, ok := obj.GetStr("function")
		if _, isStr := id.(py.Str); !isStr || !ok {
			return fmt.Errorf("want fields id (a string) and function")
		}
		s.entries[string(id.(py.Str))] = &SingleTurnEntry{ID: string(id.(py.Str)), Category: cat, Functions: fns, PossibleAnswer: py.None}
		return nil
	})
	if err != nil {
		return withFetchHint(err)
	}
	s.loaded[cat] = true
	if !isAST(cat) {
		return nil
	}
	return withFetchHint(eachLine(filepath.Join(s.dir, "possible_answer", "BFCL_v4_"+cat+".json"), func(_ int, line []byte) error {
		obj, err := jsonObject(line)
		if err != nil {
			return err
		}
		id, _ := obj.GetStr("id")
		gt, ok := obj.GetStr("ground_truth")
		idS, isStr := id.(py.Str)
		if !isStr || !ok {
			return fmt.Errorf("want fields id (a string) and ground_truth")
		}
		e, found := s.entries[string(idS)]
		if !found {
			return fmt.Errorf("possible answer for %q, an id %s lacks", string(idS), s.questionPath(cat))
		}
		e.PossibleAnswer = gt
		return nil
	}))
}

func isAST(cat string) bool {
	for _, c := range ASTCategories {
		if c == cat {
			return true
		}
	}
	return false
}

func jsonObject(line []byte) (*py.Dict, error) {
	v, err := py.FromJSON(line)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	obj, ok := v.(*py.Dict)
	if !ok {
		return nil, fmt.Errorf("want a JSON object, got %s", v.TypeName())
	}
	return obj, nil
}

// Verdict is what upstream's single-entry evaluation returns: Valid, and
// when invalid ErrorType and Error (a list); both are None when valid.
type Verdict struct {
	Valid     bool
	ErrorType py.Value
	Error     py.Value
}

func validVerdict() Verdict { return Verdict{Valid: true, ErrorType: py.None, Error: py.None} }

func invalid(errType string, msgs ...py.Value) Verdict {
	return Verdict{ErrorType: py.Str(errType), Error: &py.List{Items: msgs}}
}

// EvaluateAST is upstream's _evaluate_single_ast_entry: decode the reply
// in the category's return format (Java and JavaScript for theirs, else
// Python; a failure is ast_decoder:decoder_failed), check the
// function-calling format, then run the AST checker on the entry's docs
// and possible answer. The checker dispatches on the category, or for
// format_sensitivity on the source entry id (the id's part after the
// last ":"). An error is what the checker would raise.
func EvaluateAST(reply string, hasToolCallTag bool, functions, possibleAnswer py.Value, category, id string, underscoreToDot bool) (Verdict, error) {
	lang := ast.LanguageOf(category)
	testCategory := category
	if category == "format_sensitivity" {
		testCategory = id[strings.LastIndexByte(id, ':')+1:]
	}
	decoded, err := DecodeASTFormat(reply, returnFormatOf(category), hasToolCallTag)
	if err != nil {
		return invalid("ast_decoder:decoder_failed", py.Str("Invalid syntax. Failed to decode AST. "+err.Error())), nil
	}
	if !IsFunctionCallingFormat(decoded) {
		return invalid("ast_decoder:decoder_wrong_output_format",
			py.Str("Did not output in the specified format. Note: the model_result is wrapped in a string to ensure json serializability.")), nil
	}
	r, err := ast.Check(functions, decoded, possibleAnswer, lang, testCategory, underscoreToDot)
	if err != nil {
		return Verdict{}, err
	}
	if r.Valid {
		return validVerdict(), nil
	}
	return Verdict{ErrorType: r.ErrorType, Error: r.Error}, nil
}

// EvaluateRelevance is upstream's _evaluate_single_relevance_entry: the
// reply contains a call when it decodes (Python format, no tool-call tag)
// to a non-empty list of calls. Irrelevance categories (the name contains
// "irrelevance") want no call, the others a call.
func EvaluateRelevance(reply, category string) Verdict {
	decoded, err := DecodeAST(reply, false)
	contains := err == nil && !isEmptyOutput(decoded)
	if strings.Contains(category, "irrelevance") {
		if !contains {
			return validVerdict()
		}
		return invalid("irrelevance_error:decoder_success", py.Str("Valid syntax. Successfully decode AST when it should not."))
	}
	if contains {
		return validVerdict()
	}
	tail := "None"
	if err != nil {
		tail = err.Error()
	}
	return invalid("relevance_error:decoder_failed", py.Str("Invalid syntax. Failed to decode AST when it should have. "+tail))
}
