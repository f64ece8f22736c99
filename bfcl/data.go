package bfcl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Categories are the four multi-turn categories, in upstream order.
var Categories = []string{"base", "miss_func", "miss_param", "long_context"}

// Message is one chat message of a question turn.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Entry is one multi-turn test entry with its ground truth.
type Entry struct {
	ID       string
	Category string // "base", "miss_func", "miss_param" or "long_context"
	// Question holds the user messages of each turn (a miss_func
	// hand-out turn is empty).
	Question [][]Message
	// InitialConfig is read only: entries whose initial_config has the
	// same text share one dict (800 multi-turn entries hold about 200),
	// so a build that changed it would change other entries' scenarios.
	InitialConfig   *py.Dict
	InvolvedClasses []string
	Path            []string
	// MissedFunction maps a turn index to the functions handed out at
	// that turn (miss_func only); they are hidden before it.
	MissedFunction   map[int][]string
	ExcludedFunction []string
	// GroundTruth holds the call strings of each turn.
	GroundTruth [][]string
}

// TestCategory is upstream's test_category: the id without its last
// "_<n>" ("multi_turn_long_context").
func (e *Entry) TestCategory() string {
	if i := strings.LastIndexByte(e.ID, '_'); i >= 0 {
		return e.ID[:i]
	}
	return e.ID
}

// LongContext is upstream's long-context flag, computed from the id.
func (e *Entry) LongContext() bool { return LongContextFor(e.ID) }

// LongContextFor is the long-context flag for an entry id.
func LongContextFor(id string) bool {
	cat := id
	if i := strings.LastIndexByte(id, '_'); i >= 0 {
		cat = id[:i]
	}
	return strings.Contains(cat, "long_context") || strings.Contains(cat, "composite")
}

// FuncDoc is one function's documentation as the data file gives it.
type FuncDoc struct {
	Name string
	// Raw is the JSON object as it appears in the file.
	Raw json.RawMessage
	// Value is Raw decoded with Python's key order.
	Value *py.Dict
}

// docFiles maps a class to its function-doc file.
var docFiles = map[string]string{
	"GorillaFileSystem": "gorilla_file_system.json",
	"MathAPI":           "math_api.json",
	"MessageAPI":        "message_api.json",
	"TwitterAPI":        "posting_api.json",
	"TicketAPI":         "ticket_api.json",
	"TradingBot":        "trading_bot.json",
	"TravelAPI":         "travel_booking.json",
	"VehicleControlAPI": "vehicle_control.json",
}

