package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// field is one leaf setting of the configuration tree.
type field struct {
	Key     string // dotted path, e.g. "log.level"
	Index   []int  // reflect field index path from Config
	Type    reflect.Type
	Allowed []string
	Min     string
	Max     string
	Help    string
}

// choices give the allowed values of keys whose values are registered
// names (algorithm.estimator: the estimators' registry), read at every
// load, so a name registered later is allowed without editing a tag.
var choices = map[string]func() []string{}

// EnvName is the environment variable that sets the field.
func (f field) EnvName() string { return EnvName(f.Key) }

// EnvName turns a dotted key into its SEEUPO_* environment variable.
func EnvName(key string) string {
	return "SEEUPO_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// schema is the key tree of a configuration struct.
type schema struct {
	leaves   []field
	byKey    map[string]field
	sections map[string][]string // section path ("" for the root) -> child names in order
}

func newSchema(t reflect.Type) *schema {
	s := &schema{byKey: map[string]field{}, sections: map[string][]string{}}
	s.walk(t, "", nil)
	return s
}

func (s *schema) walk(t reflect.Type, prefix string, index []int) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := sf.Tag.Get("key")
		if name == "" || !sf.IsExported() {
			continue
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		s.sections[prefix] = append(s.sections[prefix], name)
		idx := append(append([]int(nil), index...), i)
		if sf.Type.Kind() == reflect.Struct && sf.Type.String() != "time.Time" {
			s.walk(sf.Type, key, idx)
			continue
		}
		f := field{Key: key, Index: idx, Type: sf.Type, Min: sf.Tag.Get("min"),
			Max: sf.Tag.Get("max"), Help: sf.Tag.Get("help")}
		if a := sf.Tag.Get("allowed"); a != "" {
			f.Allowed = strings.Split(a, "|")
		}
		if names, ok := choices[key]; ok {
			f.Allowed = append(f.Allowed, names()...)
		}
		s.leaves = append(s.leaves, f)
		s.byKey[key] = f
	}
}

// isSection reports whether key names a section (a nested struct).
func (s *schema) isSection(key string) bool {
	_, ok := s.sections[key]
	return ok
}

// allowedKeys lists the keys that may appear under a section, sorted.
func (s *schema) allowedKeys(section string) []string {
	keys := append([]string(nil), s.sections[section]...)
	sort.Strings(keys)
	return keys
}

// Keys lists every leaf key of the configuration, in declaration order.
func Keys() []string {
	s := newSchema(reflect.TypeOf(Config{}))
	keys := make([]string, len(s.leaves))
	for i, f := range s.leaves {
		keys[i] = f.Key
	}
	return keys
}

// describe explains what a field accepts, for error messages.
func (f field) describe() string {
	if len(f.Allowed) > 0 {
		return "one of " + strings.Join(f.Allowed, ", ")
	}
	kind := typeName(f.Type)
	switch {
	case f.Min != "" && f.Max != "":
		return fmt.Sprintf("%s in [%s, %s]", kind, f.Min, f.Max)
	case f.Min != "":
		return fmt.Sprintf("%s >= %s", kind, f.Min)
	case f.Max != "":
		return fmt.Sprintf("%s <= %s", kind, f.Max)
	}
	return kind
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		if t.String() == "time.Duration" {
			return "a duration such as 30s or 5m"
		}
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(typeName(t.Elem()), "an "), "a ") + "s"
	}
	return t.String()
}
