package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
)

// Data maps metric names to values. Non-finite values are encoded as the
// strings "NaN", "Infinity" and "-Infinity"; decoding also accepts null (as
// NaN) and booleans (0 or 1) and drops values that are not numbers.
type Data map[string]float64

// MarshalJSON writes the map with sorted keys and non-finite values as strings.
func (d Data) MarshalJSON() ([]byte, error) {
	if d == nil {
		return []byte("{}"), nil
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.WriteString(formatValue(d[k]))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return `"NaN"`
	case math.IsInf(v, 1):
		return `"Infinity"`
	case math.IsInf(v, -1):
		return `"-Infinity"`
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// UnmarshalJSON reads an object of numbers leniently (see Data).
func (d *Data) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Data, len(raw))
	for k, v := range raw {
		if f, ok := parseValue(v); ok {
			out[k] = f
		}
	}
	*d = out
	return nil
}

func parseValue(v json.RawMessage) (float64, bool) {
	s := string(bytes.TrimSpace(v))
	switch s {
	case "null", `"NaN"`, `"nan"`:
		return math.NaN(), true
	case `"Infinity"`, `"inf"`:
		return math.Inf(1), true
	case `"-Infinity"`, `"-inf"`:
		return math.Inf(-1), true
	case "true":
		return 1, true
	case "false":
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Record is one line of metrics.jsonl: the metrics of one training step.
type Record struct {
	Step int64 `json:"step"`
	Data Data  `json:"data"`
}

// Eval is one line of eval.jsonl: one evaluation of the policy.
type Eval struct {
	Step  int64        `json:"step"`
	Split string       `json:"split,omitempty"`
	K     int          `json:"k,omitempty"`
	Tasks []TaskResult `json:"tasks,omitempty"`
	// Aggregates are the figures over all tasks: avg@k, pass@k,
	// reward/mean, and suite-specific ones (tgc, sgc).
	Aggregates Data `json:"aggregates"`
}

// TaskResult is the outcome of one task's k evaluation samples.
type TaskResult struct {
	Task    string    `json:"task"`
	Group   string    `json:"group,omitempty"`
	Success []bool    `json:"success"`
	Reward  []float64 `json:"reward,omitempty"`
	// Extra holds per-task figures such as the fraction of tests passed.
	Extra Data `json:"extra,omitempty"`
}

// Aggregate computes avg@k, pass@k and reward/mean over tasks. k is the
// largest sample count among the tasks; a task with fewer samples counts
// with the ones it has. With no tasks it returns an empty Data.
func Aggregate(tasks []TaskResult) Data {
	out := Data{}
	if len(tasks) == 0 {
		return out
	}
	k := 0
	var avg, pass, rewardSum float64
	rewardN := 0
	for _, t := range tasks {
		if len(t.Success) > k {
			k = len(t.Success)
		}
		wins := 0
		for _, s := range t.Success {
			if s {
				wins++
			}
		}
		if len(t.Success) > 0 {
			avg += float64(wins) / float64(len(t.Success))
		}
		if wins > 0 {
			pass++
		}
		for _, r := range t.Reward {
			rewardSum += r
			rewardN++
		}
	}
	n := float64(len(tasks))
	out[AvgAt(k)] = avg / n
	out[PassAt(k)] = pass / n
	if rewardN > 0 {
		out[AggRewardMean] = rewardSum / float64(rewardN)
	}
	if sgc, ok := scenarioGoalCompletion(tasks, k); ok {
		out[SGCAt(k)] = sgc
	}
	return out
}

// scenarioGoalCompletion is SGCAt's figure; ok is false when no group
// holds more than one task.
func scenarioGoalCompletion(tasks []TaskResult, k int) (float64, bool) {
	groups := map[string][]TaskResult{}
	shared := false
	for _, t := range tasks {
		if t.Group == "" {
			return 0, false
		}
		groups[t.Group] = append(groups[t.Group], t)
		shared = shared || len(groups[t.Group]) > 1
	}
	if !shared || k == 0 {
		return 0, false
	}
	total := 0.0
	for j := range k {
		done := 0
		for _, members := range groups {
			all := true
			for _, t := range members {
				all = all && j < len(t.Success) && t.Success[j]
			}
			if all {
				done++
			}
		}
		total += float64(done) / float64(len(groups))
	}
	return total / float64(k), true
}