// DocClasses lists the classes that have function docs, sorted.
func DocClasses() []string {
	out := make([]string, 0, len(docFiles))
	for c := range docFiles {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Dataset is the BFCL v4 multi-turn data of one data directory.
type Dataset struct {
	Dir       string
	Entries   map[string][]*Entry // by category, in file order
	byID      map[string]*Entry
	Docs      map[string][]FuncDoc // by class
	Splits    map[string]map[string][]string
	Constants *backend.Constants
}

// Entry returns the entry with the given id.
func (d *Dataset) Entry(id string) (*Entry, bool) {
	e, ok := d.byID[id]
	return e, ok
}

// All returns every entry, category by category.
func (d *Dataset) All() []*Entry {
	var out []*Entry
	for _, c := range Categories {
		out = append(out, d.Entries[c]...)
	}
	return out
}

// FetchCommand is the command that provides the BFCL v4 data files.
const FetchCommand = "seeupo data fetch bfcl"

// withFetchHint adds the command that provides the data to an error about
// a missing file.
func withFetchHint(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w (`%s` provides the BFCL v4 data files)", err, FetchCommand)
	}
	return err
}

// Load reads the BFCL v4 files from dir (the bfcl_v4 directory); a
// missing file is named with the command that provides it.
func Load(dir string) (*Dataset, error) {
	d, err := load(dir)
	return d, withFetchHint(err)
}

func load(dir string) (*Dataset, error) {
	d := &Dataset{Dir: dir, Entries: map[string][]*Entry{}, byID: map[string]*Entry{}, Docs: map[string][]FuncDoc{}}
	configs := map[string]*py.Dict{} // one dict per initial_config text
	for _, c := range Categories {
		entries, err := loadCategory(dir, c, configs)
		if err != nil {
			return nil, err
		}
		d.Entries[c] = entries
		for _, e := range entries {
			d.byID[e.ID] = e
		}
	}
	for class, file := range docFiles {
		docs, err := loadDocs(filepath.Join(dir, "multi_turn_func_doc", file))
		if err != nil {
			return nil, err
		}
		d.Docs[class] = docs
	}
	var err error
	if d.Constants, err = backend.LoadConstants(filepath.Join(dir, "long_context_constants.json")); err != nil {
		return nil, err
	}
	if d.Splits, err = loadSplits(filepath.Join(dir, "splits.json")); err != nil {
		return nil, err
	}
	return d, nil
}

type rawEntry struct {
	ID               string              `json:"id"`
	Question         [][]Message         `json:"question"`
	InitialConfig    json.RawMessage     `json:"initial_config"`
	InvolvedClasses  []string            `json:"involved_classes"`
	Path             []string            `json:"path"`
	MissedFunction   map[string][]string `json:"missed_function"`
	ExcludedFunction []string            `json:"excluded_function"`
}

type rawAnswer struct {
	ID          string     `json:"id"`
	GroundTruth [][]string `json:"ground_truth"`
}

func loadCategory(dir, category string, configs map[string]*py.Dict) ([]*Entry, error) {
	qPath := filepath.Join(dir, "BFCL_v4_multi_turn_"+category+".json")
	aPath := filepath.Join(dir, "possible_answer", "BFCL_v4_multi_turn_"+category+".json")
	var entries []*Entry
	err := eachLine(qPath, func(n int, line []byte) error {
		var r rawEntry
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		e := &Entry{ID: r.ID, Category: category, Question: r.Question, InvolvedClasses: r.InvolvedClasses,
			Path: r.Path, ExcludedFunction: r.ExcludedFunction, MissedFunction: map[int][]string{}}
		if r.ID == "" {
			return fmt.Errorf("field id: missing")
		}
		cfg := py.NewDict()
		if c, ok := configs[string(r.InitialConfig)]; ok {
			cfg = c
		} else if len(r.InitialConfig) > 0 {
			v, err := py.FromJSON(r.InitialConfig)
			if err != nil {
				return fmt.Errorf("field initial_config: %w", err)
			}
			d, ok := v.(*py.Dict)
			if !ok {
				return fmt.Errorf("field initial_config: want an object")
			}
			cfg = d
			configs[string(r.InitialConfig)] = d
		}
		e.InitialConfig = cfg
		for k, fns := range r.MissedFunction {
			t, err := strconv.Atoi(k)
			if err != nil {
				return fmt.Errorf("field missed_function: turn %q is not a number", k)
			}
			e.MissedFunction[t] = fns
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]*Entry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	err = eachLine(aPath, func(n int, line []byte) error {
		var a rawAnswer
		if err := json.Unmarshal(line, &a); err != nil {
			return err
		}
		e, ok := byID[a.ID]
		if !ok {
			return fmt.Errorf("field id: %q has no question", a.ID)
		}
		e.GroundTruth = a.GroundTruth
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.GroundTruth == nil {
			return nil, fmt.Errorf("%s: no ground truth for %s", aPath, e.ID)
		}
	}
	return entries, nil
}

// eachLine calls f for each non-empty line of a JSON Lines file; errors
// name the file and line.
func eachLine(path string, f func(n int, line []byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := f(n, line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func loadDocs(path string) ([]FuncDoc, error) {
	var docs []FuncDoc
	err := eachLine(path, func(n int, line []byte) error {
		var head struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			return err
		}
		if head.Name == "" {
			return fmt.Errorf("field name: missing")
		}
		v, err := py.FromJSON(line)
		if err != nil {
			return err
		}
		docs = append(docs, FuncDoc{Name: head.Name, Raw: append(json.RawMessage(nil), line...), Value: v.(*py.Dict)})
		return nil
	})
	return docs, err
}

func loadSplits(path string) (map[string]map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]map[string][]string{}
	for k, v := range raw {
		if !strings.HasPrefix(k, "multi_turn_") {
			continue
		}
		var s map[string][]string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("%s: field %s: %w", path, k, err)
		}
		out[k] = s
	}
	return out, nil
}
