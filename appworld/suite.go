// Package appworld is the AppWorld suite: episodes run against AppWorld
// environment servers, either the native AppWorld-style world of this
// project (mode "native", in-process) or servers that speak AppWorld's
// protocol (mode "remote": the official server, given as URLs or started
// as containers from a user-given image, or seeupo's own
// "appworld serve").
package appworld

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seeupo/seeupo/appworld/native"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/harness/env"
)

// SuiteName is the name the suite is registered under.
const SuiteName = "appworld"

func init() { env.Register(SuiteName, Open) }

// Settings configure the suite; Params of env.Options map onto them (see
// ParseParams for the keys).
type Settings struct {
	Mode            string // "native" or "remote"
	URLs            []string
	Image           string
	Replicas        int
	Root            string // AppWorld root with data/datasets/<split>.txt (remote mode)
	Python          string
	Sandbox         pyexec.Sandbox // the native world's interpreters (pyexec.Namespaces when empty)
	MaxTurns        int
	MaxAPICalls     int
	TimeoutSeconds  int
	MaxOutput       int
	Experiment      string
	RequestTimeout  time.Duration
	ContainerArgs   []string
	ContainerVolume string
	// Publish reaches containers through ports on 127.0.0.1 instead of
	// the run's internal network; KeepOutputs keeps the run's outputs
	// volume; WritableRoot gives a server that needs it a writable root.
	Publish      *bool
	KeepOutputs  bool
	WritableRoot bool
}

// DefaultSettings are AppWorld's server defaults with the SeeUPO
// reference's 10-turn episodes.
func DefaultSettings() Settings {
	return Settings{Mode: "native", Replicas: 1, MaxTurns: 10, MaxAPICalls: 1000, TimeoutSeconds: 100,
		MaxOutput: 100_000, Experiment: "seeupo", RequestTimeout: 5 * time.Minute}
}

// ParamKeys lists the params the suite accepts.
var ParamKeys = []string{"mode", "urls", "image", "replicas", "root", "python", "sandbox", "max_turns", "max_api_calls",
	"timeout_seconds", "max_output", "experiment", "container_args", "container_volume", "publish", "keep_outputs", "writable_root"}

// ParseParams reads env.Options.Params into Settings.
func ParseParams(params map[string]string) (Settings, error) {
	s := DefaultSettings()
	for k, v := range params {
		var err error
		switch k {
		case "mode":
			if v != "native" && v != "remote" {
				return s, fmt.Errorf("appworld: param mode=%q; allowed: native, remote", v)
			}
			s.Mode = v
		case "urls":
			s.URLs = splitList(v, ",")
		case "image":
			s.Image = v
		case "root":
			s.Root = v
		case "python":
			s.Python = v
		case "sandbox":
			if s.Sandbox, err = pyexec.ParseSandbox(v); err != nil {
				return s, fmt.Errorf("appworld: param sandbox: %w", err)
			}
		case "experiment":
			s.Experiment = v
		case "container_args":
			s.ContainerArgs = strings.Fields(v)
		case "container_volume":
			s.ContainerVolume = v
		case "publish":
			var on bool
			on, err = boolParam(k, v)
			s.Publish = &on
		case "keep_outputs":
			s.KeepOutputs, err = boolParam(k, v)
		case "writable_root":
			s.WritableRoot, err = boolParam(k, v)
		case "replicas":
			s.Replicas, err = positive(k, v)
		case "max_turns":
			s.MaxTurns, err = positive(k, v)
		case "max_api_calls":
			s.MaxAPICalls, err = positive(k, v)
		case "timeout_seconds":
			s.TimeoutSeconds, err = positive(k, v)
		case "max_output":
			s.MaxOutput, err = positive(k, v)
		default:
			return s, fmt.Errorf("appworld: unknown param %q; known params: %s", k, strings.Join(ParamKeys, ", "))
		}
		if err != nil {
			return s, err
		}
	}
	if s.Mode == "remote" && len(s.URLs) == 0 && s.Image == "" {
		return s, fmt.Errorf("appworld: mode=remote needs param urls (comma-separated server URLs) or image (a Docker image to start)")
	}
	return s, nil
}

func positive(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("appworld: param %s=%q must be a positive integer", key, v)
	}
	return n, nil
}

func boolParam(key, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("appworld: param %s=%q must be true or false", key, v)
	}
	return b, nil
}

