package algorithms

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// settingKey names one field of Settings: its key in the configuration's
// algorithm section, in config.yaml and in Overrides.
type settingKey struct {
	key string
	ptr func(*Settings) any // *string, *float64, *int or *bool
}

// settingKeys are every setting a configuration may give, in the order of
// the configuration's algorithm section. This table is the one mapping
// between keys and Settings; Seed is not here (it is the run's seed).
var settingKeys = []settingKey{
	{"estimator", func(s *Settings) any { return &s.Estimator }},
	{"loss", func(s *Settings) any { return &s.Loss }},
	{"clip_low", func(s *Settings) any { return &s.ClipLow }},
	{"clip_high", func(s *Settings) any { return &s.ClipHigh }},
	{"dual_clip", func(s *Settings) any { return &s.DualClip }},
	{"kl", func(s *Settings) any { return &s.KL }},
	{"kl_coef", func(s *Settings) any { return &s.KLCoef }},
	{"entropy_coef", func(s *Settings) any { return &s.EntropyCoef }},
	{"agg", func(s *Settings) any { return &s.Agg }},
	{"lr", func(s *Settings) any { return &s.Optim.LR }},
	{"weight_decay", func(s *Settings) any { return &s.Optim.WeightDecay }},
	{"grad_clip", func(s *Settings) any { return &s.Optim.MaxGradNorm }},
	{"beta1", func(s *Settings) any { return &s.Optim.Beta1 }},
	{"beta2", func(s *Settings) any { return &s.Optim.Beta2 }},
	{"epochs", func(s *Settings) any { return &s.Epochs }},
	{"mini_batches", func(s *Settings) any { return &s.MiniBatches }},
	{"budget", func(s *Settings) any { return &s.Budget }},
	{"sampler_old_logprobs", func(s *Settings) any { return &s.SamplerOldLogProbs }},
	{"order", func(s *Settings) any { return &s.Order }},
	{"suffix_weights", func(s *Settings) any { return &s.SuffixWeights }},
	{"pad_ended", func(s *Settings) any { return &s.PadEnded }},
	{"renorm_survivors", func(s *Settings) any { return &s.RenormSurvivors }},
	{"group_stats", func(s *Settings) any { return &s.GroupStats }},
	{"kl_placement", func(s *Settings) any { return &s.KLPlacement }},
	{"group_baseline", func(s *Settings) any { return &s.GroupBaseline }},
	{"gamma", func(s *Settings) any { return &s.Gamma }},
	{"lambda", func(s *Settings) any { return &s.Lambda }},
	{"value_clip", func(s *Settings) any { return &s.ValueClip }},
	{"critic_lr", func(s *Settings) any { return &s.CriticOptim.LR }},
}

// klNoneName is how KLNone is written in a configuration.
const klNoneName = "none"

// SettingKeys lists the keys of every setting, in the configuration's
// order.
func SettingKeys() []string {
	out := make([]string, len(settingKeys))
	for i, k := range settingKeys {
		out[i] = k.key
	}
	return out
}

func lookupKey(key string) (settingKey, error) {
	for _, k := range settingKeys {
		if k.key == key {
			return k, nil
		}
	}
	return settingKey{}, fmt.Errorf("unknown algorithm setting %q (known: %s)", key, strings.Join(SettingKeys(), ", "))
}

// Set gives the setting named key the value v: a string, a number (an
// integer for epochs and mini_batches) or a boolean as the setting's type
// needs. The kl setting takes "none" for no KL term.
func (s *Settings) Set(key string, v any) error {
	k, err := lookupKey(key)
	if err != nil {
		return err
	}
	switch p := k.ptr(s).(type) {
	case *string:
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %T %v", key, v, v)
		}
		if key == "kl" && str == klNoneName {
			str = KLNone
		}
		*p = str
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%s: want true or false, got %T %v", key, v, v)
		}
		*p = b
	case *float64:
		x, ok := toFloat(v)
		if !ok {
			return fmt.Errorf("%s: want a number, got %T %v", key, v, v)
		}
		*p = x
	case *int:
		x, ok := toFloat(v)
		if !ok || x != math.Trunc(x) {
			return fmt.Errorf("%s: want an integer, got %T %v", key, v, v)
		}
		*p = int(x)
	}
	return nil
}

// Get returns the value of the setting named key, as Set takes it.
func (s Settings) Get(key string) (any, error) {
	k, err := lookupKey(key)
	if err != nil {
		return nil, err
	}
	switch p := k.ptr(&s).(type) {
	case *string:
		if key == "kl" && *p == KLNone {
			return klNoneName, nil
		}
		return *p, nil
	case *bool:
		return *p, nil
	case *float64:
		return *p, nil
	case *int:
		return *p, nil
	}
	return nil, fmt.Errorf("%s: unsupported type", key)
}

// Map is every setting by key, with the seed, for a run's config.yaml.
func (s Settings) Map() map[string]any {
	out := map[string]any{"seed": s.Seed}
	for _, k := range settingKeys {
		out[k.key], _ = s.Get(k.key)
	}
	return out
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// Overrides are settings given explicitly, by key (see SettingKeys): a
// layer over an algorithm's defaults. A key that is absent leaves the
// value below it; a key that is present wins, whatever its value — the
// reference value, zero and false included.
type Overrides map[string]any

// Keys lists the keys of o, sorted.
func (o Overrides) Keys() []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Apply sets every setting of o on s, in key order.
func (o Overrides) Apply(s *Settings) error {
	for _, key := range o.Keys() {
		if err := s.Set(key, o[key]); err != nil {
			return err
		}
	}
	return nil
}

// Resolve returns the named algorithm's defaults with the layers applied
// in order (a later layer wins), validated: the settings of one run.
func Resolve(name string, layers ...Overrides) (Settings, error) {
	s, err := Defaults(name)
	if err != nil {
		return s, err
	}
	for _, o := range layers {
		if err := o.Apply(&s); err != nil {
			return s, fmt.Errorf("algorithm %s: %w", name, err)
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("algorithm %s: %w", name, err)
	}
	return s, nil
}

// ReferenceSettings are the reference values of SEEUPO.md that every
// built-in algorithm starts from (the estimator and loss left empty).
func ReferenceSettings() Settings { return referenceSettings() }
