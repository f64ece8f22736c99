package pyrandom

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/sequences.json by running python3 testdata/gen_sequences.py")

const sequencesFile = "testdata/sequences.json"

type sequenceCase struct {
	Seed   json.Number `json:"seed"`
	Python string      `json:"python"`
	Ops    []struct {
		Op   string          `json:"op"`
		Args []json.Number   `json:"args"`
		Want json.RawMessage `json:"want"`
	} `json:"ops"`
}

func loadSequences(t *testing.T) []sequenceCase {
	t.Helper()
	if *update {
		cmd := exec.Command("python3", filepath.Join("testdata", "gen_sequences.py"))
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("running python3 testdata/gen_sequences.py: %v", err)
		}
		if err := os.WriteFile(sequencesFile, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(sequencesFile)
	if err != nil {
		t.Fatalf("%v (regenerate with go test -update)", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var cases []sequenceCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s: %v", sequencesFile, err)
	}
	return cases
}

func mustInt(t *testing.T, n json.Number) int64 {
	t.Helper()
	v, err := n.Int64()
	if err != nil {
		t.Fatalf("argument %q: %v", n, err)
	}
	return v
}

func mustFloat(t *testing.T, n json.Number) float64 {
	t.Helper()
	v, err := n.Float64()
	if err != nil {
		t.Fatalf("argument %q: %v", n, err)
	}
	return v
}

// got runs one recorded operation on r and returns its result in the shape
// the JSON file holds it.
func got(t *testing.T, r *Random, op string, args []json.Number) any {
	t.Helper()
	switch op {
	case "random":
		return r.Random()
	case "getrandbits":
		return r.GetRandBits(int(mustInt(t, args[0])))
	case "randint":
		return r.RandInt(mustInt(t, args[0]), mustInt(t, args[1]))
	case "randrange":
		return r.RandRange(mustInt(t, args[0]), mustInt(t, args[1]))
	case "uniform":
		return r.Uniform(mustFloat(t, args[0]), mustFloat(t, args[1]))
	case "choice":
		return int64(r.Choice(int(mustInt(t, args[0]))))
	case "shuffle":
		x := make([]int, mustInt(t, args[0]))
		for i := range x {
			x[i] = i
		}
		r.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
		return x
	case "sample":
		return r.Sample(int(mustInt(t, args[0])), int(mustInt(t, args[1])))
	}
	t.Fatalf("unknown op %q in %s", op, sequencesFile)
	return nil
}

// want decodes the recorded CPython result into the Go type got returns.
func want(t *testing.T, op string, raw json.RawMessage) any {
	t.Helper()
	var err error
	var v any
	switch op {
	case "random", "uniform":
		var f float64
		err = json.Unmarshal(raw, &f)
		v = f
	case "getrandbits":
		var u uint64
		err = json.Unmarshal(raw, &u)
		v = u
	case "randint", "randrange", "choice":
		var i int64
		err = json.Unmarshal(raw, &i)
		v = i
	default:
		s := []int{}
		err = json.Unmarshal(raw, &s)
		v = s
	}
	if err != nil {
		t.Fatalf("%s result %s: %v", op, raw, err)
	}
	return v
}

func TestMatchesCPython(t *testing.T) {
	cases := loadSequences(t)
	if len(cases) == 0 {
		t.Fatalf("%s holds no cases", sequencesFile)
	}
	for _, c := range cases {
		t.Run("seed="+c.Seed.String(), func(t *testing.T) {
			r := New(mustInt(t, c.Seed))
			for i, op := range c.Ops {
				g, w := got(t, r, op.Op, op.Args), want(t, op.Op, op.Want)
				if !reflect.DeepEqual(g, w) {
					t.Fatalf("call %d %s%v = %v, CPython %s gave %v", i, op.Op, op.Args, g, c.Python, w)
				}
			}
		})
	}
}

// The first outputs of random.Random(0) and of the seeds the BFCL backends
// use, written out by hand from CPython 3.11 as a readable anchor.
func TestKnownFirstValues(t *testing.T) {
	tests := []struct {
		seed int64
		call func(*Random) any
		want any
	}{
		{0, func(r *Random) any { return r.Random() }, 0.8444218515250481},
		{42, func(r *Random) any { return r.Random() }, 0.6394267984578837},
		{200191, func(r *Random) any { return r.RandInt(10000, 99999) }, int64(67410)},
	}
	for _, tt := range tests {
		if got := tt.call(New(tt.seed)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("seed %d: got %v, want %v", tt.seed, got, tt.want)
		}
	}
}

func TestPanicsLikeCPythonRaises(t *testing.T) {
	tests := []struct {
		name string
		call func(*Random)
	}{
		{"empty randrange", func(r *Random) { r.RandRange(5, 5) }},
		{"empty choice", func(r *Random) { r.Choice(0) }},
		{"sample too large", func(r *Random) { r.Sample(3, 4) }},
		{"getrandbits over 64", func(r *Random) { r.GetRandBits(65) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tt.call(New(1))
		})
	}
}

// Generators of one seed share its state block until they change it: each
// still draws the full sequence, whichever drew first or more (the draws
// cross several block boundaries), and a generator made afterwards starts
// from the seed again.
func TestSameSeedGeneratorsAreIndependent(t *testing.T) {
	const seed, n = 90210, 3 * stateSize
	first, second := New(seed), New(seed)
	draw := func(r *Random) []uint32 {
		out := make([]uint32, n)
		for i := range out {
			out[i] = r.uint32()
		}
		return out
	}
	want := draw(first)
	for name, r := range map[string]*Random{"second": second, "later": New(seed)} {
		got := draw(r)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s generator: word %d is %d, want %d", name, i, got[i], want[i])
			}
		}
	}
}
