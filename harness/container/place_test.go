package container

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Placement by hand: each container goes to the engine with the least
// (containers + 1) / weight among those with room, ties to the one with
// more room, then to the earlier listed.
func TestPlace(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		weights []float64
		free    []int
		lost    []bool
		want    []int
		err     string
	}{
		// Loads 1 vs 1: a tie with equal room, the first; then 2 vs 1: the
		// second; then 2 vs 2 with equal room: the first; then the second.
		{"equal weights share evenly", 4, []float64{1, 1}, []int{10, 10}, nil, []int{2, 2}, ""},
		// Loads 0.5 vs 1: A; 1 vs 1, B has more room: B; 1 vs 2: A;
		// 1.5 vs 2: A; 2 vs 2, B has more room: B; 2 vs 3: A.
		{"weights 2:1 share 2:1", 6, []float64{2, 1}, []int{10, 10}, nil, []int{4, 2}, ""},
		// Equal loads at the first container: B has more room and takes it.
		{"a tie goes to more room", 1, []float64{1, 1}, []int{3, 5}, nil, []int{0, 1}, ""},
		// A has room for one: the rest go to B whatever the weights.
		{"room caps the share", 5, []float64{4, 1}, []int{1, 10}, nil, []int{1, 4}, ""},
		{"a lost engine takes none", 3, []float64{1, 1}, []int{10, 10}, []bool{true, false}, []int{0, 3}, ""},
		{"not enough room", 5, []float64{1, 1}, []int{2, 2}, nil, nil, "room for 4 of 5 containers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			engines := make([]*fleetEngine, len(c.weights))
			for i := range engines {
				engines[i] = &fleetEngine{Engine: Engine{Weight: c.weights[i]}, index: i, free: c.free[i]}
				if c.lost != nil {
					engines[i].lost = c.lost[i]
				}
			}
			got, err := place(c.n, engines)
			if c.err != "" {
				if err == nil || !errors.Is(err, errNoEngine) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				for i, e := range engines {
					if e.free != c.free[i] {
						t.Errorf("a failed placement took room: engine %d has %d, had %d", i, e.free, c.free[i])
					}
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("place = %v, %v; want %v", got, err, c.want)
			}
			for i, e := range engines {
				if e.free != c.free[i]-c.want[i] {
					t.Errorf("engine %d has room for %d after placing %d of %d", i, e.free, c.want[i], c.free[i])
				}
			}
		})
	}
}

// Engine addresses the client cannot use are refused with the reason.
func TestEngineAddressRefused(t *testing.T) {
	tlsDir := t.TempDir()
	cases := []struct {
		engine Engine
		err    string
	}{
		{Engine{Host: "docker.example:2376"}, "not an address of the form"},
		{Engine{Host: "tcp://10.0.0.5"}, "needs a port"},
		{Engine{Host: "http://10.0.0.5:2375"}, `scheme "http", want unix, tcp or ssh`},
		{Engine{Host: "unix:///var/run/docker.sock", TLSDir: tlsDir}, "tls applies to tcp:// engines only"},
		{Engine{Host: "ssh://", TLSDir: ""}, "no host"},
		{Engine{Host: "tcp://10.0.0.5:2376", TLSDir: tlsDir}, "must hold ca.pem, cert.pem and key.pem"},
	}
	for _, c := range cases {
		_, err := engineClientOptions(c.engine)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%+v: err %v, want %q", c.engine, err, c.err)
		}
	}
	good := []Engine{{Host: "unix:///var/run/docker.sock"}, {Host: "tcp://10.0.0.5:2375"}, {Host: "ssh://me@gpu-1:2222"}}
	for _, e := range good {
		if _, err := engineClientOptions(e); err != nil {
			t.Errorf("%s: %v", e.Host, err)
		}
	}
}
