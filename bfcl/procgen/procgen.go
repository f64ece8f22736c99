// Package procgen generates multi-turn tasks in BFCL v4's own format for
// all eight backends: natural-language user turns from varied templates,
// an initial state per involved class, and the ground-truth calls of every
// turn. Generation is seeded and deterministic; tasks are split into train
// and held-out sets that never share a task.
//
// The generator only proposes tasks; the bfcl package validates each one
// by running its ground truth through the executor and checker, and keeps
// those that pass (and fail when their last call is dropped).
//
// It imports the standard library only.
package procgen

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// Message is one chat message of a user turn.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Entry is one generated task, shaped like a line of
// BFCL_v4_multi_turn_base.json, with its ground truth (a line of the
// possible_answer file) alongside.
type Entry struct {
	ID               string                    `json:"id"`
	Question         [][]Message               `json:"question"`
	InitialConfig    map[string]map[string]any `json:"initial_config"`
	Path             []string                  `json:"path"`
	InvolvedClasses  []string                  `json:"involved_classes"`
	ExcludedFunction []string                  `json:"excluded_function"`
	GroundTruth      [][]string                `json:"-"`
	// Family and Skills describe how the task was made; Variant is the
	// scenario kind of a scenario family's task (chain, ids, decoy).
	Family  string   `json:"-"`
	Variant string   `json:"-"`
	Skills  []string `json:"-"`
}

// Options select what to generate.
type Options struct {
	Seed int64
	// N is the number of distinct tasks to produce.
	N int
	// Family is a name of Families().
	Family string
	// Classes restricts the backends used (all when empty).
	Classes []string
	// Prefix names the tasks: Prefix_0, Prefix_1, ...
	Prefix string
}

// Family describes a task family: how many user turns and which skills.
type Family struct {
	Name     string
	MinTurns int
	MaxTurns int
	// Skill filters the skills the family draws from.
	Skill func(skill) bool
	// Scenarios, when set, make the family's tasks instead of skills:
	// scripts whose turns depend on each other.
	Scenarios []scenario
}

var families = []Family{
	{Name: "easy", MinTurns: 1, MaxTurns: 1, Skill: func(s skill) bool { return s.easy }},
	{Name: "multi", MinTurns: 2, MaxTurns: 3, Skill: func(skill) bool { return true }},
	// lab: 2 to 4 dependent turns (chain: objects named by reference; ids:
	// a value only an earlier output shows; decoy: the same with a second
	// class's tools offered).
	{Name: "lab", MinTurns: 2, MaxTurns: 4, Scenarios: labScenarios},
}

// Families lists the family names.
func Families() []string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = f.Name
	}
	return names
}

func family(name string) (Family, error) {
	for _, f := range families {
		if f.Name == name {
			return f, nil
		}
	}
	return Family{}, fmt.Errorf("unknown task family %q; known families: %s", name, strings.Join(Families(), ", "))
}

// LookupFamily returns the family of a name, with its declared turn counts.
func LookupFamily(name string) (Family, error) { return family(name) }

// Skills lists the skills a family draws from for the given classes (all
// when empty), as "Class.skill" in the generator's order: each of them can
// be the skill of a turn of a task.
func Skills(familyName string, classes []string) ([]string, error) {
	fam, err := family(familyName)
	if err != nil {
		return nil, err
	}
	if fam.Scenarios != nil {
		var out []string
		for _, sc := range scenariosFor(fam, classes) {
			for _, sk := range sc.skills(fam) {
				out = append(out, sc.class+"."+sk)
			}
		}
		return out, nil
	}
	pool, err := skillPool(fam, classes)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(pool))
	for i, s := range pool {
		out[i] = s.class + "." + s.name
	}
	return out, nil
}

// Classes lists the backend classes the generator covers.
func Classes() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range skills {
		if !seen[s.class] {
			seen[s.class] = true
			out = append(out, s.class)
		}
	}
	sort.Strings(out)
	return out
}

