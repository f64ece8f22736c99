package config

import (
	"reflect"
	"strings"
	"testing"
)

// The rl section: a generator other than native or remote is refused by
// Load with the allowed values; remote without servers, malformed or
// repeated server URLs, servers without remote, and rl.serve's service
// without remote, beside rl.servers or both ways at once are refused by
// Check, each naming the key; rl.serve's limits are checked by Load.
func TestRLSettings(t *testing.T) {
	cases := []struct {
		name, yaml, want string
		servers          []string
	}{
		{"default", "", "", nil},
		{"remote with two servers", "rl:\n  generator: remote\n  servers: http://127.0.0.1:8100/v1, https://gpu-2:8100/v1\n", "",
			[]string{"http://127.0.0.1:8100/v1", "https://gpu-2:8100/v1"}},
		{"unknown generator", "rl:\n  generator: vllm\n", `setting "rl.generator" must be one of native, remote, got "vllm"`, nil},
		{"remote without servers", "rl:\n  generator: remote\n", "rl.generator is remote but rl.servers is empty", nil},
		{"remote with only commas", "rl:\n  generator: remote\n  servers: ' , '\n", "rl.generator is remote but rl.servers is empty", nil},
		{"no scheme", "rl:\n  generator: remote\n  servers: 127.0.0.1:8100/v1\n", `rl.servers: "127.0.0.1:8100/v1" is not an http or https URL with a host`, nil},
		{"no host", "rl:\n  generator: remote\n  servers: http:///v1\n", `rl.servers: "http:///v1" is not an http or https URL with a host`, nil},
		{"other scheme", "rl:\n  generator: remote\n  servers: grpc://h:1\n", `rl.servers: "grpc://h:1" is not an http or https URL`, nil},
		{"listed twice", "rl:\n  generator: remote\n  servers: http://h:1/v1,http://h:1/v1\n", "rl.servers: http://h:1/v1 is listed twice", nil},
		{"servers without remote", "rl:\n  servers: http://h:1/v1\n", "rl.servers is set but rl.generator is native", nil},
		{"a service for the run", "rl:\n  generator: remote\n  serve: {swarm: true, replicas: 3}\n", "", nil},
		{"a running service", "rl:\n  generator: remote\n  serve: {service: seeupo-serve-abc}\n", "", nil},
		{"swarm and service", "rl:\n  generator: remote\n  serve: {swarm: true, service: x}\n", "rl.serve.swarm and rl.serve.service are both set", nil},
		{"swarm without remote", "rl:\n  serve: {swarm: true}\n", "rl.serve.swarm is set but rl.generator is native", nil},
		{"service without remote", "rl:\n  serve: {service: x}\n", "rl.serve.service is set but rl.generator is native", nil},
		{"swarm and servers", "rl:\n  generator: remote\n  servers: http://h:1/v1\n  serve: {swarm: true}\n", "rl.servers and rl.serve.swarm are both set", nil},
		{"serve on engines", "rl:\n  generator: remote\n  serve: {engines: 'unix:///var/run/docker.sock, ssh://gpu-1 weight=2'}\n", "", nil},
		{"engines and swarm", "rl:\n  generator: remote\n  serve: {swarm: true, engines: unix:///s}\n", "rl.serve.engines and rl.serve.swarm are both set", nil},
		{"engines without remote", "rl:\n  serve: {engines: unix:///s}\n", "rl.serve.engines is set but rl.generator is native", nil},
		{"a bad engine", "rl:\n  generator: remote\n  serve: {engines: 'unix:///s, gpu-1'}\n", `rl.serve.engines entry 2 "gpu-1": the address must be`, nil},
		{"no replicas", "rl:\n  serve: {replicas: 0}\n", `setting "rl.serve.replicas" must be an integer in [1, 256]`, nil},
		{"too little memory", "rl:\n  serve: {memory_mb: 8}\n", `setting "rl.serve.memory_mb" must be an integer in [64, 1048576]`, nil},
		{"no cpus", "rl:\n  serve: {cpus: 0}\n", `setting "rl.serve.cpus" must be a number in [0.01, 256]`, nil},
		{"no concurrency", "rl:\n  server_concurrency: 0\n", `setting "rl.server_concurrency" must be an integer in [1, 4096]`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Load(Options{File: writeFile(t, c.yaml)})
			if err == nil {
				err = r.RL.Check()
			}
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			case c.want == "" && !reflect.DeepEqual(r.RL.ServerList(), c.servers):
				t.Fatalf("servers %q, want %q", r.RL.ServerList(), c.servers)
			}
		})
	}
}
