package config

import (
	"fmt"
	"net/url"
	"strings"
)

// RLConfig says where a training run's rollouts are generated: in the
// trainer's process (native), or on OpenAI-compatible servers in token mode
// (remote: seeupo serve processes, here or elsewhere) to which the trainer
// pushes its weights before the first rollout and after every step.
type RLConfig struct {
	Generator string `key:"generator" allowed:"native|remote" help:"where rollouts are generated: native (in the trainer's process) or remote (on the servers at rl.servers, which get the trainer's weights after every step)"`
	// Servers are comma-separated (a string, so that Config stays
	// comparable).
	Servers           string `key:"servers" help:"comma-separated base URLs of the servers for rl.generator remote, e.g. http://127.0.0.1:8100/v1,http://127.0.0.1:8101/v1"`
	ServerModel       string `key:"server_model" help:"model name on the servers; empty: each server's only model (its /v1/models)"`
	ServerConcurrency int    `key:"server_concurrency" min:"1" max:"4096" help:"requests in flight per server"`
	WeightsDir        string `key:"weights_dir" help:"directory where the trainer saves the weights it pushes (under <experiment>/<family>/<algorithm>/seed-<n>/), which the servers must read at the same path; empty: weights/ in the run directory"`
}

func init() {
	registerDefaults(func(c *Config) {
		c.RL = RLConfig{Generator: "native", ServerConcurrency: 32}
	})
}

// Check reports settings of the rl section that the tags cannot express:
// remote generation needs servers, each an http(s) URL with a host, each
// listed once, and servers need remote generation.
func (r RLConfig) Check() error {
	urls := r.ServerList()
	switch {
	case r.Generator == "remote" && len(urls) == 0:
		return fmt.Errorf("rl.generator is remote but rl.servers is empty; list the servers' base URLs, e.g. http://127.0.0.1:8100/v1")
	case r.Generator != "remote" && len(urls) > 0:
		return fmt.Errorf("rl.servers is set but rl.generator is %s; set rl.generator to remote to generate on them", r.Generator)
	}
	seen := map[string]bool{}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("rl.servers: %q is not an http or https URL with a host, e.g. http://127.0.0.1:8100/v1", u)
		}
		if seen[u] {
			return fmt.Errorf("rl.servers: %s is listed twice", u)
		}
		seen[u] = true
	}
	return nil
}

// ServerList splits Servers at commas, dropping empty entries.
func (r RLConfig) ServerList() []string {
	var out []string
	for _, u := range strings.Split(r.Servers, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}
