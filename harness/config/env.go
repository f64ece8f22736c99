package config

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// EnvConfig says where environments run and how they are reached.
type EnvConfig struct {
	// Backend selects in-process environments, env-service servers at
	// URLs, or a pool of Docker containers started by seeupo.
	Backend string `key:"backend" allowed:"inproc|http|docker" help:"where environments run: inproc, http (servers at env.urls) or docker (containers started by seeupo)"`
	// Pool is the number of containers (docker) or, for inproc, the number
	// of episodes run at once.
	Pool int `key:"pool" min:"1" max:"256" help:"number of environment containers (docker) or concurrent in-process episodes"`
	// URLs are the env-service servers of the http backend, comma-separated
	// (a string, so that Config stays comparable).
	URLs string `key:"urls" help:"comma-separated base URLs of env-service servers for backend http, e.g. http://10.0.0.5:8000,http://10.0.0.6:8000"`
	// CallTimeoutS is the deadline of one attempt of one env-service call.
	CallTimeoutS float64 `key:"call_timeout_s" min:"0.001" max:"86400" help:"deadline of one env-service call attempt, seconds"`
	// Retries is the number of extra attempts of a call after a transient
	// failure (refused connection, 502/503/504, timeout); 4xx is never retried.
	Retries int `key:"retries" min:"0" max:"10" help:"extra attempts of an env-service call after a transient failure"`
	// EpisodeAttempts is the number of tries of an episode, each from Reset.
	EpisodeAttempts int `key:"episode_attempts" min:"1" max:"10" help:"tries of an episode (each from Reset, on a healthy instance) before it is recorded as an error"`
	// Server configures "seeupo env serve".
	Server EnvServerConfig `key:"server"`
	// Swarm runs the docker backend's servers as a replicated Docker Swarm
	// service (env.pool tasks) on the engine, which must be a Swarm
	// manager, instead of containers started one by one.
	Swarm bool `key:"swarm" help:"docker backend: run the servers as a replicated Docker Swarm service of env.pool tasks (the engine must be a Swarm manager)"`
	// Engines lists the Docker engines the docker backend spreads its
	// containers over (a string, so that Config stays comparable): entries
	// separated by commas, each an address (unix:///path, tcp://host:port,
	// ssh://[user@]host[:port]) followed by optional weight=W and, for
	// tcp://, tls=DIR (ca.pem, cert.pem, key.pem). Empty: the one engine
	// of DOCKER_HOST.
	Engines string `key:"engines" help:"docker backend: comma-separated Docker engines to spread the containers over, each 'ADDRESS [weight=W] [tls=DIR]' with ADDRESS unix:///path, tcp://host:port or ssh://[user@]host[:port]; empty: the engine of DOCKER_HOST"`
	// Docker configures the containers of the docker backend.
	Docker EnvDockerConfig `key:"docker"`
}

// EnvServerConfig configures an env-service server.
type EnvServerConfig struct {
	Addr         string  `key:"addr" help:"listen address of seeupo env serve"`
	MaxBodyBytes int64   `key:"max_body_bytes" min:"1024" max:"1073741824" help:"largest request body accepted; larger ones get 413"`
	IdleTimeoutS float64 `key:"idle_timeout_s" min:"1" max:"604800" help:"an instance unused this many seconds is released"`
	MaxInstances int     `key:"max_instances" min:"0" max:"100000" help:"most live instances per server; /create past it gets 503 (0: sized from the machine's available memory, at most 1024)"`
	GCPercent    int     `key:"gc_percent" min:"25" max:"100000" help:"Go GC percent of seeupo env serve (GOGC; Go's default is 100), capped by a soft memory limit of half the container's or machine's memory; GOGC or GOMEMLIMIT in the environment take precedence"`
}

// EnvDockerConfig configures the environment containers.
type EnvDockerConfig struct {
	Image         string  `key:"image" help:"repository of the environment image; the tag is a digest of the seeupo binary"`
	MemoryMB      int64   `key:"memory_mb" min:"16" max:"1048576" help:"memory limit per container, MiB"`
	CPUs          float64 `key:"cpus" min:"0.01" max:"256" help:"CPU limit per container"`
	PIDs          int64   `key:"pids" min:"8" max:"100000" help:"process/thread limit per container"`
	StartTimeoutS float64 `key:"start_timeout_s" min:"1" max:"3600" help:"seconds a container may take to answer /healthz"`
}

