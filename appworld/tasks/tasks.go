// Package tasks holds the native world's task catalogue: scenarios of three
// variants each, every variant with an instruction, a supervisor, a start
// state built on the seeded base world, a reference solution (Python code
// cells) and an evaluation written as state checks over the difference
// between the start and end databases.
package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"github.com/seeupo/seeupo/appworld/world"
)

// Splits are the catalogue's splits, in order.
var Splits = []string{"train", "dev", "test_normal", "test_challenge"}

// BaseSeed and BasePeople fix the base world every task builds on.
const (
	BaseSeed   = 7
	BasePeople = 40
)

// Setup is what a scenario's Build gets for one variant.
type Setup struct {
	B       *world.Builder
	R       *rand.Rand
	Sup     world.Person
	Variant int // 1, 2 or 3
	others  []world.Person
}

// Other returns the k-th person other than the supervisor, varying with
// the variant.
func (s *Setup) Other(k int) world.Person { return s.others[k%len(s.others)] }

// At is a date-time days before the task's date.
func (s *Setup) At(daysAgo, minute int) string { return world.Day(world.BaseTime, -daysAgo, minute) }

// Variant is one task's definition, returned by a scenario's Build.
type Variant struct {
	Instruction string
	// Solution is the reference solution's code cells, to run after the
	// common prelude (Prelude).
	Solution []string
	// Check evaluates the end state.
	Check func(*Check)
}

// Scenario is a family of three tasks.
type Scenario struct {
	Name       string
	Split      string
	Apps       []string
	Difficulty int
	Build      func(*Setup) Variant
}

// ID is the scenario's 7-hex-digit id.
func (s *Scenario) ID() string {
	h := sha256.Sum256([]byte("seeupo-appworld/" + s.Name))
	return hex.EncodeToString(h[:])[:7]
}

var scenarios []*Scenario

func add(s ...*Scenario) { scenarios = append(scenarios, s...) }

// Scenarios lists the scenarios in catalogue order.
func Scenarios() []*Scenario { return scenarios }

// Task is one variant, ready to run.
type Task struct {
	ID         string
	Scenario   *Scenario
	Variant    int
	Supervisor world.Person
	Def        Variant
	// Start is the start state as an SQLite image.
	Start []byte
}

// Instruction is the task's instruction.
func (t *Task) Instruction() string { return t.Def.Instruction }

// Solution is the full reference solution: the prelude and the scenario's cells.
func (t *Task) Solution() []string {
	return append([]string{Prelude(t.Scenario.Apps, t.Def.Solution)}, t.Def.Solution...)
}

// Catalogue builds tasks on demand and caches them; it is safe for
// concurrent use.
type Catalogue struct {
	once   sync.Once
	base   []byte
	people []world.Person
	err    error
	mu     sync.Mutex
	tasks  map[string]*Task
}

// Default is the process-wide catalogue.
var Default = &Catalogue{}

func (c *Catalogue) init() {
	c.once.Do(func() {
		store, people, err := world.Generate(BaseSeed, BasePeople)
		if err != nil {
			c.err = err
			return
		}
		defer store.Close()
		c.people = people
		c.base, c.err = store.Image()
		c.tasks = map[string]*Task{}
	})
}

// IDs lists the task ids of a split in catalogue order.
func IDs(split string) ([]string, error) {
	if !validSplit(split) {
		return nil, fmt.Errorf("unknown split %q; known splits: %s", split, strings.Join(Splits, ", "))
	}
	var ids []string
	for _, s := range scenarios {
		if s.Split == split {
			for n := 1; n <= 3; n++ {
				ids = append(ids, fmt.Sprintf("%s_%d", s.ID(), n))
			}
		}
	}
	return ids, nil
}

func validSplit(s string) bool {
	for _, x := range Splits {
		if x == s {
			return true
		}
	}
	return false
}

// Get builds (or returns the cached) task with the given id.
func (c *Catalogue) Get(id string) (*Task, error) {
	c.init()
	if c.err != nil {
		return nil, c.err
	}
	c.mu.Lock()
	t, ok := c.tasks[id]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := c.build(id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.tasks[id] = t
	c.mu.Unlock()
	return t, nil
}

func (c *Catalogue) build(id string) (*Task, error) {
	var sc *Scenario
	n := 0
	for i, s := range scenarios {
		for v := 1; v <= 3; v++ {
			if fmt.Sprintf("%s_%d", s.ID(), v) == id {
				sc, n = scenarios[i], v
			}
		}
	}
	if sc == nil {
		return nil, fmt.Errorf("unknown task id %q", id)
	}
	store, err := world.NewStore(c.base)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	h := sha256.Sum256([]byte(id))
	seed := uint64(h[0]) | uint64(h[1])<<8 | uint64(h[2])<<16 | uint64(h[3])<<24
	b := world.NewBuilder(store, rand.New(rand.NewPCG(seed, 99)))
	b.People = append([]world.Person(nil), c.people...)
	sh := sha256.Sum256([]byte(sc.ID()))
	sup := c.people[(int(sh[0])+int(sh[1])+(n-1)*13)%len(c.people)]
	s := &Setup{B: b, R: b.Rand, Sup: sup, Variant: n}
	for _, p := range c.people {
		if p.ID != sup.ID {
			s.others = append(s.others, p)
		}
	}
	b.Rand.Shuffle(len(s.others), func(i, j int) { s.others[i], s.others[j] = s.others[j], s.others[i] })
	b.Begin()
	v := sc.Build(s)
	b.Commit()
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("building task %s (%s): %w", id, sc.Name, err)
	}
	img, err := store.Image()
	if err != nil {
		return nil, err
	}
	return &Task{ID: id, Scenario: sc, Variant: n, Supervisor: sup, Def: v, Start: img}, nil
}

// Prelude is the first cell of every reference solution: it reads the
// supervisor's profile and passwords and logs in to the apps; it defines
// the helpers all_pages and find_contact where the cells use them.
func Prelude(apps []string, cells []string) string {
	var quoted []string
	seen := map[string]bool{}
	for _, a := range apps {
		if !seen[a] {
			seen[a] = true
			quoted = append(quoted, fmt.Sprintf("%q", a))
		}
	}
	sort.Strings(quoted)
	code := `profile = apis.supervisor.show_profile()
passwords = {a["account_name"]: a["password"] for a in apis.supervisor.show_account_passwords()}
tokens = {}
for app in [` + strings.Join(quoted, ", ") + `]:
    user = profile["phone_number"] if app == "phone" else profile["email"]
    tokens[app] = getattr(apis, app).login(username=user, password=passwords[app])["access_token"]`
	body := strings.Join(cells, "\n")
	if uses(body, "all_pages") || uses(body, "find_contact") {
		code += `

def all_pages(fn, **kwargs):
    out, i = [], 0
    while True:
        page = fn(page_index=i, page_limit=20, **kwargs)
        out += page
        if len(page) < 20:
            return out
        i += 1`
	}
	if uses(body, "find_contact") {
		code += `

def find_contact(name):
    hits = [c for c in all_pages(apis.phone.search_contacts, access_token=tokens["phone"], query=name)
            if c["first_name"] + " " + c["last_name"] == name]
    return hits[0]`
	}
	return code
}

// uses reports whether code calls the helper name.
func uses(code, name string) bool { return strings.Contains(code, name+"(") }

// Context for checks.
var bg = context.Background()
