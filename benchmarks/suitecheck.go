package benchmarks

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/sysinfo"
)

// valueRange is a field's allowed interval, written in its range tag as
// "[lo, hi]", with "(" or ")" for an open end.
type valueRange struct {
	text           string
	lo, hi         float64
	loOpen, hiOpen bool
}

// parseRange reads a range tag; a malformed tag is a programming error.
func parseRange(tag string) valueRange {
	r := valueRange{text: tag}
	lo, hi, ok := strings.Cut(strings.Trim(tag, "[]()"), ",")
	var err1, err2 error
	r.lo, err1 = strconv.ParseFloat(strings.TrimSpace(lo), 64)
	r.hi, err2 = strconv.ParseFloat(strings.TrimSpace(hi), 64)
	if !ok || err1 != nil || err2 != nil || len(tag) < 2 {
		panic("benchmarks: bad range tag " + strconv.Quote(tag))
	}
	r.loOpen, r.hiOpen = tag[0] == '(', tag[len(tag)-1] == ')'
	return r
}

// holds reports whether x lies in the range (NaN never does).
func (r valueRange) holds(x float64) bool {
	if math.IsNaN(x) || x < r.lo || x > r.hi {
		return false
	}
	return !(r.loOpen && x == r.lo) && !(r.hiOpen && x == r.hi)
}

// checkRanges checks every field of the struct v that has a range tag,
// descending into nested structs; keys are the YAML keys under prefix. A
// nil pointer (a setting not given) passes.
func checkRanges(v reflect.Value, prefix string) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "" || name == "appworld" {
			continue
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct {
			if err := checkRanges(fv, prefix+name+"."); err != nil {
				return err
			}
			continue
		}
		tag := sf.Tag.Get("range")
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		}
		if tag == "" {
			continue
		}
		var x float64
		kind := "an integer"
		switch fv.Kind() {
		case reflect.Int, reflect.Int64:
			x = float64(fv.Int())
		case reflect.Float64:
			x, kind = fv.Float(), "a finite number"
		default:
			panic("benchmarks: range tag on " + sf.Name)
		}
		if r := parseRange(tag); !r.holds(x) {
			return fmt.Errorf("%s%s is %v; allowed: %s in %s", prefix, name, fv.Interface(), kind, r.text)
		}
	}
	return nil
}

// bytesPerParam is what training holds per parameter of the policy: its
// weights, gradients and two AdamW moments (float32 each) and the frozen
// reference's weights; a critic adds as much again less the reference.
const (
	bytesPerParam       = 4 * (4 + 1)
	criticBytesPerParam = 4 * 4
)

// modelMemory estimates the bytes one run of the suite holds for its
// models and optimiser state, and the parameter count.
func (c SuiteConfig) modelMemory() (bytes float64, params int, err error) {
	cfg, err := c.modelConfig()
	if err != nil {
		return 0, 0, err
	}
	params = cfg.ParamCount()
	per := float64(bytesPerParam)
	if c.needsCritic() {
		per += criticBytesPerParam
	}
	return float64(params) * per, params, nil
}

// needsCritic reports whether an algorithm of the suite trains a value
// model with its reference settings.
func (c SuiteConfig) needsCritic() bool {
	for _, name := range c.Algorithms {
		s, err := algorithms.Resolve(name)
		if err != nil {
			continue
		}
		a, err := algorithms.New(name, s)
		if cu, ok := a.(algorithms.CriticUser); err == nil && ok && cu.NeedsCritic() {
			return true
		}
	}
	return false
}

// hostMemory is the memory a run may use: the machine's available memory
// (its total when that is unknown; 0 when neither is).
var hostMemory = func() uint64 {
	h := sysinfo.ProbeHost()
	if h.MemAvailable > 0 {
		return h.MemAvailable
	}
	return h.MemTotal
}

// checkMemory refuses a model whose parameters and optimiser state would
// not fit in avail bytes (0: unknown, not checked).
func (c SuiteConfig) checkMemory(avail uint64) error {
	need, params, err := c.modelMemory()
	if err != nil {
		return fmt.Errorf("suite %s: %w", c.Name, err)
	}
	if avail > 0 && need > float64(avail) {
		return fmt.Errorf("suite %s: the model (%d parameters) needs about %s for weights, gradients, optimiser state and "+
			"reference%s, more than the %s of memory available (see seeupo doctor); lower model.hidden_size, "+
			"model.layers, model.intermediate_size or model.vocab",
			c.Name, params, gib(need), map[bool]string{true: " and critic", false: ""}[c.needsCritic()], gib(float64(avail)))
	}
	return nil
}

func gib(b float64) string { return fmt.Sprintf("%.1f GiB", b/(1<<30)) }
