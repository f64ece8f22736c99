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
	// Serve runs the servers as a Docker Swarm service instead of rl.servers.
	Serve RLServeConfig `key:"serve"`
}

// RLServeConfig puts rl.generator remote's servers in a replicated Docker
// Swarm service of seeupo serve tasks: one the run starts and removes
// (Swarm), or a running one (Service, from seeupo serve up --swarm). The
// trainer reaches every task at its own address and follows the tasks as
// Swarm replaces or scales them.
type RLServeConfig struct {
	Swarm         bool    `key:"swarm" help:"rl.generator remote: start seeupo serve as a Docker Swarm service of rl.serve.replicas tasks for the run and remove it at the end (the engine must be a Swarm manager)"`
	Service       string  `key:"service" help:"rl.generator remote: generate on this running seeupo serve Swarm service (its name or run id, from seeupo serve up --swarm)"`
	Replicas      int     `key:"replicas" min:"1" max:"256" help:"tasks of the service rl.serve.swarm starts"`
	MemoryMB      int64   `key:"memory_mb" min:"64" max:"1048576" help:"memory limit per serve task, MiB"`
	CPUs          float64 `key:"cpus" min:"0.01" max:"256" help:"CPU limit per serve task (its generator uses this many threads, rounded up)"`
	PIDs          int64   `key:"pids" min:"8" max:"100000" help:"process/thread limit per serve task"`
	StartTimeoutS float64 `key:"start_timeout_s" min:"1" max:"3600" help:"seconds a serve task may take to answer /health"`
	Binary        string  `key:"binary" help:"static seeupo binary of the service's image (default: this one if static, else built from the source checkout)"`
	// Engines runs the tasks as containers spread over Docker engines
	// instead of a Swarm service, in env.engines' form.
	Engines string `key:"engines" help:"rl.generator remote: start rl.serve.replicas seeupo serve containers for the run on these Docker engines, 'ADDRESS [weight=W] [tls=DIR]' comma-separated as env.engines, instead of a Swarm service"`
}

// On says whether the servers come from a Swarm service or an engine fleet.
func (s RLServeConfig) On() bool { return s.Swarm || s.Service != "" || s.Engines != "" }

func init() {
	registerDefaults(func(c *Config) {
		c.RL = RLConfig{Generator: "native", ServerConcurrency: 32,
			Serve: RLServeConfig{Replicas: 2, MemoryMB: 2048, CPUs: 1, PIDs: 256, StartTimeoutS: 60}}
	})
}

// Check reports settings of the rl section that the tags cannot express:
// remote generation needs servers, each an http(s) URL with a host, each
// listed once, and servers need remote generation; a serve service
// stands in for the servers, and needs remote generation too.
func (r RLConfig) Check() error {
	urls := r.ServerList()
	engines, err := ParseEngines("rl.serve.engines", r.Serve.Engines)
	if err != nil {
		return err
	}
	switch {
	case len(engines) > 0 && (r.Serve.Swarm || r.Serve.Service != ""):
		return fmt.Errorf("rl.serve.engines and %s are both set; run the servers on engines or on a Swarm, not both", r.serveKey())
	case r.Serve.Swarm && r.Serve.Service != "":
		return fmt.Errorf("rl.serve.swarm and rl.serve.service are both set; start a service for the run (swarm) or name a running one (service)")
	case r.Serve.On() && r.Generator != "remote":
		return fmt.Errorf("%s is set but rl.generator is %s; set rl.generator to remote to generate on the service", r.serveKey(), r.Generator)
	case r.Serve.On() && len(urls) > 0:
		return fmt.Errorf("rl.servers and %s are both set; the service's tasks are the servers, so leave rl.servers empty", r.serveKey())
	case r.Generator == "remote" && len(urls) == 0 && !r.Serve.On():
		return fmt.Errorf("rl.generator is remote but rl.servers is empty; list the servers' base URLs, e.g. http://127.0.0.1:8100/v1, or set rl.serve.swarm")
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

// serveKey names the rl.serve setting in use, for messages.
func (r RLConfig) serveKey() string {
	if r.Serve.Swarm {
		return "rl.serve.swarm"
	}
	if r.Serve.Service != "" {
		return "rl.serve.service"
	}
	return "rl.serve.engines"
}
