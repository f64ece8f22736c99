package filesystem

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// populate adds an empty file for each name of POPULATE_FILE_EXTENSION
// (items) to a bottom directory of a long-context scenario. When a shared
// template fits, the directory gets a new contents dict with the
// template's keys (its files, then the new ones); otherwise the files are
// added one by one, with upstream's error for a name already there.
func (fs *FileSystem) populate(dir *Directory, items []py.Value) error {
	files := make([]File, len(items)) // one allocation for the files
	if t := fs.populateTemplate(dir.Contents, items); t != nil {
		c := t.merged.Copy()
		for i := 0; i < dir.Contents.Len(); i++ {
			_ = c.Set(dir.Contents.KeyAt(i), dir.Contents.ValueAt(i))
		}
		for i, n := range items {
			files[i] = File{Name: n, Content: py.Str("")}
			_ = c.Set(n, &files[i])
		}
		dir.Contents = c
		return nil
	}
	return populateOneByOne(dir, items, files)
}

// populateOneByOne adds the files one by one into files (one per item),
// with upstream's error for a name already there: populate without a
// template.
func populateOneByOne(dir *Directory, items []py.Value, files []File) error {
	for i, n := range items {
		name := n
		if _, isStr := n.(py.Str); !isStr {
			name = py.Str(py.StrOf(n))
		}
		if err := dir.addFileObject(&files[i], name, py.Str("")); err != nil {
			return err
		}
	}
	return nil
}

// populated is the key layout of a directory's contents after populate:
// its keys, then the new names. It is read-only and shared by every
// instance (Process.ConstantsMemo): merged's keys (and index) are shared
// by its copies.
type populated struct {
	// names are the new names, in order: the items a process's
	// constant must have for the template to fit.
	names []string
	// merged holds the merged keys, each with the value None.
	merged *py.Dict
}

// populateTemplate is the shared template for contents and items, or nil
// when none fits: a key or item is not a str, or a new name is already
// a key or given twice (populate then reports it).
func (fs *FileSystem) populateTemplate(contents *py.Dict, items []py.Value) *populated {
	key, ok := backend.KeysMemoKey("filesystem.populate", contents)
	if !ok {
		return nil
	}
	t, _ := fs.proc.ConstantsMemo(key, func() any { return newPopulated(contents, items) }).(*populated)
	if t == nil || !t.fits(items) {
		return nil
	}
	return t
}

// newPopulated is the template of contents populated with items, or nil
// when an item is not a str or is a key already.
func newPopulated(contents *py.Dict, items []py.Value) *populated {
	t := &populated{merged: py.NewDict(), names: make([]string, 0, len(items))}
	for i := 0; i < contents.Len(); i++ {
		if err := t.merged.Set(contents.KeyAt(i), py.None); err != nil {
			return nil
		}
	}
	for _, it := range items {
		s, ok := it.(py.Str)
		if !ok {
			return nil
		}
		if _, has := t.merged.GetStr(string(s)); has {
			return nil
		}
		t.merged.SetStr(string(s), py.None)
		t.names = append(t.names, string(s))
	}
	return t
}

// fits says whether items are the template's names, in order.
func (t *populated) fits(items []py.Value) bool {
	if len(items) != len(t.names) {
		return false
	}
	for i, want := range t.names {
		if s, ok := items[i].(py.Str); !ok || string(s) != want {
			return false
		}
	}
	return true
}
