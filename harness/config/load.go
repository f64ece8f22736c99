package config

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	yaml "go.yaml.in/yaml/v3"
)

// Options says where a configuration comes from besides the defaults.
type Options struct {
	// File is a YAML file; empty for none.
	File string
	// Flags maps setting keys to the command-line flags that set them. A
	// flag counts only when the user set it.
	Flags map[string]*pflag.Flag
	// Dir is the directory from which the default data directory is
	// searched (the working directory when empty).
	Dir string
	// Preset is a layer between the defaults and the file (a suite's
	// values for some settings); nil for none.
	Preset *Preset
}

// Preset is a named set of values by setting key, such as the learning
// rates of a benchmark suite.
type Preset struct {
	Name   string
	Values map[string]any
}

// SourceDefault is the source of a value nothing set.
const SourceDefault = "default"

// Resolved is a loaded configuration with the origin of every value.
type Resolved struct {
	Config
	// Sources maps each leaf key to where its value came from: "default",
	// "preset NAME", "FILE:LINE", "environment variable NAME" or
	// "flag --NAME". A value whose source is not "default" was set.
	Sources map[string]string
}

// IsSet reports whether the value of key was given by a preset, the file,
// the environment or a flag rather than left at its default.
func (r *Resolved) IsSet(key string) bool {
	src, ok := r.Sources[key]
	return ok && !strings.HasPrefix(src, SourceDefault)
}

// Explicit returns the values set (IsSet) under the section, by their key
// within it ("algorithm" gives {"lr": 0.001} for algorithm.lr): the layer
// a section's consumer applies over its own defaults, so an explicit value
// wins whatever it is, the default value, zero and false included.
func (r *Resolved) Explicit(section string) map[string]any {
	s := newSchema(reflect.TypeOf(Config{}))
	cfg := reflect.ValueOf(r.Config)
	out := map[string]any{}
	for _, f := range s.leaves {
		rel, ok := strings.CutPrefix(f.Key, section+".")
		if ok && r.IsSet(f.Key) {
			out[rel] = cfg.FieldByIndex(f.Index).Interface()
		}
	}
	return out
}

// extraEnv lists environment variables that set a key besides its own
// SEEUPO_* name, highest priority first.
var extraEnv = map[string][]string{"data_dir": {"SEEUPO_DATA"}}

// Load resolves the configuration: defaults < file < environment < flags.
// Every problem found is reported, not just the first.
func Load(opts Options) (*Resolved, error) {
	s := newSchema(reflect.TypeOf(Config{}))
	v := viper.New()
	def := reflect.ValueOf(Default())
	for _, f := range s.leaves {
		v.SetDefault(f.Key, def.FieldByIndex(f.Index).Interface())
		if err := v.BindEnv(append([]string{f.Key}, envNames(f.Key)...)...); err != nil {
			return nil, err
		}
	}
	if err := applyPreset(v, s, opts.Preset); err != nil {
		return nil, err
	}
	lines := map[string]int{}
	if opts.File != "" {
		data, err := os.ReadFile(opts.File)
		if err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		if lines, err = checkYAML(s, opts.File, data); err != nil {
			return nil, err
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("%s: %w", opts.File, err)
		}
	}
	for key, fl := range opts.Flags {
		if _, ok := s.byKey[key]; !ok {
			return nil, fmt.Errorf("flag --%s is bound to unknown setting %q", fl.Name, key)
		}
		if err := v.BindPFlag(key, fl); err != nil {
			return nil, err
		}
	}
	r := &Resolved{Config: Default(), Sources: map[string]string{}}
	errs := checkEnviron(s, os.Environ())
	out := reflect.ValueOf(&r.Config).Elem()
	for _, f := range s.leaves {
		src := source(f.Key, opts, lines)
		r.Sources[f.Key] = src
		val, err := convert(v.Get(f.Key), f.Type)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: setting %q must be %s, %v", src, f.Key, f.describe(), err))
			continue
		}
		if err := checkBounds(f, val); err != nil {
			errs = append(errs, fmt.Errorf("%s: setting %q must be %s, %v", src, f.Key, f.describe(), err))
			continue
		}
		out.FieldByIndex(f.Index).Set(val)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if r.DataDir == "" {
		r.DataDir, r.Sources["data_dir"] = DefaultDataDir(opts.Dir)
	}
	return r, nil
}

