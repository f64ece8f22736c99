package bfcl

import (
	"sync"
	"sync/atomic"

	"github.com/seeupo/seeupo/bfcl/backend"
)

// classSet is the classes of an executor of at most inlineClasses
// classes, in order, the rest nil: a map key made without allocating.
type classSet [inlineClasses]*backend.Class

// ownedMethod is a public method and the index of the class whose
// instance receives it.
type ownedMethod struct {
	owner  int
	method *backend.Method
}

// ownerTable maps each public method name of a class set to its owner:
// the last class of the set that has it. It is read-only once made.
type ownerTable map[string]ownedMethod

var (
	// ownerTablesMu serializes the making of tables; ownerTables holds
	// them by class set, a map never changed once stored (a new one is
	// stored), read without locking.
	ownerTablesMu sync.Mutex
	ownerTables   atomic.Pointer[map[classSet]ownerTable]
)

// maxOwnerTables bounds the tables kept: class sets come from entries,
// which name few combinations.
const maxOwnerTables = 256

// ownerTableOf returns the shared table of classes (at most
// inlineClasses of them), made on first use, or nil when maxOwnerTables
// other tables are kept already.
func ownerTableOf(classes []*backend.Class) ownerTable {
	var key classSet
	copy(key[:], classes)
	if m := ownerTables.Load(); m != nil {
		if t, ok := (*m)[key]; ok {
			return t
		}
	}
	ownerTablesMu.Lock()
	defer ownerTablesMu.Unlock()
	var old map[classSet]ownerTable
	if m := ownerTables.Load(); m != nil {
		old = *m
	}
	if t, ok := old[key]; ok {
		return t
	}
	if len(old) >= maxOwnerTables {
		return nil
	}
	t := newOwnerTable(classes)
	next := make(map[classSet]ownerTable, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[key] = t
	ownerTables.Store(&next)
	return t
}

// newOwnerTable makes the table of classes: a later class's method
// replaces an earlier one's of the same name.
func newOwnerTable(classes []*backend.Class) ownerTable {
	t := ownerTable{}
	for i, c := range classes {
		for _, m := range c.Methods {
			t[m.Name] = ownedMethod{owner: i, method: c.Method(m.Name)}
		}
	}
	return t
}
