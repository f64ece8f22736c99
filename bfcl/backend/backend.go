// Package backend is the contract between the BFCL executor and the
// backend classes (GorillaFileSystem, MathAPI, ...): a Class describes one
// upstream class (its name, its public methods with their Python
// signatures, a constructor), an Instance is one object of it, and a
// Process holds what upstream keeps at module level (the long-context
// constants, mutable default arguments), shared by all instances of one
// episode.
//
// # Writing a backend
//
// A backend lives in its own package under bfcl/backends and registers its
// class from init:
//
//	func init() {
//		backend.Register(&backend.Class{
//			Name: "TicketAPI",
//			New:  func(p *backend.Process) backend.Instance { return &Ticket{proc: p} },
//			Methods: []*backend.Method{
//				{Name: "create_ticket",
//					Params: []backend.Param{backend.Req("title"),
//						backend.Opt("description", py.Str("")), backend.Opt("priority", py.Int(1))},
//					Call: func(self backend.Instance, a []py.Value) (py.Value, error) {
//						return self.(*Ticket).createTicket(a[0], a[1], a[2])
//					}},
//			},
//		})
//	}
//
// Rules that keep the port exact:
//   - Params list the Python parameters after self, in order. Req marks a
//     required one; Opt gives the default value, which is passed when the
//     caller leaves the parameter out. Bind reproduces CPython 3.11's
//     argument binding and TypeError texts ("X.m() missing 1 required
//     positional argument: 'a'"), so Call always receives len(Params)
//     values; Call may keep the values but not the slice, which the
//     executor reuses. For a mutable default that upstream shares between calls
//     (`tags: list = []`), use OptShared: Call then receives nil for an
//     omitted argument and takes the shared object from Process.Module.
//   - Arguments are Values of any type (models pass wrong types); go
//     through the py helpers so that failures give CPython's exception text,
//     and return them as errors (the executor prints "Error during
//     execution: " + err.Error()). Return the method's Python return value:
//     a py.Str is shown as is, a *py.Dict through json.dumps (falling back to
//     str()), anything else through str().
//   - LoadScenario receives a deep copy of initial_config[Name] (an empty
//     dict when absent) and the long_context flag; it is not called for a
//     Stateless class. A class whose LoadScenario only reads the config
//     and copies what it keeps sets ReadsConfig and gets the config itself. State returns the public attributes (the instance's
//     vars() without the names starting with "_"), all of them, every time.
//   - Module-level constants of upstream long_context.py come from
//     Process.Constant; module-level mutable objects must be taken from the
//     Process (Constant for the constants, Module for others) so that
//     aliasing spans exactly one episode, as one upstream process does.
package backend

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Instance is one object of a backend class.
type Instance interface {
	// LoadScenario is upstream's _load_scenario(config, long_context).
	LoadScenario(config *py.Dict, longContext bool) error
	// State lists the public attributes in any order.
	State() []py.Attr
}

// Param is one Python parameter after self.
type Param struct {
	Name string
	// Optional parameters have a default.
	Optional bool
	// Default is passed when an optional parameter is omitted; nil (with
	// Optional) passes nil, for defaults the method resolves itself.
	Default py.Value
}

// Req is a required parameter.
func Req(name string) Param { return Param{Name: name} }

// Opt is an optional parameter with an immutable default.
func Opt(name string, def py.Value) Param { return Param{Name: name, Optional: true, Default: def} }

// OptShared is an optional parameter whose default is a shared mutable
// object: Call gets nil when it is omitted.
func OptShared(name string) Param { return Param{Name: name, Optional: true} }

// Method is one public method.
type Method struct {
	Name   string
	Params []Param
	// Call runs the method on self with one value per Param. It must
	// not keep the args slice (the values are its to keep): the caller
	// may reuse it for the next call.
	Call func(self Instance, args []py.Value) (py.Value, error)
}

// Class is one upstream backend class.
type Class struct {
	// Name is the upstream class name ("GorillaFileSystem").
	Name string
	// Stateless classes are never given a scenario (upstream's
	// STATELESS_CLASSES: MathAPI).
	Stateless bool
	// ReadsConfig says LoadScenario only reads its config: it changes
	// none of it and keeps no list, dict or set of it (it copies what it
	// keeps). Build then passes initial_config[Name] itself instead of a
	// deep copy, which is indistinguishable and saves the copy.
	ReadsConfig bool
	// New makes a fresh instance for a process.
	New func(p *Process) Instance
	// Methods are the public methods; their order does not matter.
	Methods []*Method

	byName map[string]*Method
}

