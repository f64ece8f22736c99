package py

import (
	"fmt"
	"reflect"
	"unsafe"
)

// Exception is a Python exception: Kind is the class name (TypeError,
// KeyError, ...) and Msg is str(exception), the text upstream shows after
// "Error during execution: ".
type Exception struct {
	Kind string
	Msg  string
}

// Error returns str(exception).
func (e *Exception) Error() string { return e.Msg }

// TypeErrorf makes a TypeError.
func TypeErrorf(format string, args ...any) *Exception {
	return &Exception{Kind: "TypeError", Msg: fmt.Sprintf(format, args...)}
}

// ValueErrorf makes a ValueError.
func ValueErrorf(format string, args ...any) *Exception {
	return &Exception{Kind: "ValueError", Msg: fmt.Sprintf(format, args...)}
}

// Errorf makes an exception of the given kind.
func Errorf(kind, format string, args ...any) *Exception {
	return &Exception{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// ArgTypeName is the type name CPython's argument parsers (Argument
// Clinic and PyArg_Parse, as in "strptime() argument 1 must be str, not
// None") print for a value: "None" for None, else type(v).__name__. Other
// messages ("unsupported operand type(s) ... 'NoneType'") use TypeName.
func ArgTypeName(v Value) string {
	if IsNone(v) {
		return "None"
	}
	return v.TypeName()
}

// IsMemoryError reports whether err is a MemoryError.
func IsMemoryError(err error) bool {
	e, ok := err.(*Exception)
	return ok && e.Kind == "MemoryError"
}

// KeyError is KeyError(key); its str() is repr(key).
func KeyError(key Value) *Exception {
	return &Exception{Kind: "KeyError", Msg: Repr(key)}
}

// AttributeError is "'<type>' object has no attribute '<name>'", what
// calling a missing method on v gives (for example a str method on an int).
func AttributeError(v Value, name string) *Exception {
	return &Exception{Kind: "AttributeError", Msg: fmt.Sprintf("'%s' object has no attribute '%s'", v.TypeName(), name)}
}

// identity gives a stable number for the identity of a pointer-like value.
func identity(v Value) uintptr {
	// The common types first, without reflection.
	switch x := v.(type) {
	case nil, Str, Int, Float, Bool, NoneType:
		return 0
	case *List:
		return uintptr(unsafe.Pointer(x))
	case *Dict:
		return uintptr(unsafe.Pointer(x))
	case *Set:
		return uintptr(unsafe.Pointer(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return rv.Pointer()
	}
	return 0
}

// Is is Python's `a is b` for containers and objects (pointer identity);
// for immutable scalars it is ==.
func Is(a, b Value) bool {
	ia, ib := identity(a), identity(b)
	if ia != 0 || ib != 0 {
		return ia == ib && reflect.TypeOf(a) == reflect.TypeOf(b)
	}
	return a == b
}
