package config

import (
	"fmt"
	"strings"
)

// AppWorldConfig configures the AppWorld suite and the "seeupo appworld"
// commands. It mirrors appworld.Settings (which cannot import this package).
type AppWorldConfig struct {
	Mode           string  `key:"mode" allowed:"native|remote" help:"native: this project's AppWorld-style world in-process; remote: AppWorld environment servers (urls or image)"`
	URLs           string  `key:"urls" help:"comma-separated base URLs of AppWorld environment servers (remote mode), one per concurrent episode"`
	Image          string  `key:"image" help:"Docker image of an AppWorld environment server to start in remote mode, e.g. ghcr.io/stonybrooknlp/appworld:latest"`
	Replicas       int     `key:"replicas" min:"1" max:"256" help:"containers started from appworld.image (concurrent episodes)"`
	Root           string  `key:"root" help:"AppWorld root directory (holding data/); its data/ is mounted into the containers and data/datasets/<split>.txt lists the tasks; seeupo appworld serve keeps the experiments' outputs under its experiments/outputs/"`
	Python         string  `key:"python" help:"python3 interpreter for the native world's code cells"`
	Sandbox        string  `key:"sandbox" allowed:"namespaces|hook-only" help:"isolation of the native world's code cells: namespaces (OS-level; the world refuses to start where the machine cannot give it) or hook-only (the weaker Python-level sandbox, by name only; see docs/threat-model.md)"`
	MaxTurns       int     `key:"max_turns" min:"1" max:"1000" help:"agent turns (code cells) per episode"`
	MaxAPICalls    int     `key:"max_api_calls" min:"1" max:"100000" help:"API calls allowed per code cell"`
	TimeoutSeconds int     `key:"timeout_seconds" min:"1" max:"3600" help:"time limit of one code cell, seconds"`
	MaxOutput      int     `key:"max_output" min:"100" max:"100000000" help:"characters of output kept per code cell; a cell printing more is stopped"`
	Experiment     string  `key:"experiment" help:"experiment name sent to the environment servers"`
	Addr           string  `key:"addr" help:"listen address of seeupo appworld serve"`
	ReadTimeoutS   float64 `key:"read_timeout_s" min:"0.01" max:"3600" help:"seconds seeupo appworld serve gives a client to send a request's headers and body; slower connections are cut"`
}

func init() {
	registerDefaults(func(c *Config) {
		c.AppWorld = AppWorldConfig{Mode: "native", Replicas: 1, Python: "python3", Sandbox: "namespaces", MaxTurns: 10, MaxAPICalls: 1000,
			TimeoutSeconds: 100, MaxOutput: 100_000, Experiment: "seeupo", Addr: "127.0.0.1:8000", ReadTimeoutS: 30}
	})
}

// Check reports settings of the appworld section that the tags cannot express.
func (a AppWorldConfig) Check() error {
	if a.Mode == "remote" && strings.TrimSpace(a.URLs) == "" && a.Image == "" {
		return fmt.Errorf("appworld.mode is remote but neither appworld.urls nor appworld.image is set")
	}
	return nil
}

// Params renders the section as the appworld suite's params.
func (a AppWorldConfig) Params() map[string]string {
	p := map[string]string{"mode": a.Mode, "python": a.Python, "sandbox": a.Sandbox, "max_turns": fmt.Sprint(a.MaxTurns),
		"max_api_calls": fmt.Sprint(a.MaxAPICalls), "timeout_seconds": fmt.Sprint(a.TimeoutSeconds),
		"max_output": fmt.Sprint(a.MaxOutput), "experiment": a.Experiment, "replicas": fmt.Sprint(a.Replicas)}
	for k, v := range map[string]string{"urls": a.URLs, "image": a.Image, "root": a.Root} {
		if v != "" {
			p[k] = v
		}
	}
	return p
}