func splitList(s, sep string) []string {
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Suite is the AppWorld suite.
type Suite struct {
	settings Settings
	pool     *Pool
	poolOnce sync.Once
	poolErr  error
	docs     toolCache
}

// Open opens the suite from env options.
func Open(opts env.Options) (env.Suite, error) {
	s, err := ParseParams(opts.Params)
	if err != nil {
		return nil, err
	}
	if s.Root == "" && s.Mode == "remote" && opts.DataDir != "" {
		if _, err := os.Stat(filepath.Join(opts.DataDir, "appworld", "data", "datasets")); err == nil {
			s.Root = filepath.Join(opts.DataDir, "appworld")
		}
	}
	return New(s), nil
}

// New makes a suite from settings.
func New(s Settings) *Suite { return &Suite{settings: s} }

// Name implements env.Suite.
func (s *Suite) Name() string { return SuiteName }

// Splits implements env.Suite.
func (s *Suite) Splits() []string { return append([]string(nil), tasks.Splits...) }

// Tasks implements env.Suite. In remote mode with an AppWorld root the
// official task lists (data/datasets/<split>.txt) are read; otherwise the
// native catalogue's.
func (s *Suite) Tasks(split string) ([]env.Task, error) {
	var ids []string
	var err error
	if s.settings.Mode == "remote" && s.settings.Root != "" {
		ids, err = readTaskList(filepath.Join(s.settings.Root, "data", "datasets", split+".txt"), split)
	} else {
		ids, err = tasks.IDs(split)
	}
	if err != nil {
		return nil, err
	}
	out := make([]env.Task, len(ids))
	for i, id := range ids {
		out[i] = env.Task{ID: id, Group: protocol.ScenarioOf(id), Suite: SuiteName, Split: split}
	}
	return out, nil
}

func readTaskList(path, split string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("appworld: split %q: %w (known splits: %s)", split, err, strings.Join(tasks.Splits, ", "))
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, sc.Err()
}

// NewEnv implements env.Suite.
func (s *Suite) NewEnv(ctx context.Context) (env.Env, error) {
	if s.settings.Mode == "native" {
		srv := native.New(s.settings.nativeOptions())
		return newEnv(s.settings, srv, func() { srv.Shutdown() }, &s.docs), nil
	}
	pool, err := s.Pool(ctx)
	if err != nil {
		return nil, err
	}
	server, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	client := protocol.NewClient(server.URL, s.settings.RequestTimeout)
	return newEnv(s.settings, client, func() { pool.Release(server) }, &s.docs), nil
}

// Capacity implements env.Bounded: in remote mode one episode per server
// (the given URLs, or the containers started from the image); the native
// world has no bound.
func (s *Suite) Capacity() int {
	switch {
	case s.settings.Mode != "remote":
		return 0
	case len(s.settings.URLs) > 0:
		return len(s.settings.URLs)
	}
	return s.settings.Replicas
}

// Pool returns the remote mode's server pool, starting containers on first
// use when an image is configured.
func (s *Suite) Pool(ctx context.Context) (*Pool, error) {
	s.poolOnce.Do(func() {
		if len(s.settings.URLs) > 0 {
			s.pool, s.poolErr = NewPool(s.settings.URLs)
			return
		}
		spec := OfficialSpec(s.settings.Image, filepath.Join(s.settings.Root, "data"), s.settings.Replicas)
		if s.settings.Root == "" {
			spec.DataDir = ""
		}
		if s.settings.ContainerArgs != nil {
			spec.Args = s.settings.ContainerArgs
		}
		if s.settings.ContainerVolume != "" {
			spec.VolumeTarget = s.settings.ContainerVolume
		}
		spec.Publish, spec.KeepOutputs, spec.WritableRoot = s.settings.Publish, s.settings.KeepOutputs, s.settings.WritableRoot
		s.pool, s.poolErr = StartContainers(ctx, spec)
	})
	return s.pool, s.poolErr
}

// Close stops containers the suite started.
func (s *Suite) Close() error {
	if s.pool != nil {
		return s.pool.Close()
	}
	return nil
}

// nativeInstanceBytes is what one live episode of the native world holds:
// its Python interpreter (about 22.5 MB resident after Reset) and the
// world's state (about 0.4 MB of Go heap), measured over 30 train tasks.
const nativeInstanceBytes = 24 << 20

// InstanceBytes implements env.Sized: a native episode runs an
// interpreter of its own; a remote one holds a client only.
func (s *Suite) InstanceBytes() int64 {
	if s.settings.Mode == "native" {
		return nativeInstanceBytes
	}
	return 0
}
