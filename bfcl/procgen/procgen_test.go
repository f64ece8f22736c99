package procgen

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestGenerateIsDeterministicAndDistinct(t *testing.T) {
	for _, fam := range Families() {
		a, err := Generate(Options{Seed: 7, N: 200, Family: fam})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Generate(Options{Seed: 7, N: 200, Family: fam})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: same seed gave different tasks", fam)
		}
		c, _ := Generate(Options{Seed: 8, N: 200, Family: fam})
		if reflect.DeepEqual(a, c) {
			t.Fatalf("%s: different seeds gave the same tasks", fam)
		}
		seen := map[string]bool{}
		for _, e := range a {
			if seen[e.Fingerprint()] {
				t.Fatalf("%s: task %s repeats an earlier one", fam, e.ID)
			}
			seen[e.Fingerprint()] = true
		}
	}
}

// callShape is name(key=literal, ...) with literals the parser accepts.
var callShape = regexp.MustCompile(`^[a-zA-Z_]\w*\((\w+=('[^'\\]*'|-?\d+(\.\d+)?|True|False|\[[^\]]*\])(, )?)*\)$`)

func TestEntriesAreWellFormed(t *testing.T) {
	entries, err := Generate(Options{Seed: 1, N: 300, Family: "multi"})
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]bool{}
	for _, e := range entries {
		if len(e.Question) < 2 || len(e.Question) > 3 || len(e.Question) != len(e.GroundTruth) {
			t.Fatalf("%s: %d turns, %d ground-truth turns", e.ID, len(e.Question), len(e.GroundTruth))
		}
		if len(e.InvolvedClasses) != 1 || e.InitialConfig[e.InvolvedClasses[0]] == nil {
			t.Fatalf("%s: classes %v, config %v", e.ID, e.InvolvedClasses, e.InitialConfig)
		}
		classes[e.InvolvedClasses[0]] = true
		n := 0
		for _, turn := range e.GroundTruth {
			for _, c := range turn {
				if !callShape.MatchString(c) {
					t.Errorf("%s: call %q is not a plain keyword call", e.ID, c)
				}
				if want := e.InvolvedClasses[0] + "." + c[:strings.Index(c, "(")]; e.Path[n] != want {
					t.Errorf("%s: path[%d] = %q, want %q", e.ID, n, e.Path[n], want)
				}
				n++
			}
		}
	}
	if len(classes) != 8 {
		t.Errorf("tasks cover %d classes, want all 8: %v", len(classes), classes)
	}
}

func TestEasyTasksAreOneCall(t *testing.T) {
	entries, err := Generate(Options{Seed: 3, N: 100, Family: "easy", Classes: []string{"MathAPI", "GorillaFileSystem"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if len(e.GroundTruth) != 1 || len(e.GroundTruth[0]) != 1 {
			t.Fatalf("%s: ground truth %v", e.ID, e.GroundTruth)
		}
		if c := e.InvolvedClasses[0]; c != "MathAPI" && c != "GorillaFileSystem" {
			t.Fatalf("%s uses %s", e.ID, c)
		}
	}
}

func TestSplitIsDisjointAndStable(t *testing.T) {
	entries, _ := Generate(Options{Seed: 5, N: 400, Family: "multi"})
	train, test := Split(entries, 0.25)
	if len(train)+len(test) != len(entries) || len(test) < 60 || len(test) > 140 {
		t.Fatalf("split %d/%d", len(train), len(test))
	}
	inTrain := map[string]bool{}
	for _, e := range train {
		inTrain[e.Fingerprint()] = true
	}
	for _, e := range test {
		if inTrain[e.Fingerprint()] {
			t.Fatalf("%s is in both splits", e.ID)
		}
	}
	// A task's split depends only on its content.
	_, test2 := Split(entries[:200], 0.25)
	for _, e := range test2 {
		found := false
		for _, f := range test {
			found = found || f.Fingerprint() == e.Fingerprint()
		}
		if !found {
			t.Fatalf("%s moved between splits when fewer tasks were split", e.ID)
		}
	}
}

func TestJSONLShapes(t *testing.T) {
	entries, _ := Generate(Options{Seed: 2, N: 3, Family: "easy", Prefix: "demo"})
	q, err := QuestionsJSONL(entries)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := AnswersJSONL(entries)
	lines := bytes.Split(bytes.TrimSpace(q), []byte("\n"))
	if len(lines) != 3 {
		t.Fatalf("%d question lines", len(lines))
	}
	var first map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "question", "initial_config", "path", "involved_classes", "excluded_function"} {
		if _, ok := first[k]; !ok {
			t.Errorf("question line lacks %q: %s", k, lines[0])
		}
	}
	if first["id"] != "demo_0" {
		t.Errorf("id = %v", first["id"])
	}
	if !bytes.HasPrefix(a, []byte(`{"id":"demo_0","ground_truth":[[`)) {
		t.Errorf("answer line: %s", a)
	}
}

func TestUnknownFamilyAndClass(t *testing.T) {
	if _, err := Generate(Options{N: 1, Family: "hard"}); err == nil || !strings.Contains(err.Error(), "easy, multi") {
		t.Errorf("unknown family: %v", err)
	}
	if _, err := Generate(Options{N: 1, Family: "easy", Classes: []string{"Nope"}}); err == nil ||
		!strings.Contains(err.Error(), "GorillaFileSystem") {
		t.Errorf("unknown class: %v", err)
	}
}

func TestEveryGeneratedCallIsDocumented(t *testing.T) {
	for _, fam := range Families() {
		docs := map[string]bool{}
		for class, list := range Docs(fam) {
			for _, raw := range list {
				var d struct {
					Name       string
					Parameters struct{ Properties map[string]any }
				}
				if err := json.Unmarshal(raw, &d); err != nil {
					t.Fatalf("%s doc %s: %v", class, raw, err)
				}
				docs[class+"."+d.Name] = true
			}
		}
		entries, _ := Generate(Options{Seed: 9, N: 300, Family: fam})
		for _, e := range entries {
			for _, p := range e.Path {
				if !docs[p] {
					t.Fatalf("%s calls %s, which has no doc", e.ID, p)
				}
			}
		}
		// The functions only lab tasks call are documented for the lab
		// family alone, so the other families' prompts do not change.
		for _, labOnly := range []string{"GorillaFileSystem.cp", "TicketAPI.get_ticket", "MessageAPI.view_messages_sent"} {
			if docs[labOnly] != (fam == "lab") {
				t.Errorf("family %s: %s documented = %v", fam, labOnly, docs[labOnly])
			}
		}
	}
}
