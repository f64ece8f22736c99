package harness

import (
	"strings"
	"unicode"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
)

// RewardSpec turns an episode's evaluation into the scalar reward shared by
// all its turns, as the reference does: Success when the suite says so,
// else PartialScale × the fraction of state tests passed (suites with
// tests), else Failure; Garbled when any reply is garbled.
type RewardSpec struct {
	Success      float64
	Failure      float64
	PartialScale float64
	Garbled      float64
}

// DefaultRewards are the reference values: 1.5, 0, 0.5 × passed/total, −1.
func DefaultRewards() RewardSpec {
	return RewardSpec{Success: 1.5, Failure: 0, PartialScale: 0.5, Garbled: -1}
}

// Reward scores one episode.
func (r RewardSpec) Reward(ev env.Evaluation, garbled bool) float64 {
	switch {
	case garbled:
		return r.Garbled
	case ev.Success:
		return r.Success
	case ev.Total > 0:
		return r.PartialScale * float64(ev.Passed) / float64(ev.Total)
	}
	return r.Failure
}

// Garbled reports whether a reply is junk rather than an attempt: more
// than a fifth of its characters outside printable ASCII and common
// whitespace, or a tail that repeats one short pattern many times over.
func Garbled(reply string) bool {
	return junkFraction(reply) > 0.2 || repeatsTail(reply, 8)
}

func junkFraction(s string) float64 {
	var n, junk int
	for _, c := range s {
		n++
		if c > unicode.MaxASCII || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
			junk++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(junk) / float64(n)
}

// repeatsTail reports whether s ends with at least times consecutive
// copies of one pattern of 1 to 32 characters that covers at least 64
// characters in all.
func repeatsTail(s string, times int) bool {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for p := 1; p <= 32; p++ {
		if len(s) < p*times {
			continue
		}
		unit := s[len(s)-p:]
		count := 0
		for end := len(s); end >= p && s[end-p:end] == unit; end -= p {
			count++
		}
		if count >= times && count*p >= 64 {
			return true
		}
	}
	return false
}

// PassAtK is the unbiased estimator of pass@k from n samples of which c
// succeeded: 1 − C(n−c, k)/C(n, k). It needs k ≤ n. It is
// [metrics.PassAtK], where the evaluation aggregates and pass^k's
// estimator [metrics.PassHatK] live.
func PassAtK(n, c, k int) float64 { return metrics.PassAtK(n, c, k) }
