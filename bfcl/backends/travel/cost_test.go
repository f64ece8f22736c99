package travel

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The ASCII fast path of dateMultiplier must agree with the step-by-step
// port of upstream's digit sum.
func TestDateMultiplierFastPathAgrees(t *testing.T) {
	for _, date := range []string{"", "2024-11-15", "2024-11-16", "abc", "9", "1-1", "0000", "12|34", "x7y8z9"} {
		got, err := dateMultiplier(py.Str(date))
		if err != nil {
			t.Fatalf("%q: %v", date, err)
		}
		want, err := dateMultiplierAny(py.Str(date))
		if err != nil {
			t.Fatalf("%q: %v", date, err)
		}
		if got != want {
			t.Errorf("dateMultiplier(%q) = %d, step by step %d", date, got, want)
		}
	}
}

// costLookup answers as the dict of "from|to|class|date" keys it stands
// for, including keys whose parts hold the separator.
func TestCostLookupMatchesJoinedKeys(t *testing.T) {
	c := &costLookup{
		routes: []route{{from: "SFO", to: "LAX"}, {from: "A|B", to: "C"}},
		costs:  []py.Value{py.Float(200), py.Float(7)},
		class:  "economy", date: "2024|01",
	}
	for _, tc := range []struct {
		key  string
		want py.Value
	}{
		{"SFO|LAX|economy|2024|01", py.Float(200)},
		{"A|B|C|economy|2024|01", py.Float(7)},
		{"SFO|LAX|economy|2024|02", nil},
		{"SFO|LAX|economy|2024", nil},
		{"SFO|LAX|economy|2024|01|", nil},
		{"", nil},
	} {
		got, ok := c.get(tc.key)
		if ok != (tc.want != nil) || ok && got != tc.want {
			t.Errorf("get(%q) = %v, %v; want %v", tc.key, got, ok, tc.want)
		}
	}
}

// Each route's precomputed cost is float(base * k).
func TestRouteCostsTable(t *testing.T) {
	for i, r := range baseCosts {
		for _, k := range []int64{1, 2, 4, 5, 10} {
			if got, want := routeCosts[i][k], py.Float(float64(r.cost*k)); got != want {
				t.Errorf("%s-%s x%d: %v, want %v", r.from, r.to, k, got, want)
			}
		}
	}
}

// isAirport answers as membership in the list of airports does.
func TestIsAirportIsListMembership(t *testing.T) {
	all := py.StrList(airports...)
	for _, v := range []py.Value{py.Str("SFO"), py.Str("sfo"), py.Str(""), py.Str("BOS "), py.Int(1), py.None, py.NewList(py.Str("SFO"))} {
		want, _ := py.Contains(all, v)
		if got := isAirport(v); got != want {
			t.Errorf("isAirport(%s) = %v, want %v", py.Repr(v), got, want)
		}
	}
}

// TestRouteIndexStrFastPath compares routeIndex on strs with the route
// scan through py.EqStr, for every route, reversed routes and unknown
// airports.
func TestRouteIndexStrFastPath(t *testing.T) {
	codes := []string{"", "sfo", "XXX", "SFO "}
	for _, r := range baseCosts {
		codes = append(codes, r.from, r.to)
	}
	for _, from := range codes {
		for _, to := range codes {
			want := -1
			for i, r := range baseCosts {
				if py.EqStr(py.Str(from), r.from) && py.EqStr(py.Str(to), r.to) {
					want = i
					break
				}
			}
			if got := routeIndex(py.Str(from), py.Str(to)); got != want {
				t.Fatalf("routeIndex(%q, %q) = %d, want %d", from, to, got, want)
			}
		}
	}
}
