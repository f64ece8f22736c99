package procgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A scenario writes a whole task whose turns depend on each other: a later
// turn names what an earlier one made only by reference ("that file", "the
// ticket you just opened"), or needs a value only an earlier call's output
// shows (a user id, a ticket id). An early wrong call therefore leaves the
// later turns unsolvable, which is what multi-turn credit assignment is
// about. A scenario's turns are a script; a task plays its first n turns.
type scenario struct {
	id      string // names the script; its turns are the skills <id>#<turn>
	name    string // variant: chain, ids, decoy
	class   string
	decoy   string // a second class whose tools are offered but never needed
	minLen  int    // fewest turns a task of the scenario plays
	makeAll func(rng *rand.Rand, w *world) []turn
}

// turn is one scripted user turn: its text and ground-truth calls.
type turn struct {
	text  string
	calls []string
}

// labScenarios are the lab family's scenarios. Their variants are the
// families a lab report breaks failures down by.
var labScenarios = []scenario{
	{id: "new_file", name: "chain", class: "GorillaFileSystem", minLen: 2, makeAll: chainNewFile},
	{id: "move_file", name: "chain", class: "GorillaFileSystem", minLen: 2, makeAll: chainMoveFile},
	{id: "message", name: "ids", class: "MessageAPI", minLen: 2, makeAll: idsMessage},
	{id: "ticket", name: "ids", class: "TicketAPI", minLen: 2, makeAll: idsTicket},
	{id: "decoy_message", name: "decoy", class: "MessageAPI", decoy: "TwitterAPI", minLen: 2, makeAll: idsMessage},
	{id: "decoy_ticket", name: "decoy", class: "TicketAPI", decoy: "MessageAPI", minLen: 2, makeAll: idsTicket},
}

// LabVariants lists the variants of the lab family in a fixed order.
func LabVariants() []string { return []string{"chain", "ids", "decoy"} }

// chainNewFile: make a directory, enter it and make a file, write to the
// file, count its words; each turn after the first names its object only
// by reference.
func chainNewFile(rng *rand.Rand, w *world) []turn {
	d := w.fresh(dirNames)
	f := w.fileName()
	text := pick(rng, sentences)
	mode, unit := pickCount(rng)
	return []turn{
		{say(rng, []string{"Create a new directory called '%s'.", "Please make a folder named '%s' here."}, d),
			[]string{call("mkdir", "dir_name", d)}},
		{say(rng, []string{"Go into it and create an empty file named '%s'.", "Now enter that folder and touch a file called '%s'."}, f),
			[]string{call("cd", "folder", d), call("touch", "file_name", f)}},
		{say(rng, []string{"Write '%s' into that file.", "Put the text '%s' in the file you just made."}, text),
			[]string{call("echo", "content", text, "file_name", f)}},
		{say(rng, []string{"How many %s does it have now?", "Count the %s of that file."}, unit),
			[]string{call("wc", "file_name", f, "mode", mode)}},
	}
}

// chainMoveFile: move an existing file into a new directory, read it
// there, count it, then copy it; after the first turn the file and the
// directory are named only by reference.
func chainMoveFile(rng *rand.Rand, w *world) []turn {
	cur := w.current()
	f := pick(rng, sortedKeys(cur.files))
	d := w.fresh(dirNames)
	g := w.fileName()
	mode, unit := pickCount(rng)
	return []turn{
		{say(rng, []string{"Make a directory '%s' and move '%s' into it.", "Create folder '%s', then move the file '%s' there."}, d, f),
			[]string{call("mkdir", "dir_name", d), call("mv", "source", f, "destination", d)}},
		{say(rng, []string{"Go into that directory and show me the file.", "Open the new folder and print the file you moved."}),
			[]string{call("cd", "folder", d), call("cat", "file_name", f)}},
		{say(rng, []string{"How many %s does it have?", "Count its %s."}, unit),
			[]string{call("wc", "file_name", f, "mode", mode)}},
		{say(rng, []string{"Copy it to a new file named '%s'.", "Make a copy of it called '%s'."}, g),
			[]string{call("cp", "source", f, "destination", g)}},
	}
}

// idsMessage: look a user's id up, then message that user and list what
// was sent; the id appears only in the first call's output.
func idsMessage(rng *rand.Rand, w *world) []turn {
	who := pick(rng, people[1:4])
	id := w.cfg["user_map"].(map[string]any)[who].(string)
	text := pick(rng, sentences)
	return []turn{
		{say(rng, []string{"What is the user id of %s?", "Look up the id of the user %s."}, who),
			[]string{call("get_user_id", "user", who)}},
		{say(rng, []string{"Send that user this message: '%s'", "Now message them: '%s'"}, text),
			[]string{call("send_message", "receiver_id", id, "message", text)}},
		{say(rng, []string{"Show me the messages I have sent.", "List my sent messages."}),
			[]string{"view_messages_sent()"}},
	}
}

