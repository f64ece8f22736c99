package config

import (
	"reflect"
	"strings"
	"testing"
)

// env.engines: entries with weights and TLS directories parse; malformed
// ones, and engines with another backend or with a Swarm, are refused by
// Check, each naming the key and the entry.
func TestEnvEngines(t *testing.T) {
	cases := []struct {
		name, yaml, want string
		engines          []EngineSpec
	}{
		{"default: none", "", "", nil},
		{"three kinds", "env:\n  backend: docker\n  engines: 'unix:///var/run/docker.sock, tcp://10.0.0.5:2376 weight=2 tls=/etc/seeupo/b,ssh://me@gpu-1 weight=0.5'\n", "",
			[]EngineSpec{{"unix:///var/run/docker.sock", 1, ""}, {"tcp://10.0.0.5:2376", 2, "/etc/seeupo/b"}, {"ssh://me@gpu-1", 0.5, ""}}},
		{"no scheme", "env:\n  backend: docker\n  engines: 10.0.0.5:2376\n", `env.engines entry 1 "10.0.0.5:2376": the address must be unix:///path`, nil},
		{"other scheme", "env:\n  backend: docker\n  engines: 'unix:///s, http://h:1'\n", `env.engines entry 2 "http://h:1": the address must be`, nil},
		{"no port", "env:\n  backend: docker\n  engines: 'unix:///s, tcp://10.0.0.5'\n", `env.engines entry 2 "tcp://10.0.0.5": a tcp:// engine needs a port`, nil},
		{"zero weight", "env:\n  backend: docker\n  engines: unix:///s weight=0\n", `weight "0": want a positive number`, nil},
		{"bad weight", "env:\n  backend: docker\n  engines: unix:///s weight=heavy\n", `weight "heavy": want a positive number`, nil},
		{"tls on a socket", "env:\n  backend: docker\n  engines: unix:///s tls=/d\n", "tls applies to tcp:// engines only", nil},
		{"unknown option", "env:\n  backend: docker\n  engines: tcp://h:1 cpus=2\n", `option "cpus=2": want weight=W or tls=DIR`, nil},
		{"listed twice", "env:\n  backend: docker\n  engines: 'tcp://h:1,tcp://h:1 weight=2'\n", "env.engines: tcp://h:1 is listed twice", nil},
		{"not docker", "env:\n  engines: unix:///s\n", "env.engines is set but env.backend is inproc", nil},
		{"with a swarm", "env:\n  backend: docker\n  swarm: true\n  engines: unix:///s\n", "env.engines and env.swarm are both set", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(Options{File: writeFile(t, c.yaml)})
			if err == nil {
				err = cfg.Env.Check()
			}
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			case c.want == "":
				got, _ := cfg.Env.EngineList()
				if !reflect.DeepEqual(got, c.engines) {
					t.Fatalf("engines %+v, want %+v", got, c.engines)
				}
			}
		})
	}
}
