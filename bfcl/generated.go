package bfcl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/procgen"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// GeneratedCategory is the category of generated tasks.
const GeneratedCategory = "generated"

// NewDataset makes a dataset over entries and function docs without a data
// directory (generated tasks). constants may be nil when no entry is in
// long-context mode.
func NewDataset(entries []*Entry, docs map[string][]FuncDoc, constants *backend.Constants) *Dataset {
	d := &Dataset{Entries: map[string][]*Entry{}, byID: map[string]*Entry{}, Docs: docs,
		Splits: map[string]map[string][]string{}, Constants: constants}
	for _, e := range entries {
		d.Entries[e.Category] = append(d.Entries[e.Category], e)
		d.byID[e.ID] = e
	}
	return d
}

// FromGenerated converts generated tasks into entries of GeneratedCategory.
func FromGenerated(gen []procgen.Entry) ([]*Entry, error) {
	out := make([]*Entry, len(gen))
	for i, g := range gen {
		raw, err := json.Marshal(g.InitialConfig)
		if err != nil {
			return nil, fmt.Errorf("%s: initial_config: %w", g.ID, err)
		}
		v, err := py.FromJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: initial_config: %w", g.ID, err)
		}
		q := make([][]Message, len(g.Question))
		for t, turn := range g.Question {
			for _, m := range turn {
				q[t] = append(q[t], Message{Role: m.Role, Content: m.Content})
			}
		}
		out[i] = &Entry{ID: g.ID, Category: GeneratedCategory, Question: q, InitialConfig: v.(*py.Dict),
			InvolvedClasses: g.InvolvedClasses, Path: g.Path, MissedFunction: map[int][]string{},
			ExcludedFunction: g.ExcludedFunction, GroundTruth: g.GroundTruth}
	}
	return out, nil
}

// GeneratedDocs converts procgen's function docs of a task family.
func GeneratedDocs(family string) (map[string][]FuncDoc, error) {
	out := map[string][]FuncDoc{}
	for class, raws := range procgen.Docs(family) {
		for _, raw := range raws {
			v, err := py.FromJSON(raw)
			if err != nil {
				return nil, fmt.Errorf("%s doc: %w", class, err)
			}
			d := v.(*py.Dict)
			name, _ := d.GetStr("name")
			out[class] = append(out[class], FuncDoc{Name: py.StrOf(name), Raw: raw, Value: d})
		}
	}
	return out, nil
}

// ValidateGenerated keeps the entries whose ground truth the checker
// accepts and rejects once its last call is dropped, so every kept task is
// solvable and its last call matters. It returns the kept entries and, for
// each rejected one, why.
func ValidateGenerated(d *Dataset, entries []*Entry) (kept []*Entry, rejected map[string]string, err error) {
	rejected = map[string]string{}
	for _, e := range entries {
		r, err := d.VerifyGroundTruth(e)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.ID, err)
		}
		if !r.Valid {
			rejected[e.ID] = "ground truth fails: " + r.ErrorType + ": " + r.ErrorMessage
			continue
		}
		cut, err := d.Check(e, GroundTruthAnswer(DropLastCall(e.GroundTruth)), CheckOptions{ModelName: DefaultModelName})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.ID, err)
		}
		if cut.Valid {
			rejected[e.ID] = "still valid without its last call"
			continue
		}
		kept = append(kept, e)
	}
	return kept, rejected, nil
}

// GeneratedSuiteName is the registered name of the generated-task suite.
const GeneratedSuiteName = "bfcl_gen"

// GeneratedOptions configure a suite of generated tasks.
type GeneratedOptions struct {
	Family  string  // procgen family (easy, multi)
	N       int     // tasks generated before validation and the split
	Seed    int64   // generation seed
	Heldout float64 // fraction of tasks held out for evaluation
	Classes []string
	Prompt  string // official or compact
}

// DefaultGeneratedOptions are the defaults of the bfcl_gen suite.
func DefaultGeneratedOptions() GeneratedOptions {
	return GeneratedOptions{Family: "easy", N: 600, Seed: 1, Heldout: 0.2, Prompt: PromptCompact}
}