// Method returns the public method called name, or nil.
func (c *Class) Method(name string) *Method {
	return c.byName[name]
}

// MethodNames lists the public method names, sorted.
func (c *Class) MethodNames() []string {
	names := make([]string, 0, len(c.Methods))
	for _, m := range c.Methods {
		names = append(names, m.Name)
	}
	sort.Strings(names)
	return names
}

var (
	// regMu serializes Register; registry holds the registered classes
	// by name, a map never changed once stored (Register stores a new
	// one), so Lookup reads it without locking.
	regMu    sync.Mutex
	registry atomic.Pointer[map[string]*Class]
)

// registered is the current map of registered classes (read-only).
func registered() map[string]*Class {
	if m := registry.Load(); m != nil {
		return *m
	}
	return nil
}

// Register makes a class known by its Name. Registering a name twice, or a
// class with duplicate method names, panics.
func Register(c *Class) {
	regMu.Lock()
	defer regMu.Unlock()
	old := registered()
	if _, dup := old[c.Name]; dup {
		panic("backend: class " + c.Name + " registered twice")
	}
	c.byName = make(map[string]*Method, len(c.Methods))
	for _, m := range c.Methods {
		if _, dup := c.byName[m.Name]; dup {
			panic("backend: " + c.Name + "." + m.Name + " declared twice")
		}
		c.byName[m.Name] = m
	}
	next := make(map[string]*Class, len(old)+1)
	for name, class := range old {
		next[name] = class
	}
	next[c.Name] = c
	registry.Store(&next)
}

// Lookup returns the class registered under name; an unknown name is an
// error listing the known ones.
func Lookup(name string) (*Class, error) {
	c, ok := registered()[name]
	if !ok {
		return nil, fmt.Errorf("unknown backend class %q; known classes: %s", name, strings.Join(Names(), ", "))
	}
	return c, nil
}

