package env

import (
	"runtime/debug"
	"testing"
)

func TestServerGC(t *testing.T) {
	cases := []struct {
		name    string
		percent int
		budget  uint64
		want    GCSetting
		text    string
	}{
		{"container of 512 MiB", 800, 512 << 20, GCSetting{Percent: 800, Limit: 256 << 20}, "GC percent 800, soft memory limit 256 MiB"},
		{"machine of 24 GiB", 400, 24 << 30, GCSetting{Percent: 400, Limit: 12 << 30}, "GC percent 400, soft memory limit 12288 MiB"},
		{"budget unknown", 800, 0, GCSetting{Percent: 800}, "GC percent 800, no memory limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ServerGC(c.percent, c.budget)
			if got != c.want {
				t.Errorf("ServerGC(%d, %d) = %+v, want %+v", c.percent, c.budget, got, c.want)
			}
			if got.String() != c.text {
				t.Errorf("String() = %q, want %q", got.String(), c.text)
			}
		})
	}
}

// Apply sets both knobs and hands back what was there, which restores it.
func TestGCSettingApplyRestores(t *testing.T) {
	before := GCSetting{Percent: debug.SetGCPercent(100), Limit: debug.SetMemoryLimit(-1)}
	debug.SetGCPercent(before.Percent)
	prev := GCSetting{Percent: 800, Limit: 300 << 20}.Apply()
	now := GCSetting{Percent: debug.SetGCPercent(123), Limit: debug.SetMemoryLimit(-1)}
	if now != (GCSetting{Percent: 800, Limit: 300 << 20}) {
		t.Errorf("after Apply: %+v", now)
	}
	prev.Apply()
	restored := GCSetting{Percent: debug.SetGCPercent(before.Percent), Limit: debug.SetMemoryLimit(-1)}
	if restored != before {
		t.Errorf("after restoring: %+v, want %+v", restored, before)
	}
}
