package filesystem

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// FileSystem is upstream's GorillaFileSystem.
type FileSystem struct {
	proc        *backend.Process
	LongContext py.Value
	Root        *Directory
	current     *Directory
	// loadCopier copies the container contents of files while
	// LoadScenario reads the shared config (made on first need).
	loadCopier *py.Copier
}

// State implements backend.Instance.
func (fs *FileSystem) State() []py.Attr {
	return []py.Attr{{Name: "long_context", Value: fs.LongContext}, {Name: "root", Value: fs.Root}}
}

// LoadScenario implements backend.Instance (upstream _load_scenario).
func (fs *FileSystem) LoadScenario(cfg *py.Dict, longContext bool) error {
	fs.LongContext = py.Bool(longContext)
	fs.Root = newDirectory(py.Str("/"), nil)
	if rootCfg, ok := cfg.GetStr("root"); ok {
		rd, ok := rootCfg.(*py.Dict)
		if !ok || rd.Len() == 0 {
			return fmt.Errorf("root: want a non-empty object")
		}
		name := rd.KeyAt(0)
		root := newDirectory(name, nil)
		entry, ok := rd.ValueAt(0).(*py.Dict)
		if !ok {
			return fmt.Errorf("root.%s: want an object", py.StrOf(name))
		}
		contents, _ := entry.GetStr("contents")
		cd, ok := contents.(*py.Dict)
		if !ok {
			return fmt.Errorf("root.%s.contents: want an object", py.StrOf(name))
		}
		err := fs.loadDirectory(cd, root)
		fs.loadCopier = nil
		if err != nil {
			return err
		}
		fs.Root = root
	}
	fs.current = fs.Root
	return nil
}

func (fs *FileSystem) loadDirectory(current *py.Dict, parent *Directory) error {
	bottom := true
	for i := 0; i < current.Len(); i++ {
		name := current.KeyAt(i)
		data, ok := current.ValueAt(i).(*py.Dict)
		if !ok {
			return fmt.Errorf("entry %s: want an object", py.Repr(name))
		}
		typ, _ := data.GetStr("type")
		switch typ {
		case py.Str("directory"):
			bottom = false
			nd := newDirectory(name, parent)
			sub, _ := data.GetStr("contents")
			sd, ok := sub.(*py.Dict)
			if !ok {
				return fmt.Errorf("directory %s: contents: want an object", py.Repr(name))
			}
			if err := fs.loadDirectory(sd, nd); err != nil {
				return err
			}
			if err := parent.Contents.Set(name, nd); err != nil {
				return err
			}
		case py.Str("file"):
			content, ok := data.GetStr("content")
			if !ok {
				return py.KeyError(py.Str("content"))
			}
			// The config is shared (ReadsConfig): keep a copy of a
			// container content, as part of one copy of the config.
			if _, isStr := content.(py.Str); !isStr {
				if fs.loadCopier == nil {
					fs.loadCopier = &py.Copier{}
				}
				content = fs.loadCopier.Copy(content)
			}
			if py.Truthy(fs.LongContext) {
				var err error
				if content, err = fs.extendContent(name, content); err != nil {
					return err
				}
			}
			if err := parent.Contents.Set(name, &File{Name: name, Content: content}); err != nil {
				return err
			}
		}
	}
	if bottom && py.Truthy(fs.LongContext) {
		names, err := fs.proc.Constant("POPULATE_FILE_EXTENSION")
		if err != nil {
			return err
		}
		return fs.populate(parent, names.(*py.List).Items)
	}
	return nil
}

func (fs *FileSystem) extendContent(name, content py.Value) (py.Value, error) {
	tail, err := fs.proc.Constant("FILES_TAIL_USED")
	if err != nil {
		return nil, err
	}
	if ok, _ := py.Contains(tail, name); ok {
		return content, nil
	}
	ext, err := fs.proc.Constant("FILE_CONTENT_EXTENSION")
	if err != nil {
		return nil, err
	}
	text, isStr := content.(py.Str)
	suffix, extIsStr := ext.(py.Str)
	if !isStr || !extIsStr {
		return py.Add(content, ext)
	}
	// The file texts of the scenarios are few, and a str never changes:
	// each extended text is made once per constants (whose
	// FILE_CONTENT_EXTENSION is the suffix) and shared.
	key := "filesystem.extended\x00" + string(text)
	return fs.proc.ConstantsMemo(key, func() any { return text + suffix }).(py.Str), nil
}