// idsTicket: open a ticket, then close it and show it; its id appears only
// in the first call's output.
func idsTicket(rng *rand.Rand, w *world) []turn {
	title := pick(rng, ticketIssues)
	id := w.cfg["ticket_counter"].(int)
	return []turn{
		{say(rng, []string{"Open a support ticket titled '%s'.", "Create a ticket with the title '%s'."}, title),
			[]string{call("create_ticket", "title", title)}},
		{say(rng, []string{"Close the ticket you just opened.", "Please mark that new ticket as closed."}),
			[]string{call("close_ticket", "ticket_id", id)}},
		{say(rng, []string{"Show me that ticket.", "Print the details of the ticket you closed."}),
			[]string{call("get_ticket", "ticket_id", id)}},
	}
}

// turnSkill names turn i (0-based) of the scenario's script.
func (sc scenario) turnSkill(i int) string { return fmt.Sprintf("%s#%d", sc.id, i+1) }

// skills are the skills of every turn the family can play of the script.
func (sc scenario) skills(fam Family) []string {
	w := newWorld(rand.New(rand.NewPCG(1, 1)), sc.class)
	n := min(fam.MaxTurns, len(sc.makeAll(w.rng, w)))
	out := make([]string, n)
	for i := range out {
		out[i] = sc.turnSkill(i)
	}
	return out
}

// pickCount chooses a wc mode and the word the text uses for it.
func pickCount(rng *rand.Rand) (mode, unit string) {
	mode = pick(rng, []string{"l", "w", "c"})
	return mode, map[string]string{"l": "lines", "w": "words", "c": "characters"}[mode]
}

// makeScenarioEntry draws a scenario and plays the first turns of its
// script (between the scenario's minimum and the family's maximum).
func makeScenarioEntry(rng *rand.Rand, fam Family) Entry {
	sc := fam.Scenarios[rng.IntN(len(fam.Scenarios))]
	w := newWorld(rng, sc.class)
	script := sc.makeAll(rng, w)
	hi := min(fam.MaxTurns, len(script))
	lo := max(fam.MinTurns, sc.minLen)
	turns := lo + rng.IntN(hi-lo+1)
	e := Entry{Family: fam.Name, Variant: sc.name, InvolvedClasses: []string{sc.class}, ExcludedFunction: []string{}}
	for i, t := range script[:turns] {
		e.Skills = append(e.Skills, sc.turnSkill(i))
		e.Question = append(e.Question, []Message{{Role: "user", Content: t.text}})
		e.GroundTruth = append(e.GroundTruth, t.calls)
		for _, c := range t.calls {
			e.Path = append(e.Path, sc.class+"."+c[:strings.IndexByte(c, '(')])
		}
	}
	e.InitialConfig = map[string]map[string]any{sc.class: w.config()}
	if sc.decoy != "" {
		e.InvolvedClasses = append(e.InvolvedClasses, sc.decoy)
		e.InitialConfig[sc.decoy] = newWorld(rng, sc.decoy).config()
	}
	return e
}

// scenariosFor are the family's scenarios on the given classes (all when
// empty).
func scenariosFor(fam Family, classes []string) []scenario {
	if len(classes) == 0 {
		return fam.Scenarios
	}
	want := map[string]bool{}
	for _, c := range classes {
		want[c] = true
	}
	var out []scenario
	for _, sc := range fam.Scenarios {
		if want[sc.class] {
			out = append(out, sc)
		}
	}
	return out
}

// generateScenarios is Generate for a scenario family: opts.N distinct
// tasks, each named <prefix>_<variant>_<n> so a report can tell the
// variants apart by id.
func generateScenarios(opts Options, fam Family) ([]Entry, error) {
	fam.Scenarios = scenariosFor(fam, opts.Classes)
	if len(fam.Scenarios) == 0 {
		return nil, fmt.Errorf("no scenarios of family %s on classes %v", fam.Name, opts.Classes)
	}
	if opts.Prefix == "" {
		opts.Prefix = "gen_" + fam.Name
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x1ab))
	seen := map[string]bool{}
	var out []Entry
	for attempts := 0; len(out) < opts.N; attempts++ {
		if attempts > 50*opts.N+1000 {
			return nil, fmt.Errorf("could only make %d distinct %s tasks of %d asked", len(out), fam.Name, opts.N)
		}
		e := makeScenarioEntry(rng, fam)
		key := e.Fingerprint()
		if seen[key] {
			continue
		}
		seen[key] = true
		e.ID = fmt.Sprintf("%s_%s_%d", opts.Prefix, e.Variant, len(out))
		out = append(out, e)
	}
	return out, nil
}

// VariantOf is the variant of a scenario task by its id
// (<prefix>_<variant>_<n>), or "" when the id names none of LabVariants.
func VariantOf(id string) string {
	parts := strings.Split(id, "_")
	if len(parts) < 2 {
		return ""
	}
	v := parts[len(parts)-2]
	for _, known := range LabVariants() {
		if v == known {
			return v
		}
	}
	return ""
}
