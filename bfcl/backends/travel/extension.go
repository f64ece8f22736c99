package travel

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// extTemplate is the layout of a dict merged with a long-context
// extension: the dict's keys, then those of the extension it lacks. It is
// made once per constants and key set of the dict (Process.ConstantsMemo)
// and is read-only: merged's keys (and index) are shared by the copies.
type extTemplate struct {
	// extKeys are the extension's keys, in order: a process's copy of
	// the extension fits the template when it has the same.
	extKeys []string
	// merged holds the merged keys, each with the value None.
	merged *py.Dict
	// missing are the positions in extKeys of the keys the dict lacks,
	// in order.
	missing []int
}

// newExtTemplate is the template of dst merged with ext, or nil when a
// key of ext is not a str.
func newExtTemplate(ext, dst *py.Dict) *extTemplate {
	t := &extTemplate{merged: py.NewDict(), extKeys: make([]string, 0, ext.Len())}
	for i := 0; i < dst.Len(); i++ {
		if err := t.merged.Set(dst.KeyAt(i), py.None); err != nil {
			return nil
		}
	}
	for j := 0; j < ext.Len(); j++ {
		k, ok := ext.KeyAt(j).(py.Str)
		if !ok {
			return nil
		}
		t.extKeys = append(t.extKeys, string(k))
		if _, has := t.merged.GetStr(string(k)); !has {
			t.merged.SetStr(string(k), py.None)
			t.missing = append(t.missing, j)
		}
	}
	return t
}

// fits says whether ext has the template's extension keys, in order.
func (t *extTemplate) fits(ext *py.Dict) bool {
	if ext.Len() != len(t.extKeys) {
		return false
	}
	for i, want := range t.extKeys {
		if k, ok := ext.KeyAt(i).(py.Str); !ok || string(k) != want {
			return false
		}
	}
	return true
}

// merge is a new dict holding dst's items, then ext's items whose keys
// dst lacks (by reference): what adding them to dst makes, with the
// template's keys.
func (t *extTemplate) merge(ext, dst *py.Dict) *py.Dict {
	m := t.merged.Copy()
	for i := 0; i < dst.Len(); i++ {
		_ = m.Set(dst.KeyAt(i), dst.ValueAt(i))
	}
	for _, j := range t.missing {
		_ = m.Set(ext.KeyAt(j), ext.ValueAt(j))
	}
	return m
}

// mergeExtension returns dst with the items of ext it lacks, by
// reference: a new dict built from a shared template when one fits (dst
// is the instance's own and no other attribute holds it), else dst
// itself, the items added.
func (tr *Travel) mergeExtension(name string, ext, dst *py.Dict, aliased bool) (*py.Dict, error) {
	if !aliased {
		if key, ok := backend.KeysMemoKey("travel."+name, dst); ok {
			t, _ := tr.proc.ConstantsMemo(key, func() any { return newExtTemplate(ext, dst) }).(*extTemplate)
			if t != nil && t.fits(ext) {
				return t.merge(ext, dst), nil
			}
		}
	}
	return dst, addItems(ext, dst)
}

// addItems adds to dst each item of ext whose key dst lacks, by
// reference.
func addItems(ext, dst *py.Dict) error {
	for i := 0; i < ext.Len(); i++ {
		has, err := dst.Has(ext.KeyAt(i))
		if err != nil {
			return err
		}
		if !has {
			if err := dst.Set(ext.KeyAt(i), ext.ValueAt(i)); err != nil {
				return err
			}
		}
	}
	return nil
}
