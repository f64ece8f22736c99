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
	// Aggregates are the figures over all tasks: avg@k, pass@k, pass^k,
	// reward/mean, infra_failed_rate, and suite-specific ones (tgc, sgc).
	Aggregates Data `json:"aggregates"`
}

// TaskResult is the outcome of one task's k evaluation samples. Samples
// lost to an infrastructure failure (the environment failed, not the
// agent) are listed in InfraFailed by their number (0 to k−1); Success and
// Reward hold the other samples, in order.
type TaskResult struct {
	Task        string    `json:"task"`
	Group       string    `json:"group,omitempty"`
	Success     []bool    `json:"success"`
	Reward      []float64 `json:"reward,omitempty"`
	InfraFailed []int     `json:"infra_failed,omitempty"`
	// FailedTurn, where the suite tells it, is each sample's user turn
	// (1-based) at which it first went wrong, in the order of Success (0
	// for a success).
	FailedTurn []int `json:"failed_turn,omitempty"`
	// Level is the task's difficulty level where the suite has them
	// (AppWorld's 1 to 3); Aggregate then reports avg@k and sgc@k per
	// level as well.
	Level int `json:"level,omitempty"`
	// Extra holds per-task figures such as the fraction of tests passed.
	Extra Data `json:"extra,omitempty"`
}

// planned is the number of samples the task was given: those that ran and
// those lost to infrastructure failures.
func (t TaskResult) planned() int { return len(t.Success) + len(t.InfraFailed) }

// Aggregate computes avg@k, pass@k, pass^k, reward/mean and
// infra_failed_rate over tasks, and sgc@k where tasks share groups. k is the
// largest number of samples any task was given. Samples lost to
// infrastructure failures are left out: a task's avg@k, pass@k and pass^k
// are over the samples that ran (a task with fewer samples counts with the
// ones it has; one with none is left out of the averages, which are NaN
// when no task has a sample), and infra_failed_rate is the lost fraction
// of all samples. With no tasks it returns an empty Data.
func Aggregate(tasks []TaskResult) Data {
	out := aggregate(tasks)
	if len(out) == 0 {
		return out
	}
	byLevel := map[int][]TaskResult{}
	for _, t := range tasks {
		if t.Level > 0 {
			byLevel[t.Level] = append(byLevel[t.Level], t)
		}
	}
	k := maxPlanned(tasks)
	for level, ts := range byLevel {
		// avg@k over the level's tasks is its task goal completion; sgc@k
		// counts the scenarios of that level (AppWorld's scenario shares its
		// level across variants). The names keep the evaluation's k even
		// where a level's tasks lost samples.
		sub, subK := aggregate(ts), maxPlanned(ts)
		out[LevelMetric(level, AvgAt(k))] = sub[AvgAt(subK)]
		if v, ok := sub[SGCAt(subK)]; ok {
			out[LevelMetric(level, SGCAt(k))] = v
		}
	}
	return out
}

// maxPlanned is the largest number of samples any task was given.
func maxPlanned(tasks []TaskResult) int {
	k := 0
	for _, t := range tasks {
		k = max(k, t.planned())
	}
	return k
}

// aggregate is Aggregate without the per-level figures.
func aggregate(tasks []TaskResult) Data {
	out := Data{}
	if len(tasks) == 0 {
		return out
	}
	k, planned, lost := 0, 0, 0
	for _, t := range tasks {
		k = max(k, t.planned())
		planned += t.planned()
		lost += len(t.InfraFailed)
	}
	var avg, pass, passHat, rewardSum float64
	ran, rewardN := 0, 0
	for _, t := range tasks {
		for _, r := range t.Reward {
			rewardSum += r
			rewardN++
		}
		n := len(t.Success)
		if n == 0 {
			continue
		}
		c := successes(t.Success)
		avg += float64(c) / float64(n)
		pass += PassAtK(n, c, min(k, n))
		passHat += PassHatK(n, c, min(k, n))
		ran++
	}
	out[AvgAt(k)] = avg / float64(ran)
	out[PassAt(k)] = pass / float64(ran)
	out[PassHat(k)] = passHat / float64(ran)
	if planned > 0 {
		out[AggInfraFailedRate] = float64(lost) / float64(planned)
	}
	if rewardN > 0 {
		out[AggRewardMean] = rewardSum / float64(rewardN)
	}
	if sgc, ok := scenarioGoalCompletion(tasks, k); ok {
		out[SGCAt(k)] = sgc
	}
	return out
}

func successes(s []bool) int {
	c := 0
	for _, ok := range s {
		if ok {
			c++
		}
	}
	return c
}

// scenarioGoalCompletion is SGCAt's figure; ok is false when no group
// holds more than one task. A scenario whose task lost sample j to an
// infrastructure failure is left out of sample j's fraction; a sample no
// scenario has is left out of the average (NaN when none has one).
func scenarioGoalCompletion(tasks []TaskResult, k int) (float64, bool) {
	groups := map[string][][]outcome{}
	shared := false
	for _, t := range tasks {
		if t.Group == "" {
			return 0, false
		}
		groups[t.Group] = append(groups[t.Group], t.outcomes(k))
		shared = shared || len(groups[t.Group]) > 1
	}
	if !shared || k == 0 {
		return 0, false
	}
	total, samples := 0.0, 0
	for j := range k {
		done, known := 0, 0
		for _, members := range groups {
			switch scenarioOutcome(members, j) {
			case succeeded:
				done++
				known++
			case failed:
				known++
			}
		}
		if known > 0 {
			total += float64(done) / float64(known)
			samples++
		}
	}
	return total / float64(samples), true
}

// outcome is what became of one evaluation sample.
type outcome int8

const (
	failed outcome = iota // failed, or missing from a short list
	succeeded
	lost // lost to an infrastructure failure
)

// outcomes lists the task's samples 0 to k−1 by number.
func (t TaskResult) outcomes(k int) []outcome {
	out := make([]outcome, k)
	for _, j := range t.InfraFailed {
		if j >= 0 && j < k {
			out[j] = lost
		}
	}
	next := 0
	for j := range out {
		if out[j] == lost || next >= len(t.Success) {
			continue
		}
		if t.Success[next] {
			out[j] = succeeded
		}
		next++
	}
	return out
}

// scenarioOutcome is sample j of a scenario: lost when any task lost it,
// else succeeded when every task succeeded.
func scenarioOutcome(members [][]outcome, j int) outcome {
	all := succeeded
	for _, m := range members {
		switch m[j] {
		case lost:
			return lost
		case failed:
			all = failed
		}
	}
	return all
}
