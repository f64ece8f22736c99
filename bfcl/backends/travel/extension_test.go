package travel

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// sampleExt is an extension of three str keys, each value a dict.
func sampleExt() *py.Dict {
	ext := py.NewDict()
	for _, k := range []string{"e1", "shared", "e3"} {
		ext.SetStr(k, py.NewDict().With("from", py.Str("ext "+k)))
	}
	return ext
}

// The template merge makes what adding the items one by one makes: the
// same keys in the same order, holding the same objects, for dicts with
// no key, keys of their own and keys the extension has too.
func TestTemplateMergeMatchesAddItems(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"empty", nil},
		{"own key", []string{"mine"}},
		{"shared key", []string{"shared"}},
		{"several", []string{"b", "shared", "a", "e3"}},
		{"many", []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext := sampleExt()
			dst := func() *py.Dict {
				d := py.NewDict()
				for _, k := range tt.keys {
					d.SetStr(k, py.NewDict().With("own", py.Str(k)))
				}
				return d
			}()
			want := dst.Copy()
			if err := addItems(ext, want); err != nil {
				t.Fatal(err)
			}
			tpl := newExtTemplate(ext, dst)
			if tpl == nil || !tpl.fits(ext) {
				t.Fatal("no fitting template")
			}
			got := tpl.merge(ext, dst)
			if got.Len() != want.Len() {
				t.Fatalf("%d keys, want %d", got.Len(), want.Len())
			}
			for i := 0; i < want.Len(); i++ {
				if !py.Eq(got.KeyAt(i), want.KeyAt(i)) || !py.Is(got.ValueAt(i), want.ValueAt(i)) {
					t.Errorf("item %d: %s: %s, want %s: %s", i, py.Repr(got.KeyAt(i)), py.Repr(got.ValueAt(i)),
						py.Repr(want.KeyAt(i)), py.Repr(want.ValueAt(i)))
				}
			}
		})
	}
}

// A template fits only an extension with its keys in its order.
func TestTemplateFits(t *testing.T) {
	tpl := newExtTemplate(sampleExt(), py.NewDict())
	tests := []struct {
		name string
		ext  *py.Dict
		want bool
	}{
		{"same", sampleExt(), true},
		{"key added", sampleExt().With("e4", py.None), false},
		{"other order", py.NewDict().With("shared", py.None).With("e1", py.None).With("e3", py.None), false},
		{"key removed", py.NewDict().With("e1", py.None).With("shared", py.None), false},
	}
	for _, tt := range tests {
		if got := tpl.fits(tt.ext); got != tt.want {
			t.Errorf("%s: fits %v, want %v", tt.name, got, tt.want)
		}
	}
	withInt := sampleExt()
	if err := withInt.Set(py.Int(1), py.None); err != nil {
		t.Fatal(err)
	}
	if newExtTemplate(withInt, py.NewDict()) != nil {
		t.Error("a template for an extension with an int key")
	}
}
