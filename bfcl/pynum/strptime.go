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
	re := strptimeRegexp(format)
	m := re.FindStringSubmatchIndex(string(s))
	if m == nil {
		return time.Time{}, py.ValueErrorf("time data %s does not match format %s", py.StrRepr(string(s)), py.StrRepr(format))
	}
	if m[1] != len(s) {
		return time.Time{}, py.ValueErrorf("unconverted data remains: %s", string(s)[m[1]:])
	}
	field := func(name string, def int) int {
		i := re.SubexpIndex(name)
		if i < 0 || m[2*i] < 0 {
			return def
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(s)[m[2*i]:m[2*i+1]]))
		return n
	}
	year, month, day := field("Y", 1900), field("m", 1), field("d", 1)
	hour, minute, second := field("H", 0), field("M", 0), field("S", 0)
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