// Generate produces opts.N distinct tasks. Two calls with the same options
// give the same tasks.
func Generate(opts Options) ([]Entry, error) {
	fam, err := family(opts.Family)
	if err != nil {
		return nil, err
	}
	if fam.Scenarios != nil {
		return generateScenarios(opts, fam)
	}
	pool, err := skillPool(fam, opts.Classes)
	if err != nil {
		return nil, err
	}
	if opts.Prefix == "" {
		opts.Prefix = "gen_" + fam.Name
	}

	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x5ee_0b0))
	seen := map[string]bool{}
	var out []Entry
	for attempts := 0; len(out) < opts.N; attempts++ {
		if attempts > 50*opts.N+1000 {
			return nil, fmt.Errorf("could only make %d distinct %s tasks of %d asked", len(out), fam.Name, opts.N)
		}
		e := makeEntry(rng, fam, pool)
		key := e.Fingerprint()
		if seen[key] {
			continue
		}
		seen[key] = true
		e.ID = fmt.Sprintf("%s_%d", opts.Prefix, len(out))
		out = append(out, e)
	}
	return out, nil
}

func skillPool(fam Family, classes []string) ([]skill, error) {
	want := map[string]bool{}
	for _, c := range classes {
		want[c] = true
	}
	var pool []skill
	for _, s := range skills {
		if fam.Skill(s) && (len(want) == 0 || want[s.class]) {
			pool = append(pool, s)
		}
	}
	if len(pool) == 0 {
		return nil, fmt.Errorf("no skills for family %s and classes %v; known classes: %s",
			fam.Name, classes, strings.Join(Classes(), ", "))
	}
	return pool, nil
}

// makeEntry draws one class, builds its world, then one skill per turn.
func makeEntry(rng *rand.Rand, fam Family, pool []skill) Entry {
	class := pool[rng.IntN(len(pool))].class
	var mine []skill
	for _, s := range pool {
		if s.class == class {
			mine = append(mine, s)
		}
	}
	w := newWorld(rng, class)
	turns := fam.MinTurns + rng.IntN(fam.MaxTurns-fam.MinTurns+1)
	e := Entry{Family: fam.Name, InvolvedClasses: []string{class}, ExcludedFunction: []string{}}
	for t := 0; t < turns; t++ {
		s, text, calls := applySkill(rng, w, mine)
		e.Question = append(e.Question, []Message{{Role: "user", Content: text}})
		e.GroundTruth = append(e.GroundTruth, calls)
		e.Skills = append(e.Skills, s.name)
		for _, c := range calls {
			e.Path = append(e.Path, class+"."+c[:strings.Index(c, "(")])
		}
	}
	e.InitialConfig = map[string]map[string]any{class: w.config()}
	return e
}

// applySkill draws skills until one applies to the world; every class has
// a skill that always applies.
func applySkill(rng *rand.Rand, w *world, mine []skill) (skill, string, []string) {
	for {
		if s := mine[rng.IntN(len(mine))]; s.applies(w) {
			text, calls := s.make(rng, w)
			return s, text, calls
		}
	}
}

// Fingerprint identifies a task by its content (not its id): question,
// initial state and ground truth.
func (e Entry) Fingerprint() string {
	b, _ := json.Marshal(struct {
		Q  [][]Message
		C  map[string]map[string]any
		GT [][]string
	}{e.Question, e.InitialConfig, e.GroundTruth})
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%x", sum[:16])
}

// Split assigns each task to train or held-out by a hash of its content, so
// the assignment of a task never depends on what else was generated, and a
// task is never in both. heldout is the fraction held out (0..1).
func Split(entries []Entry, heldout float64) (train, test []Entry) {
	for _, e := range entries {
		h, _ := strconv.ParseUint(e.Fingerprint()[:16], 16, 64)
		if float64(h%10000) < heldout*10000 {
			test = append(test, e)
		} else {
			train = append(train, e)
		}
	}
	return train, test
}

// QuestionsJSONL renders entries as lines of a BFCL question file.
func QuestionsJSONL(entries []Entry) ([]byte, error) {
	var sb strings.Builder
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		sb.Write(b)
		sb.WriteByte('\n')
	}
	return []byte(sb.String()), nil
}

// AnswersJSONL renders the ground truths as lines of a possible_answer file.
func AnswersJSONL(entries []Entry) ([]byte, error) {
	var sb strings.Builder
	for _, e := range entries {
		b, err := json.Marshal(struct {
			ID          string     `json:"id"`
			GroundTruth [][]string `json:"ground_truth"`
		}{e.ID, e.GroundTruth})
		if err != nil {
			return nil, err
		}
		sb.Write(b)
		sb.WriteByte('\n')
	}
	return []byte(sb.String()), nil
}
