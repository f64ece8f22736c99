package py

import (
	"reflect"
	"testing"
)

// identity's fast path gives what reflection gives: the pointer of a
// container, 0 for a scalar.
func TestIdentityFastPathAgreesWithReflection(t *testing.T) {
	s, _ := NewSet(Int(1))
	for _, v := range []Value{nil, Str("a"), Int(3), Float(1.5), Bool(true), None, NewList(Int(1)), NewDict().With("a", Int(1)), s} {
		want := uintptr(0)
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
			want = rv.Pointer()
		}
		if got := identity(v); got != want {
			t.Errorf("identity(%#v) = %x, want %x", v, got, want)
		}
	}
}
