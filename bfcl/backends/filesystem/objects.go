// Package filesystem is the GorillaFileSystem backend of BFCL v4: an
// in-memory directory tree with shell-like commands (ls, cd, mkdir, mv, cp,
// grep, ...), ported from upstream with its aliasing quirks (a copied
// directory shares its children; a moved directory's children keep pointing
// at the old, detached parent).
package filesystem

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// File is upstream's File: a name and a content (a str unless a call
// stored another type).
type File struct {
	Name    py.Value
	Content py.Value
}

// Directory is upstream's Directory. Contents maps names to *File and
// *Directory values in insertion order.
type Directory struct {
	Name     py.Value
	Parent   *Directory
	Contents *py.Dict
}

func newDirectory(name py.Value, parent *Directory) *Directory {
	return &Directory{Name: name, Parent: parent, Contents: py.NewDict()}
}

// TypeName implements py.Value.
func (*File) TypeName() string { return "File" }

// TypeName implements py.Value.
func (*Directory) TypeName() string { return "Directory" }

// Attrs implements py.Object.
func (f *File) Attrs() []py.Attr {
	return []py.Attr{{Name: "name", Value: f.Name}, {Name: "content", Value: f.Content}}
}

// Attrs implements py.Object; the parent is a reference by path.
func (d *Directory) Attrs() []py.Attr {
	var parent py.Value = py.None
	if d.Parent != nil {
		parent = py.Ref(d.Parent.path())
	}
	return []py.Attr{{Name: "name", Value: d.Name}, {Name: "parent", Value: parent}, {Name: "contents", Value: d.Contents}}
}

// path is "/" + the names from the top of the parent chain down to d, the
// walk upstream's pwd does.
func (d *Directory) path() string {
	var names []string
	for x := d; x != nil; x = x.Parent {
		names = append(names, py.StrOf(x.Name))
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return "/" + strings.Join(names, "/")
}

// Repr implements py.Reprer as upstream's __repr__.
func (f *File) Repr() string {
	return "<<File: " + py.StrOf(f.Name) + ", Content: " + py.StrOf(f.Content) + ">>"
}

// Repr implements py.Reprer as upstream's __repr__.
func (d *Directory) Repr() string {
	parent := "None"
	if d.Parent != nil {
		parent = py.StrOf(d.Parent.Name)
	}
	return "<Directory: " + py.StrOf(d.Name) + ", Parent: " + parent + ", Contents: " + py.Repr(d.Contents) + ">"
}

// PyEq implements upstream's File.__eq__ (name and content).
func (f *File) PyEq(other py.Value) bool {
	o, ok := other.(*File)
	return ok && (f == o || py.Eq(f.Name, o.Name) && py.Eq(f.Content, o.Content))
}

// PyEqDepth implements upstream's Directory.__eq__ (name and contents, not
// the parent).
func (d *Directory) PyEqDepth(other py.Value, depth int) bool {
	o, ok := other.(*Directory)
	return ok && (d == o || py.EqDepth(d.Name, o.Name, depth) && py.EqDepth(d.Contents, o.Contents, depth))
}

// addFile is Directory._add_file.
func (d *Directory) addFile(name, content py.Value) error {
	return d.addFileObject(new(File), name, content)
}

// addFileObject is addFile storing the new file in f, a File not in use.
func (d *Directory) addFileObject(f *File, name, content py.Value) error {
	if ok, err := d.Contents.Has(name); err != nil {
		return err
	} else if ok {
		return py.ValueErrorf("File '%s' already exists in directory '%s'.", py.StrOf(name), py.StrOf(d.Name))
	}
	*f = File{Name: name, Content: content}
	return d.Contents.Set(name, f)
}

// addDirectory is Directory._add_directory.
func (d *Directory) addDirectory(name py.Value) (*Directory, error) {
	if ok, err := d.Contents.Has(name); err != nil {
		return nil, err
	} else if ok {
		return nil, py.ValueErrorf("Directory '%s' already exists in directory '%s'.", py.StrOf(name), py.StrOf(d.Name))
	}
	nd := newDirectory(name, d)
	return nd, d.Contents.Set(name, nd)
}

// item is Directory._get_item: "." is the directory itself, otherwise
// contents.get(name) (nil when absent).
func (d *Directory) item(name py.Value) (py.Value, error) {
	if py.Eq(name, py.Str(".")) {
		return d, nil
	}
	v, ok, err := d.Contents.Get(name)
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}