// strOf returns v as a Go string, or the AttributeError of calling the str
// method on another type.
func strOf(v py.Value, method string) (string, error) {
	s, ok := v.(py.Str)
	if !ok {
		return "", py.AttributeError(v, method)
	}
	return string(s), nil
}

func errDict(format string, args ...any) *py.Dict {
	return py.NewDict().With("error", py.Str(fmt.Sprintf(format, args...)))
}

func (fs *FileSystem) pwd() (py.Value, error) {
	return py.NewDict().With("current_working_directory", py.Str(fs.current.path())), nil
}

func (fs *FileSystem) ls(a py.Value) (py.Value, error) {
	keys := fs.current.Contents.Keys()
	if !py.Truthy(a) {
		kept := keys[:0:0]
		for _, k := range keys {
			s, err := strOf(k, "startswith")
			if err != nil {
				return nil, err
			}
			if !strings.HasPrefix(s, ".") {
				kept = append(kept, k)
			}
		}
		keys = kept
	}
	return py.NewDict().With("current_directory_content", py.NewList(keys...)), nil
}

func (fs *FileSystem) cd(folderV py.Value) (py.Value, error) {
	s, err := strOf(folderV, "rstrip")
	if err != nil {
		return nil, err
	}
	folder := strings.TrimRight(s, "/")
	if folder == "" {
		folder = "/"
	}
	if folder != "." && folder != ".." && folder != "/" && strings.Contains(folder, "/") {
		return errDict("cd: %s: Unsupported path. Only one folder level at a time is supported.", folder), nil
	}
	if folder == ".." {
		switch {
		case fs.current.Parent != nil:
			fs.current = fs.current.Parent
		case py.Eq(fs.Root, fs.current):
			return errDict("Current directory is already the root. Cannot go back."), nil
		default:
			return errDict("cd: ..: No such directory"), nil
		}
		return py.NewDict(), nil
	}
	target, errV, err := fs.navigate(py.Str(folder))
	if err != nil || errV != nil {
		return errV, err
	}
	fs.current = target
	return py.NewDict().With("current_working_directory", target.Name), nil
}

// forbiddenNameChars are the characters a file or directory name must
// not hold.
const forbiddenNameChars = `|/\?%*:"><`

// validName is _validate_file_or_directory_name: `c in name` for each
// forbidden character, with Python's errors for non-str names.
func validName(name py.Value) (bool, error) {
	if s, ok := name.(py.Str); ok {
		// Substring test on a str: any forbidden byte (all ASCII).
		return !strings.ContainsAny(string(s), forbiddenNameChars), nil
	}
	for _, c := range forbiddenNameChars {
		in, err := py.Contains(name, py.Str(string(c)))
		if err != nil {
			return false, err
		}
		if in {
			return false, nil
		}
	}
	return true, nil
}

func (fs *FileSystem) mkdir(name py.Value) (py.Value, error) {
	if ok, err := validName(name); err != nil {
		return nil, err
	} else if !ok {
		return errDict("mkdir: cannot create directory '%s': Invalid character", py.StrOf(name)), nil
	}
	if ok, err := fs.current.Contents.Has(name); err != nil {
		return nil, err
	} else if ok {
		return errDict("mkdir: cannot create directory '%s': File exists", py.StrOf(name)), nil
	}
	_, err := fs.current.addDirectory(name)
	return py.None, err
}

