package benchmarks

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Set gives suite keys values from the command line, each "key=value"
// with a dotted key (rl.group_size=2, algorithms=[grpo], seeds=[1]) and a
// YAML value. They win over every layer of the suite: a key of the rl,
// model, warm_start or seeds settings is given to the AppWorld family too
// (its appworld section's value included), and appworld.KEY to the
// AppWorld family alone. Unknown keys and values of the wrong type are
// errors naming the assignment.
func (c SuiteConfig) Set(assignments []string) (SuiteConfig, error) {
	for _, a := range assignments {
		key, val, ok := strings.Cut(a, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return c, fmt.Errorf("--set %q: want key=value, e.g. rl.group_size=2", a)
		}
		var v any
		if err := yaml.Unmarshal([]byte(val), &v); err != nil {
			return c, fmt.Errorf("--set %s: value %q: %w", key, val, err)
		}
		parts := strings.Split(key, ".")
		doc := v
		for i := len(parts) - 1; i >= 0; i-- {
			doc = map[string]any{parts[i]: doc}
		}
		b, err := yaml.Marshal(doc)
		if err != nil {
			return c, err
		}
		if err := decodeKnown(yamlNode(b), &c); err != nil {
			return c, fmt.Errorf("--set %s: %w", key, err)
		}
		switch parts[0] {
		case "rl", "model", "warm_start", "seeds":
			if err := decodeKnown(yamlNode(b), &c.AppWorld); err != nil {
				return c, fmt.Errorf("--set %s (the appworld family's): %w", key, err)
			}
		}
	}
	return c, c.Validate()
}

// yamlNode parses YAML text into a node (the text comes from
// yaml.Marshal, so it parses).
func yamlNode(b []byte) *yaml.Node {
	var n yaml.Node
	yaml.Unmarshal(b, &n)
	return &n
}
