package filesystem

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// ClassName is the upstream class name.
const ClassName = "GorillaFileSystem"

func init() {
	backend.Register(&backend.Class{
		Name: ClassName,
		New:  func(p *backend.Process) backend.Instance { return &FileSystem{proc: p} },
		// LoadScenario builds its own directories and files from the
		// config and copies each file's content.
		ReadsConfig: true,
		Methods:     methods(),
	})
}

type call0 func(fs *FileSystem) (py.Value, error)
type call1 func(fs *FileSystem, a py.Value) (py.Value, error)
type call2 func(fs *FileSystem, a, b py.Value) (py.Value, error)

func m0(name string, f call0) *backend.Method {
	return &backend.Method{Name: name, Call: func(s backend.Instance, _ []py.Value) (py.Value, error) {
		return f(s.(*FileSystem))
	}}
}

func m1(name string, p backend.Param, f call1) *backend.Method {
	return &backend.Method{Name: name, Params: []backend.Param{p}, Call: func(s backend.Instance, a []py.Value) (py.Value, error) {
		return f(s.(*FileSystem), a[0])
	}}
}

func m2(name string, p, q backend.Param, f call2) *backend.Method {
	return &backend.Method{Name: name, Params: []backend.Param{p, q}, Call: func(s backend.Instance, a []py.Value) (py.Value, error) {
		return f(s.(*FileSystem), a[0], a[1])
	}}
}

func methods() []*backend.Method {
	req, opt := backend.Req, backend.Opt
	return []*backend.Method{
		m0("pwd", (*FileSystem).pwd),
		m1("ls", opt("a", py.Bool(false)), (*FileSystem).ls),
		m1("cd", req("folder"), (*FileSystem).cd),
		m1("mkdir", req("dir_name"), (*FileSystem).mkdir),
		m1("touch", req("file_name"), (*FileSystem).touch),
		m2("echo", req("content"), opt("file_name", py.None), (*FileSystem).echo),
		m1("cat", req("file_name"), (*FileSystem).cat),
		m2("find", opt("path", py.Str(".")), opt("name", py.None), (*FileSystem).find),
		m2("wc", req("file_name"), opt("mode", py.Str("l")), (*FileSystem).wc),
		m1("sort", req("file_name"), (*FileSystem).sort),
		m2("grep", req("file_name"), req("pattern"), (*FileSystem).grep),
		m1("du", opt("human_readable", py.Bool(false)), (*FileSystem).du),
		m2("tail", req("file_name"), opt("lines", py.Int(10)), (*FileSystem).tail),
		m2("diff", req("file_name1"), req("file_name2"), (*FileSystem).diff),
		m2("mv", req("source"), req("destination"), (*FileSystem).mv),
		m1("rm", req("file_name"), (*FileSystem).rm),
		m1("rmdir", req("dir_name"), (*FileSystem).rmdir),
		m2("cp", req("source"), req("destination"), (*FileSystem).cp),
	}
}