func (fs *FileSystem) touch(name py.Value) (py.Value, error) {
	if ok, err := validName(name); err != nil {
		return nil, err
	} else if !ok {
		return errDict("touch: cannot touch '%s': Invalid character", py.StrOf(name)), nil
	}
	if ok, err := fs.current.Contents.Has(name); err != nil {
		return nil, err
	} else if ok {
		return errDict("touch: cannot touch '%s': File exists", py.StrOf(name)), nil
	}
	return py.None, fs.current.addFile(name, py.Str(""))
}

func (fs *FileSystem) echo(content, name py.Value) (py.Value, error) {
	if py.IsNone(name) {
		return py.NewDict().With("terminal_output", content), nil
	}
	if ok, err := validName(name); err != nil {
		return nil, err
	} else if !ok {
		return errDict("echo: cannot write to '%s': Invalid character", py.StrOf(name)), nil
	}
	if !py.Truthy(name) {
		return py.NewDict().With("terminal_output", content), nil
	}
	ok, err := fs.current.Contents.Has(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("echo: cannot write to '%s': No such file", py.StrOf(name)), nil
	}
	it, err := fs.current.item(name)
	if err != nil {
		return nil, err
	}
	f, isFile := it.(*File)
	if !isFile {
		return nil, py.AttributeError(it, "_write")
	}
	f.Content = content
	return py.None, nil
}

func (fs *FileSystem) cat(name py.Value) (py.Value, error) {
	if ok, err := validName(name); err != nil {
		return nil, err
	} else if !ok {
		return errDict("cat: '%s': Invalid character", py.StrOf(name)), nil
	}
	ok, err := fs.current.Contents.Has(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("cat: '%s': No such file or directory", py.StrOf(name)), nil
	}
	it, _ := fs.current.item(name)
	if f, isFile := it.(*File); isFile {
		return py.NewDict().With("file_content", f.Content), nil
	}
	return errDict("cat: '%s': Is a directory", py.StrOf(name)), nil
}

func (fs *FileSystem) find(path, name py.Value) (py.Value, error) {
	target, errV, err := fs.navigate(path)
	if err != nil {
		return nil, err
	}
	if errV != nil {
		msg, _ := errV.GetStr("error")
		if s := string(msg.(py.Str)); strings.HasPrefix(s, "cd:") {
			return py.NewDict().With("error", py.Str("find:"+s[3:])), nil
		}
		return errV, nil
	}
	base, err := strOf(path, "rstrip")
	if err != nil {
		return nil, err
	}
	matches := &py.List{Items: []py.Value{}}
	if err := search(target, strings.TrimRight(base, "/"), name, matches, 0); err != nil {
		return nil, err
	}
	return py.NewDict().With("matches", matches), nil
}

// maxDepth stands in for CPython's recursion limit on cyclic trees.
const maxDepth = 900