// Names lists the registered classes, sorted.
func Names() []string {
	classes := registered()
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// KwArg is one keyword argument of a call.
type KwArg struct {
	Name  string
	Value py.Value
}

// Bind matches positional and keyword arguments to m's parameters the way
// CPython 3.11 binds a call of a method (self counted), returning one
// value per parameter or the TypeError CPython raises.
func Bind(class string, m *Method, pos []py.Value, kw []KwArg) ([]py.Value, error) {
	return BindInto(nil, class, m, pos, kw)
}

// BindInto is Bind writing the values into buf when it has the capacity
// (an executor reuses one buffer for its calls, which is why Call must
// not keep its args slice).
func BindInto(buf []py.Value, class string, m *Method, pos []py.Value, kw []KwArg) ([]py.Value, error) {
	qual := func() string { return class + "." + m.Name + "()" }
	n := len(m.Params)
	var args []py.Value
	if cap(buf) >= n {
		args = buf[:n]
		clear(args)
	} else {
		args = make([]py.Value, n)
	}
	var setBuf [16]bool
	set := setBuf[:0]
	if n <= len(setBuf) {
		set = setBuf[:n]
	} else {
		set = make([]bool, n)
	}
	for i := 0; i < len(pos) && i < n; i++ {
		args[i], set[i] = pos[i], true
	}
	for _, k := range kw {
		idx := -1
		for i, p := range m.Params {
			if p.Name == k.Name {
				idx = i
				break
			}
		}
		if idx < 0 {
			return nil, py.TypeErrorf("%s got an unexpected keyword argument '%s'", qual(), k.Name)
		}
		if set[idx] {
			return nil, py.TypeErrorf("%s got multiple values for argument '%s'", qual(), k.Name)
		}
		args[idx], set[idx] = k.Value, true
	}
	if len(pos) > n {
		return nil, tooManyPositional(qual(), m.Params, len(pos))
	}
	var missing []string
	for i, p := range m.Params {
		if set[i] {
			continue
		}
		if p.Optional {
			args[i] = p.Default
			continue
		}
		missing = append(missing, "'"+p.Name+"'")
	}
	if len(missing) > 0 {
		return nil, missingArgs(qual(), missing)
	}
	return args, nil
}

func tooManyPositional(qual string, params []Param, given int) error {
	required := 1
	for _, p := range params {
		if !p.Optional {
			required++
		}
	}
	total := len(params) + 1
	var takes string
	switch {
	case required != total:
		takes = fmt.Sprintf("from %d to %d positional arguments", required, total)
	case total == 1:
		takes = "1 positional argument"
	default:
		takes = fmt.Sprintf("%d positional arguments", total)
	}
	was := "were"
	if given+1 == 1 {
		was = "was"
	}
	return py.TypeErrorf("%s takes %s but %d %s given", qual, takes, given+1, was)
}

func missingArgs(qual string, names []string) error {
	var list string
	switch len(names) {
	case 1:
		list = names[0]
	case 2:
		list = names[0] + " and " + names[1]
	default:
		list = strings.Join(names[:len(names)-1], ", ") + ", and " + names[len(names)-1]
	}
	noun := "argument"
	if len(names) > 1 {
		noun = "arguments"
	}
	return py.TypeErrorf("%s missing %d required positional %s: %s", qual, len(names), noun, list)
}

// Call binds the arguments and runs method name of c on self. An unknown
// name is Python's AttributeError text.
func (c *Class) Call(self Instance, name string, pos []py.Value, kw []KwArg) (py.Value, error) {
	m := c.Method(name)
	if m == nil {
		return nil, py.Errorf("AttributeError", "'%s' object has no attribute '%s'", c.Name, name)
	}
	args, err := Bind(c.Name, m, pos, kw)
	if err != nil {
		return nil, err
	}
	return m.Call(self, args)
}

// Build makes an instance the way upstream's executor does: construct it
// and, unless the class is stateless, load a deep copy of
// initialConfig[c.Name] (an empty dict when absent).
func (c *Class) Build(p *Process, initialConfig *py.Dict, longContext bool) (Instance, error) {
	inst := c.New(p)
	if c.Stateless {
		return inst, nil
	}
	var cfg *py.Dict
	if initialConfig != nil {
		if v, ok := initialConfig.GetStr(c.Name); ok {
			if !c.ReadsConfig {
				v = py.DeepCopy(v)
			}
			d, isDict := v.(*py.Dict)
			if !isDict {
				return nil, fmt.Errorf("initial_config.%s: want an object, got %s", c.Name, v.TypeName())
			}
			cfg = d
		}
	}
	if cfg == nil {
		// Made only when absent: a dict is one large allocation.
		cfg = py.NewDict()
	}
	if err := inst.LoadScenario(cfg, longContext); err != nil {
		return nil, fmt.Errorf("%s._load_scenario: %w", c.Name, err)
	}
	return inst, nil
}

// EncodeState is the canonical state encoding of one instance: its public
// attributes as a JSON object with sorted names.
func EncodeState(inst Instance) string {
	return py.EncodeAttrs(inst.State())
}

// Reqs lists required parameters, in order.
func Reqs(names ...string) []Param {
	out := make([]Param, len(names))
	for i, n := range names {
		out[i] = Req(n)
	}
	return out
}

// MethodOf adapts a method written for a backend's concrete instance type
// T to the Method contract.
func MethodOf[T Instance](name string, params []Param, f func(self T, args []py.Value) (py.Value, error)) *Method {
	return &Method{Name: name, Params: params, Call: func(self Instance, args []py.Value) (py.Value, error) {
		return f(self.(T), args)
	}}
}

// SliceTo is Python's items[:stop] for a stop value a caller passed: None
// keeps every item, an int (or bool) cuts as Python does (negative from
// the end), anything else is CPython's TypeError.
func SliceTo(items []py.Value, stop py.Value) ([]py.Value, error) {
	var n int64
	switch s := stop.(type) {
	case py.NoneType:
		return items, nil
	case py.Int:
		n = int64(s)
	case py.Bool:
		if s {
			n = 1
		}
	case *py.BigInt:
		if s.V.Sign() > 0 {
			return items, nil
		}
		return items[:0], nil
	default:
		return nil, py.TypeErrorf("slice indices must be integers or None or have an __index__ method")
	}
	l := int64(len(items))
	if n < 0 {
		n += l
		if n < 0 {
			n = 0
		}
	}
	if n > l {
		n = l
	}
	return items[:n], nil
}