// GeneratedSuite serves generated tasks through the BFCL environment, with
// train and test splits that never share a task.
type GeneratedSuite struct {
	inner  *Suite
	splits map[string][]env.Task
	// Entries are the validated tasks, in generation order.
	Entries []*Entry
	// Rejected maps the ids of generated tasks that failed validation to
	// the reason.
	Rejected map[string]string
}

func init() {
	env.Register(GeneratedSuiteName, func(o env.Options) (env.Suite, error) {
		opts, err := parseGeneratedParams(o.Params)
		if err != nil {
			return nil, err
		}
		return NewGeneratedSuite(opts)
	})
}

func parseGeneratedParams(params map[string]string) (GeneratedOptions, error) {
	o := DefaultGeneratedOptions()
	for k, v := range params {
		var err error
		switch k {
		case "family":
			o.Family = v
		case "n":
			o.N, err = strconv.Atoi(v)
		case "seed":
			o.Seed, err = strconv.ParseInt(v, 10, 64)
		case "heldout":
			o.Heldout, err = strconv.ParseFloat(v, 64)
		case "classes":
			o.Classes = strings.Split(v, ",")
		case "prompt":
			o.Prompt = v
		default:
			return o, fmt.Errorf("unknown %s param %q; known: family, n, seed, heldout, classes, prompt", GeneratedSuiteName, k)
		}
		if err != nil {
			return o, fmt.Errorf("%s param %s: %q is not a number", GeneratedSuiteName, k, v)
		}
	}
	return o, nil
}

// NewGeneratedSuite generates, validates and splits tasks.
func NewGeneratedSuite(o GeneratedOptions) (*GeneratedSuite, error) {
	if o.N < 1 || o.Heldout <= 0 || o.Heldout >= 1 {
		return nil, fmt.Errorf("%s: n must be >= 1 and heldout in (0, 1); got n=%d heldout=%v", GeneratedSuiteName, o.N, o.Heldout)
	}
	if o.Prompt != PromptOfficial && o.Prompt != PromptCompact {
		return nil, fmt.Errorf("%s: prompt %q; allowed: %s, %s", GeneratedSuiteName, o.Prompt, PromptOfficial, PromptCompact)
	}
	gen, err := procgen.Generate(procgen.Options{Seed: o.Seed, N: o.N, Family: o.Family, Classes: o.Classes})
	if err != nil {
		return nil, err
	}
	train, test := procgen.Split(gen, o.Heldout)
	docs, err := GeneratedDocs(o.Family)
	if err != nil {
		return nil, err
	}
	entries, err := FromGenerated(gen)
	if err != nil {
		return nil, err
	}
	d := NewDataset(entries, docs, nil)
	kept, rejected, err := ValidateGenerated(d, entries)
	if err != nil {
		return nil, err
	}
	d = NewDataset(kept, docs, nil)
	s := &GeneratedSuite{Entries: kept, Rejected: rejected, splits: map[string][]env.Task{},
		inner: NewSuite(d, SuiteOptions{Categories: []string{GeneratedCategory}, PromptForm: o.Prompt})}
	for split, part := range map[string][]procgen.Entry{SplitTrain: train, SplitTest: test} {
		for _, g := range part {
			if _, bad := rejected[g.ID]; !bad {
				s.splits[split] = append(s.splits[split], env.Task{ID: g.ID, Group: g.ID, Suite: GeneratedSuiteName, Split: split})
			}
		}
	}
	for _, split := range []string{SplitTrain, SplitTest} {
		if len(s.splits[split]) == 0 {
			return nil, fmt.Errorf("%s: no %s tasks; generate more (n=%d)", GeneratedSuiteName, split, o.N)
		}
	}
	return s, nil
}

// Name implements env.Suite.
func (s *GeneratedSuite) Name() string { return GeneratedSuiteName }

// Splits implements env.Suite.
func (s *GeneratedSuite) Splits() []string { return []string{SplitTrain, SplitTest} }

// Tasks implements env.Suite.
func (s *GeneratedSuite) Tasks(split string) ([]env.Task, error) {
	tasks, ok := s.splits[split]
	if !ok {
		known := make([]string, 0, len(s.splits))
		for k := range s.splits {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("unknown split %q; known: %s", split, strings.Join(known, ", "))
	}
	return tasks, nil
}

// NewEnv implements env.Suite.
func (s *GeneratedSuite) NewEnv(ctx context.Context) (env.Env, error) { return s.inner.NewEnv(ctx) }
