package mathapi

import (
	"math"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

const allNumbers = "All elements in the list must be numbers"

// sum is Python's sum(iterable) with start 0.
func sum(v py.Value) (py.Value, error) {
	items, err := pynum.Iter(v)
	if err != nil {
		return nil, err
	}
	var acc py.Value = py.Int(0)
	for _, it := range items {
		if acc, err = py.Add(acc, it); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// meanOf is sum(numbers) / len(numbers).
func meanOf(numbers py.Value) (py.Value, error) {
	s, err := sum(numbers)
	if err != nil {
		return nil, err
	}
	n, err := py.Len(numbers)
	if err != nil {
		return nil, err
	}
	return py.TrueDiv(s, py.Int(n))
}

func mean(numbers py.Value) (py.Value, error) {
	if !py.Truthy(numbers) {
		return errDict("Cannot calculate mean of an empty list"), nil
	}
	v, err := meanOf(numbers)
	return catchType(v, err, allNumbers)
}

func standardDeviation(numbers py.Value) (py.Value, error) {
	if !py.Truthy(numbers) {
		return errDict("Cannot calculate standard deviation of an empty list"), nil
	}
	v, err := stddev(numbers)
	return catchType(v, err, allNumbers)
}

func stddev(numbers py.Value) (py.Value, error) {
	m, err := meanOf(numbers)
	if err != nil {
		return nil, err
	}
	items, err := pynum.Iter(numbers)
	if err != nil {
		return nil, err
	}
	var acc py.Value = py.Int(0)
	for _, x := range items {
		d, err := py.Sub(x, m)
		if err != nil {
			return nil, err
		}
		sq, err := pynum.Pow(d, py.Int(2))
		if err != nil {
			return nil, err
		}
		if acc, err = py.Add(acc, sq); err != nil {
			return nil, err
		}
	}
	n, err := py.Len(numbers)
	if err != nil {
		return nil, err
	}
	variance, err := py.TrueDiv(acc, py.Int(n))
	if err != nil {
		return nil, err
	}
	f, ok := py.AsFloat(variance)
	if !ok {
		return nil, py.TypeErrorf("must be real number, not %s", variance.TypeName())
	}
	if f < 0 {
		return nil, py.ValueErrorf("math domain error")
	}
	return py.Float(math.Sqrt(f)), nil
}

// siFactors are upstream's to_meters factors, in order.
var siFactors = []struct {
	unit   string
	factor py.Value
}{
	{"km", py.Int(1000)}, {"m", py.Int(1)}, {"cm", py.Float(0.01)},
	{"mm", py.Float(0.001)}, {"um", py.Float(1e-6)}, {"nm", py.Float(1e-9)},
}

func siFactor(unit py.Value) (py.Value, bool, error) {
	if _, err := py.HashKey(unit); err != nil {
		return nil, false, err
	}
	for _, f := range siFactors {
		if py.EqStr(unit, f.unit) {
			return f.factor, true, nil
		}
	}
	return nil, false, nil
}

func unsupportedConversion(in, out py.Value) *py.Dict {
	return errDict("Conversion from '" + py.StrOf(in) + "' to '" + py.StrOf(out) + "' is not supported")
}

const tooLarge = "Conversion resulted in a value too large to represent"

func siConversion(value, unitIn, unitOut py.Value) (py.Value, error) {
	if !py.IsNumber(value) {
		return errDict("Value must be a number"), nil
	}
	in, okIn, err := siFactor(unitIn)
	if err != nil {
		return nil, err
	}
	var out py.Value
	okOut := false
	if okIn {
		if out, okOut, err = siFactor(unitOut); err != nil {
			return nil, err
		}
	}
	if !okIn || !okOut {
		return unsupportedConversion(unitIn, unitOut), nil
	}
	inverse, err := py.TrueDiv(py.Int(1), out)
	if err != nil {
		return nil, err
	}
	meters, err := py.Mul(value, in)
	if err == nil {
		meters, err = py.Mul(meters, inverse)
	}
	if err != nil {
		if isKind(err, "OverflowError") {
			return errDict(tooLarge), nil
		}
		return nil, err
	}
	return result(meters), nil
}

// imperialFactors are upstream's conversion factors.
var imperialFactors = map[string]float64{
	"cm_to_in": 0.393701, "in_to_cm": 2.54, "m_to_ft": 3.28084, "ft_to_m": 0.3048,
	"m_to_yd": 1.09361, "yd_to_m": 0.9144, "km_to_miles": 0.621371, "miles_to_km": 1.60934,
	"kg_to_lb": 2.20462, "lb_to_kg": 0.453592, "celsius_to_fahrenheit": 1.8,
	"fahrenheit_to_celsius": 5.0 / 9.0,
}

func imperialConversion(value, unitIn, unitOut py.Value) (py.Value, error) {
	if !py.IsNumber(value) {
		return errDict("Value must be a number"), nil
	}
	if py.Eq(unitIn, unitOut) {
		return result(value), nil
	}
	key := py.StrOf(unitIn) + "_to_" + py.StrOf(unitOut)
	factor, ok := imperialFactors[key]
	if !ok {
		return unsupportedConversion(unitIn, unitOut), nil
	}
	var v py.Value
	var err error
	switch {
	case py.Eq(unitIn, py.Str("celsius")) && py.Eq(unitOut, py.Str("fahrenheit")):
		if v, err = py.Mul(value, py.Float(factor)); err == nil {
			v, err = py.Add(v, py.Int(32))
		}
	case py.Eq(unitIn, py.Str("fahrenheit")) && py.Eq(unitOut, py.Str("celsius")):
		if v, err = py.Sub(value, py.Int(32)); err == nil {
			v, err = py.Mul(v, py.Float(factor))
		}
	default:
		v, err = py.Mul(value, py.Float(factor))
	}
	if err != nil {
		if isKind(err, "OverflowError") {
			return errDict(tooLarge), nil
		}
		return nil, err
	}
	return result(v), nil
}

func multiply(a, b py.Value) (py.Value, error) {
	if !py.IsNumber(a) || !py.IsNumber(b) {
		return errDict("Both inputs must be numbers"), nil
	}
	v, err := py.Mul(a, b)
	return catchType(v, err, "Both inputs must be numbers")
}

func divide(a, b py.Value) (py.Value, error) {
	if py.Eq(b, py.Int(0)) {
		return errDict("Cannot divide by zero"), nil
	}
	v, err := py.TrueDiv(a, b)
	return catchType(v, err, "Both inputs must be numbers")
}

func power(base, exponent py.Value) (py.Value, error) {
	v, err := pynum.Pow(base, exponent)
	return catchType(v, err, "Both inputs must be numbers")
}

func absoluteValue(number py.Value) (py.Value, error) {
	v, err := pynum.Abs(number)
	return catchType(v, err, "Input must be a number")
}

func roundNumber(number, places py.Value) (py.Value, error) {
	v, err := pynum.RoundValue(number, places)
	return catchType(v, err, "First input must be a number, second input must be an integer")
}

func percentage(part, whole py.Value) (py.Value, error) {
	if py.Eq(whole, py.Int(0)) {
		return errDict("Whole value cannot be zero"), nil
	}
	v, err := py.TrueDiv(part, whole)
	if err == nil {
		v, err = py.Mul(v, py.Int(100))
	}
	return catchType(v, err, "Both inputs must be numbers")
}

// extreme is min(numbers) (op "<") or max(numbers) (op ">").
func extreme(numbers py.Value, op, word string) (py.Value, error) {
	if !py.Truthy(numbers) {
		return errDict("Cannot find " + word + " of an empty list"), nil
	}
	items, err := pynum.Iter(numbers)
	if err != nil {
		return catchType(nil, err, allNumbers)
	}
	if len(items) == 0 {
		return nil, py.ValueErrorf("%s() arg is an empty sequence", map[string]string{"<": "min", ">": "max"}[op])
	}
	best := items[0]
	for _, it := range items[1:] {
		better, err := py.Compare(op, it, best)
		if err != nil {
			return catchType(nil, err, allNumbers)
		}
		if better {
			best = it
		}
	}
	return result(best), nil
}

func sumValues(numbers py.Value) (py.Value, error) {
	if !py.Truthy(numbers) {
		return errDict("Cannot calculate sum of an empty list"), nil
	}
	v, err := sum(numbers)
	return catchType(v, err, allNumbers)
}