func search(dir *Directory, base string, name py.Value, matches *py.List, depth int) error {
	if depth > maxDepth {
		return py.Errorf("RecursionError", "maximum recursion depth exceeded")
	}
	for i := 0; i < dir.Contents.Len(); i++ {
		itemName := dir.Contents.KeyAt(i)
		itemPath := base + "/" + py.StrOf(itemName)
		match := py.IsNone(name)
		if !match {
			in, err := py.Contains(itemName, name)
			if err != nil {
				return err
			}
			match = in
		}
		if match {
			matches.Append(py.Str(itemPath))
		}
		if sub, ok := dir.Contents.ValueAt(i).(*Directory); ok {
			if err := search(sub, itemPath, name, matches, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileIn returns the File named name in the current directory, or nil.
func (fs *FileSystem) fileIn(name py.Value) (*File, error) {
	ok, err := fs.current.Contents.Has(name)
	if err != nil || !ok {
		return nil, err
	}
	it, _ := fs.current.item(name)
	f, _ := it.(*File)
	return f, nil
}

func (fs *FileSystem) wc(name, mode py.Value) (py.Value, error) {
	if ok, _ := py.Contains(py.StrList("l", "w", "c"), mode); !ok {
		return errDict("wc: invalid mode '%s'", py.StrOf(mode)), nil
	}
	f, err := fs.fileIn(name)
	if err != nil {
		return nil, err
	}
	if f != nil {
		switch mode {
		case py.Str("l"):
			s, err := strOf(f.Content, "splitlines")
			if err != nil {
				return nil, err
			}
			return py.NewDict().With("count", py.Int(len(py.SplitLines(s)))).With("type", py.Str("lines")), nil
		case py.Str("w"):
			s, err := strOf(f.Content, "split")
			if err != nil {
				return nil, err
			}
			return py.NewDict().With("count", py.Int(len(py.SplitWhitespace(s)))).With("type", py.Str("words")), nil
		default:
			n, err := py.Len(f.Content)
			if err != nil {
				return nil, err
			}
			return py.NewDict().With("count", py.Int(n)).With("type", py.Str("characters")), nil
		}
	}
	return errDict("wc: %s: No such file or directory", py.StrOf(name)), nil
}

func (fs *FileSystem) sort(name py.Value) (py.Value, error) {
	f, err := fs.fileIn(name)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return errDict("sort: %s: No such file or directory", py.StrOf(name)), nil
	}
	s, err := strOf(f.Content, "splitlines")
	if err != nil {
		return nil, err
	}
	lines := py.SplitLines(s)
	py.SortStrings(lines)
	return py.NewDict().With("sorted_content", py.Str(strings.Join(lines, "\n"))), nil
}

func (fs *FileSystem) grep(name, pattern py.Value) (py.Value, error) {
	f, err := fs.fileIn(name)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return errDict("grep: %s: No such file or directory", py.StrOf(name)), nil
	}
	s, err := strOf(f.Content, "splitlines")
	if err != nil {
		return nil, err
	}
	out := &py.List{Items: []py.Value{}}
	for _, line := range py.SplitLines(s) {
		in, err := py.Contains(py.Str(line), pattern)
		if err != nil {
			return nil, err
		}
		if in {
			out.Append(py.Str(line))
		}
	}
	return py.NewDict().With("matching_lines", out), nil
}

func size(v py.Value, depth int) (int64, error) {
	switch x := v.(type) {
	case *File:
		s, err := strOf(x.Content, "encode")
		return int64(len(s)), err
	case *Directory:
		if depth > maxDepth {
			return 0, py.Errorf("RecursionError", "maximum recursion depth exceeded")
		}
		var total int64
		for _, c := range x.Contents.Values() {
			n, err := size(c, depth+1)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	return 0, nil
}

func (fs *FileSystem) du(human py.Value) (py.Value, error) {
	total, err := size(fs.current, 0)
	if err != nil {
		return nil, err
	}
	var out string
	if py.Truthy(human) {
		out = humanSize(total)
	} else {
		out = fmt.Sprintf("%d bytes", total)
	}
	return py.NewDict().With("disk_usage", py.Str(out)), nil
}

// humanSize is du's loop over B, KB, MB, GB, TB (the first step stays an
// int, later ones are float divisions) with f"{x:.2f}".
func humanSize(total int64) string {
	x := float64(total)
	for _, unit := range []string{"B", "KB", "MB", "GB", "TB"} {
		if x < 1024 {
			return fmt.Sprintf("%.2f %s", x, unit)
		}
		x /= 1024
	}
	return fmt.Sprintf("%.2f PB", x)
}

func (fs *FileSystem) tail(name, lines py.Value) (py.Value, error) {
	f, err := fs.fileIn(name)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return errDict("tail: %s: No such file or directory", py.StrOf(name)), nil
	}
	s, err := strOf(f.Content, "splitlines")
	if err != nil {
		return nil, err
	}
	content := py.SplitLines(s)
	gt, err := py.Compare(">", lines, py.Int(len(content)))
	if err != nil {
		return nil, err
	}
	if gt {
		lines = py.Int(len(content))
	}
	neg, err := py.Neg(lines)
	if err != nil {
		return nil, err
	}
	start, ok := neg.(py.Int)
	if !ok {
		if _, isBig := neg.(py.BigInt); !isBig {
			return nil, py.TypeErrorf("slice indices must be integers or None or have an __index__ method")
		}
		start = 0 // a huge negative start clamps to 0
	}
	n := int64(len(content))
	if start < 0 {
		start += py.Int(n)
		if start < 0 {
			start = 0
		}
	}
	if int64(start) > n {
		start = py.Int(n)
	}
	return py.NewDict().With("last_lines", py.Str(strings.Join(content[start:], "\n"))), nil
}

func (fs *FileSystem) diff(name1, name2 py.Value) (py.Value, error) {
	in1, err := fs.current.Contents.Has(name1)
	if err != nil {
		return nil, err
	}
	in2 := false
	if in1 {
		if in2, err = fs.current.Contents.Has(name2); err != nil {
			return nil, err
		}
	}
	if in1 && in2 {
		it1, _ := fs.current.item(name1)
		it2, _ := fs.current.item(name2)
		f1, ok1 := it1.(*File)
		f2, ok2 := it2.(*File)
		if ok1 && ok2 {
			s1, err := strOf(f1.Content, "splitlines")
			if err != nil {
				return nil, err
			}
			s2, err := strOf(f2.Content, "splitlines")
			if err != nil {
				return nil, err
			}
			l1, l2 := py.SplitLines(s1), py.SplitLines(s2)
			var out []string
			for i := 0; i < len(l1) && i < len(l2); i++ {
				if l1[i] != l2[i] {
					out = append(out, "- "+l1[i]+"\n+ "+l2[i])
				}
			}
			return py.NewDict().With("diff_lines", py.Str(strings.Join(out, "\n"))), nil
		}
	}
	return errDict("diff: %s or %s: No such file or directory", py.StrOf(name1), py.StrOf(name2)), nil
}

func (fs *FileSystem) mv(source, dest py.Value) (py.Value, error) {
	item, into, refusal, err := fs.transfer("mv", "move", source, dest)
	if err != nil || refusal != nil {
		return refusal, err
	}
	src, dst := py.StrOf(source), py.StrOf(dest)
	if into != nil {
		if in, err := into.Contents.Has(py.Str(src)); err != nil {
			return nil, err
		} else if in {
			return errDict("mv: cannot move '%s' to '%s/%s': File exists", src, dst, src), nil
		}
		_, _, _ = fs.current.Contents.Pop(source)
		if err := moveInto(into, source, item); err != nil {
			return nil, err
		}
		return py.NewDict().With("result", py.Str(fmt.Sprintf("'%s' moved to '%s/%s'", src, dst, src))), nil
	}
	_, _, _ = fs.current.Contents.Pop(source)
	if err := moveInto(fs.current, dest, item); err != nil {
		return nil, err
	}
	return py.NewDict().With("result", py.Str(fmt.Sprintf("'%s' moved to '%s'", src, dst))), nil
}

// transfer is what mv and cp check alike: the source exists, the
// destination holds no "/", and a destination that exists is a directory.
// It returns the source item and that directory (nil when the destination
// is a new name), or the error dict the command answers with.
func (fs *FileSystem) transfer(cmd, verb string, source, dest py.Value) (item py.Value, into *Directory, refusal py.Value, err error) {
	ok, err := fs.current.Contents.Has(source)
	if err != nil {
		return nil, nil, nil, err
	}
	if !ok {
		return nil, nil, errDict("%s: cannot %s '%s': No such file or directory", cmd, verb, py.StrOf(source)), nil
	}
	item, _ = fs.current.item(source)
	if slash, err := py.Contains(dest, py.Str("/")); err != nil {
		return nil, nil, nil, err
	} else if slash {
		return nil, nil, errDict("%s: path not allowed in destination. Provide only a file or directory name.", cmd), nil
	}
	exists, err := fs.current.Contents.Has(dest)
	if err != nil || !exists {
		return item, nil, nil, err
	}
	destItem, _ := fs.current.item(dest)
	dd, isDir := destItem.(*Directory)
	if !isDir {
		return nil, nil, errDict("%s: cannot %s '%s' to '%s': Not a directory", cmd, verb, py.StrOf(source), py.StrOf(dest)), nil
	}
	return item, dd, nil, nil
}

// moveInto adds a new File (same content) or a new Directory (taking over
// the same contents dict) named name to dir.
func moveInto(dir *Directory, name, item py.Value) error {
	switch x := item.(type) {
	case *File:
		return dir.addFile(name, x.Content)
	case *Directory:
		nd, err := dir.addDirectory(name)
		if err != nil {
			return err
		}
		nd.Contents = x.Contents
	}
	return nil
}

func (fs *FileSystem) rm(name py.Value) (py.Value, error) {
	ok, err := fs.current.Contents.Has(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("rm: cannot remove '%s': No such file or directory", py.StrOf(name)), nil
	}
	_, _, _ = fs.current.Contents.Pop(name)
	return py.NewDict().With("result", py.Str(fmt.Sprintf("'%s' removed", py.StrOf(name)))), nil
}

func (fs *FileSystem) rmdir(name py.Value) (py.Value, error) {
	ok, err := fs.current.Contents.Has(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("rmdir: cannot remove '%s': No such file or directory", py.StrOf(name)), nil
	}
	it, _ := fs.current.item(name)
	d, isDir := it.(*Directory)
	if !isDir {
		return errDict("rmdir: cannot remove '%s': Not a directory", py.StrOf(name)), nil
	}
	if d.Contents.Len() > 0 {
		return errDict("rmdir: cannot remove '%s': Directory not empty", py.StrOf(name)), nil
	}
	_, _, _ = fs.current.Contents.Pop(name)
	return py.NewDict().With("result", py.Str(fmt.Sprintf("'%s' removed", py.StrOf(name)))), nil
}

func (fs *FileSystem) cp(source, dest py.Value) (py.Value, error) {
	item, into, refusal, err := fs.transfer("cp", "copy", source, dest)
	if err != nil || refusal != nil {
		return refusal, err
	}
	src, dst := py.StrOf(source), py.StrOf(dest)
	if into != nil {
		// Upstream looks for "dest/source" among the directory's names,
		// which never hold a "/": the check never fires.
		if err := copyInto(into, source, item); err != nil {
			return nil, err
		}
		return py.NewDict().With("result", py.Str(fmt.Sprintf("'%s' copied to '%s/%s'", src, dst, src))), nil
	}
	if err := copyInto(fs.current, dest, item); err != nil {
		return nil, err
	}
	return py.NewDict().With("result", py.Str(fmt.Sprintf("'%s' copied to '%s'", src, dst))), nil
}

// copyInto adds a new File (same content) or a new Directory with a
// shallow copy of the contents to dir.
func copyInto(dir *Directory, name, item py.Value) error {
	switch x := item.(type) {
	case *File:
		return dir.addFile(name, x.Content)
	case *Directory:
		nd, err := dir.addDirectory(name)
		if err != nil {
			return err
		}
		nd.Contents = x.Contents.Copy()
	}
	return nil
}

// navigate is _navigate_to_directory: a Directory, or an error dict (the
// second result), or a Python exception.
func (fs *FileSystem) navigate(path py.Value) (*Directory, *py.Dict, error) {
	if py.IsNone(path) || py.Eq(path, py.Str(".")) {
		return fs.current, nil, nil
	}
	if py.Eq(path, py.Str("/")) {
		return fs.Root, nil, nil
	}
	s, err := strOf(path, "strip")
	if err != nil {
		return nil, nil, err
	}
	dirs := strings.Split(strings.Trim(s, "/"), "/")
	dir := fs.current
	if strings.HasPrefix(s, "/") {
		dir = fs.Root
	}
	for _, name := range dirs {
		next, _ := dir.item(py.Str(name))
		d, ok := next.(*Directory)
		if !ok {
			return nil, errDict("cd: '%s': No such file or directory", s), nil
		}
		dir = d
	}
	return dir, nil, nil
}
