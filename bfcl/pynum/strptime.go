package pynum

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seeupo/seeupo/bfcl/py"
)

// strptimeDirectives are the regular expressions CPython's _strptime uses
// for the directives the backends need.
var strptimeDirectives = map[byte]string{
	'Y': `(?P<Y>\d\d\d\d)`,
	'm': `(?P<m>1[0-2]|0[1-9]|[1-9])`,
	'd': `(?P<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])`,
	'H': `(?P<H>2[0-3]|[0-1]\d|\d)`,
	'M': `(?P<M>[0-5]\d|\d)`,
	'S': `(?P<S>6[0-1]|[0-5]\d|\d)`,
}

var (
	strptimeMu    sync.Mutex
	strptimeCache = map[string]*regexp.Regexp{}
)

// strptimeRegexp compiles a format built from %Y %m %d %H %M %S, literal
// characters and spaces (which match any run of whitespace, as in CPython).
func strptimeRegexp(format string) *regexp.Regexp {
	strptimeMu.Lock()
	defer strptimeMu.Unlock()
	if re, ok := strptimeCache[format]; ok {
		return re
	}
	var b strings.Builder
	b.WriteString(`(?i)^`)
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '%' && i+1 < len(format):
			b.WriteString(strptimeDirectives[format[i+1]])
			i++
		case c == ' ':
			b.WriteString(`\s+`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re := regexp.MustCompile(b.String())
	strptimeCache[format] = re
	return re
}

// Strptime is datetime.strptime(v, format) for formats made of %Y %m %d
// %H %M %S: the naive date-time, or CPython's TypeError / ValueError.
func Strptime(v py.Value, format string) (time.Time, error) {
	s, ok := v.(py.Str)
	if !ok {
		return time.Time{}, py.TypeErrorf("strptime() argument 1 must be str, not %s", py.ArgTypeName(v))
	}
	if format == "%Y-%m-%d" {
		if year, month, day, ok := isoDate(string(s)); ok {
			return dateTime(year, month, day, 0, 0, 0)
		}
	}
	return strptimeRegexpPath(string(s), format)
}

// strptimeRegexpPath is Strptime of the str s through the format's
// regular expression.
func strptimeRegexpPath(s, format string) (time.Time, error) {
	re := strptimeRegexp(format)
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return time.Time{}, py.ValueErrorf("time data %s does not match format %s", py.StrRepr(s), py.StrRepr(format))
	}
	if m[1] != len(s) {
		return time.Time{}, py.ValueErrorf("unconverted data remains: %s", s[m[1]:])
	}
	field := func(name string, def int) int {
		i := re.SubexpIndex(name)
		if i < 0 || m[2*i] < 0 {
			return def
		}
		n, _ := strconv.Atoi(strings.TrimSpace(s[m[2*i]:m[2*i+1]]))
		return n
	}
	year, month, day := field("Y", 1900), field("m", 1), field("d", 1)
	return dateTime(year, month, day, field("H", 0), field("M", 0), field("S", 0))
}

// isoDate reads s of the form "YYYY-MM-DD" with a two-digit month 01-12
// and a two-digit day 01-31, which the regular expression of "%Y-%m-%d"
// matches whole with those fields; ok is false for any other text (the
// regular expression then decides).
func isoDate(s string) (year, month, day int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, 0, false
		}
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			v = 10*v + int(c-'0')
		}
		return v
	}
	year, month, day = num(0, 4), num(5, 2), num(8, 2)
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// dateTime checks the fields Strptime read as CPython does and makes the
// naive date-time.
func dateTime(year, month, day, hour, minute, second int) (time.Time, error) {
	if year < 1 {
		return time.Time{}, py.ValueErrorf("year %d is out of range", year)
	}
	if day > daysIn(year, month) {
		return time.Time{}, py.ValueErrorf("day is out of range for month")
	}
	if second > 59 {
		return time.Time{}, py.ValueErrorf("second must be in 0..59")
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC), nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