func init() {
	registerDefaults(func(c *Config) {
		c.Env = EnvConfig{
			Backend:         "inproc",
			Pool:            4,
			CallTimeoutS:    60,
			Retries:         3,
			EpisodeAttempts: 3,
			Server: EnvServerConfig{
				Addr:         "127.0.0.1:8000",
				MaxBodyBytes: 1 << 20,
				IdleTimeoutS: 600,
				MaxInstances: 0,
				GCPercent:    800, // env.DefaultServerGCPercent (config imports no harness package)
			},
			Docker: EnvDockerConfig{
				Image:         "seeupo-env",
				MemoryMB:      512,
				CPUs:          1,
				PIDs:          256,
				StartTimeoutS: 30,
			},
		}
	})
}

// Check reports settings of the env section that the tags cannot express.
func (e EnvConfig) Check() error {
	if e.Backend == "http" && strings.TrimSpace(e.URLs) == "" {
		return fmt.Errorf("env.backend is http but env.urls is empty; list the servers' base URLs")
	}
	engines, err := e.EngineList()
	if err != nil {
		return err
	}
	if len(engines) > 0 && e.Backend != "docker" {
		return fmt.Errorf("env.engines is set but env.backend is %s; set env.backend to docker to run containers on the engines", e.Backend)
	}
	if len(engines) > 0 && e.Swarm {
		return fmt.Errorf("env.engines and env.swarm are both set; a Swarm places its tasks on its own nodes: list engines or use a Swarm, not both")
	}
	return nil
}

// EngineSpec is one entry of env.engines.
type EngineSpec struct {
	Host   string
	Weight float64 // 1 when not given
	TLSDir string
}

// EngineList parses env.engines; errors name the entry and what is wrong.
func (e EnvConfig) EngineList() ([]EngineSpec, error) { return ParseEngines("env.engines", e.Engines) }

// ParseEngines parses a list of engines in env.engines' form, the value
// of key; errors name the key, the entry and what is wrong.
func ParseEngines(key, list string) ([]EngineSpec, error) {
	var out []EngineSpec
	seen := map[string]bool{}
	for i, entry := range strings.Split(list, ",") {
		fields := strings.Fields(entry)
		if len(fields) == 0 {
			continue
		}
		spec, err := parseEngine(fields)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d %q: %w", key, i+1, strings.TrimSpace(entry), err)
		}
		if seen[spec.Host] {
			return nil, fmt.Errorf("%s: %s is listed twice", key, spec.Host)
		}
		seen[spec.Host] = true
		out = append(out, spec)
	}
	return out, nil
}

func parseEngine(fields []string) (EngineSpec, error) {
	spec := EngineSpec{Host: fields[0], Weight: 1}
	scheme, rest, ok := strings.Cut(spec.Host, "://")
	if !ok || rest == "" || (scheme != "unix" && scheme != "tcp" && scheme != "ssh") {
		return spec, fmt.Errorf("the address must be unix:///path, tcp://host:port or ssh://[user@]host[:port]")
	}
	if u, err := url.Parse(spec.Host); scheme == "tcp" && (err != nil || u.Port() == "") {
		return spec, fmt.Errorf("a tcp:// engine needs a port (2376 with TLS, by convention)")
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case ok && k == "weight":
			w, err := strconv.ParseFloat(v, 64)
			if err != nil || !(w > 0) || math.IsInf(w, 0) {
				return spec, fmt.Errorf("weight %q: want a positive number", v)
			}
			spec.Weight = w
		case ok && k == "tls":
			if scheme != "tcp" {
				return spec, fmt.Errorf("tls applies to tcp:// engines only")
			}
			spec.TLSDir = v
		default:
			return spec, fmt.Errorf("option %q: want weight=W or tls=DIR", f)
		}
	}
	return spec, nil
}

// Seconds turns a seconds setting into a duration.
func Seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// URLList splits URLs at commas, dropping empty entries.
func (e EnvConfig) URLList() []string {
	var out []string
	for _, u := range strings.Split(e.URLs, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}
