package algorithms

import (
	"reflect"
	"strings"
	"testing"
)

// leafValues flattens the exported fields of a struct value into
// name → value, descending into nested structs.
func leafValues(v reflect.Value, prefix string, out map[string]any) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			leafValues(v.Field(i), prefix+f.Name+".", out)
			continue
		}
		out[prefix+f.Name] = v.Field(i).Interface()
	}
}

// Each key sets exactly one field of Settings, every field but the seed
// and the optimiser constants no configuration gives has a key, and Get
// reads back what Set wrote.
func TestSettingKeysCoverSettings(t *testing.T) {
	notConfigured := map[string]bool{"Seed": true, "Optim.Eps": true, "CriticOptim.Beta1": true, "CriticOptim.Beta2": true,
		"CriticOptim.Eps": true, "CriticOptim.WeightDecay": true, "CriticOptim.MaxGradNorm": true}
	covered := map[string]string{}
	for _, key := range SettingKeys() {
		var s Settings
		before := map[string]any{}
		leafValues(reflect.ValueOf(s), "", before)
		k, err := lookupKey(key)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		switch k.ptr(&s).(type) {
		case *string:
			v = "x"
		case *bool:
			v = true
		case *int:
			v = 7
		default:
			v = 0.7
		}
		if err := s.Set(key, v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		after := map[string]any{}
		leafValues(reflect.ValueOf(s), "", after)
		var changed []string
		for name := range after {
			if after[name] != before[name] {
				changed = append(changed, name)
			}
		}
		if len(changed) != 1 {
			t.Errorf("%s changes %v", key, changed)
			continue
		}
		if prev, dup := covered[changed[0]]; dup {
			t.Errorf("%s and %s both set %s", prev, key, changed[0])
		}
		covered[changed[0]] = key
		if got, _ := s.Get(key); got != v {
			t.Errorf("%s: Get %v after Set %v", key, got, v)
		}
	}
	all := map[string]any{}
	leafValues(reflect.ValueOf(Settings{}), "", all)
	for name := range all {
		if _, ok := covered[name]; !ok && !notConfigured[name] {
			t.Errorf("field %s has no setting key", name)
		}
	}
}

func TestSetRefusesWrongTypesAndKeys(t *testing.T) {
	cases := []struct {
		key  string
		v    any
		want string
	}{
		{"lr", "fast", "lr: want a number"},
		{"epochs", 1.5, "epochs: want an integer"},
		{"pad_ended", "yes", "pad_ended: want true or false"},
		{"order", 3, "order: want a string"},
		{"learning_rate", 0.1, `unknown algorithm setting "learning_rate" (known: estimator, loss`},
	}
	for _, tc := range cases {
		var s Settings
		if err := s.Set(tc.key, tc.v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%s, %v): %v, want %q", tc.key, tc.v, err, tc.want)
		}
	}
}

// A later layer wins over an earlier one and over the defaults, with any
// value; keys no layer gives keep the algorithm's defaults; "none" turns
// the KL term off.
func TestResolveLayers(t *testing.T) {
	s, err := Resolve("gspo", Overrides{"lr": 0.5, "clip_low": 0.2, "kl": "none"}, Overrides{"lr": 1e-6, "gamma": 0.0})
	if err != nil {
		t.Fatal(err)
	}
	if s.Optim.LR != 1e-6 || s.ClipLow != 0.2 || s.ClipHigh != GSPOClipHigh || s.KL != KLNone || s.Gamma != 0 || s.Loss != LossGSPOSeq {
		t.Errorf("got %+v", s)
	}
	if got, _ := s.Get("kl"); got != "none" {
		t.Errorf("kl reads %v", got)
	}
	if _, err := Resolve("gspo", Overrides{"epochs": 0}); err == nil || !strings.Contains(err.Error(), "algorithm gspo: epochs") {
		t.Errorf("epochs 0: %v", err)
	}
	if _, err := Resolve("dapo"); err == nil || !strings.Contains(err.Error(), `unknown algorithm "dapo"`) {
		t.Errorf("unknown algorithm: %v", err)
	}
}