func envNames(key string) []string {
	return append(append([]string(nil), extraEnv[key]...), EnvName(key))
}

// source names where the resolved value of key came from.
func source(key string, opts Options, lines map[string]int) string {
	if fl, ok := opts.Flags[key]; ok && fl.Changed {
		return "flag --" + fl.Name
	}
	for _, name := range envNames(key) {
		if _, ok := os.LookupEnv(name); ok {
			return "environment variable " + name
		}
	}
	if line, ok := lines[key]; ok {
		return opts.File + ":" + strconv.Itoa(line)
	}
	if p := opts.Preset; p != nil {
		if _, ok := p.Values[key]; ok {
			return "preset " + p.Name
		}
	}
	return SourceDefault
}

// applyPreset puts the preset's values over the defaults; a key that
// names no setting is an error.
func applyPreset(v *viper.Viper, s *schema, p *Preset) error {
	if p == nil {
		return nil
	}
	for key, val := range p.Values {
		if _, ok := s.byKey[key]; !ok {
			return fmt.Errorf("preset %s: unknown setting %q", p.Name, key)
		}
		v.SetDefault(key, val)
	}
	return nil
}

// checkYAML reports unknown keys and misplaced sections with their line
// numbers, and returns the line of every leaf key present in the file.
func checkYAML(s *schema, file string, data []byte) (map[string]int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %w", file, err)
	}
	lines := map[string]int{}
	if len(doc.Content) == 0 {
		return lines, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the top level must be a mapping of settings; allowed keys: %s",
			file, root.Line, strings.Join(s.allowedKeys(""), ", "))
	}
	var errs []error
	walkYAML(s, file, "", root, lines, &errs)
	return lines, errors.Join(errs...)
}

func walkYAML(s *schema, file, section string, m *yaml.Node, lines map[string]int, errs *[]error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, val := m.Content[i], m.Content[i+1]
		key := k.Value
		if section != "" {
			key = section + "." + k.Value
		}
		switch {
		case s.isSection(key):
			if val.Kind != yaml.MappingNode {
				*errs = append(*errs, fmt.Errorf("%s:%d: %q is a section and must be a mapping; allowed keys: %s",
					file, val.Line, key, strings.Join(s.allowedKeys(key), ", ")))
				continue
			}
			walkYAML(s, file, key, val, lines, errs)
		case s.byKey[key].Key != "":
			lines[key] = k.Line
		default:
			where := "at the top level"
			if section != "" {
				where = "in section " + strconv.Quote(section)
			}
			*errs = append(*errs, fmt.Errorf("%s:%d: unknown key %q %s; allowed keys: %s",
				file, k.Line, key, where, strings.Join(s.allowedKeys(section), ", ")))
		}
	}
}

// checkBounds applies the allowed, min and max tags.
func checkBounds(f field, val reflect.Value) error {
	if len(f.Allowed) > 0 {
		got := fmt.Sprint(val.Interface())
		for _, a := range f.Allowed {
			if got == a {
				return nil
			}
		}
		return fmt.Errorf("got %q", got)
	}
	if f.Min == "" && f.Max == "" {
		return nil
	}
	x, ok := asFloat(val)
	if !ok {
		return nil
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("got %v", val.Interface())
	}
	if lo, err := strconv.ParseFloat(f.Min, 64); err == nil && x < lo {
		return fmt.Errorf("got %v", val.Interface())
	}
	if hi, err := strconv.ParseFloat(f.Max, 64); err == nil && x > hi {
		return fmt.Errorf("got %v", val.Interface())
	}
	return nil
}

func asFloat(v reflect.Value) (float64, bool) {
	switch v.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return float64(v.Int()), true
	case reflect.Float64, reflect.Float32:
		return v.Float(), true
	}
	return 0, false
}
