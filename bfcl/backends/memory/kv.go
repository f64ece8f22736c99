package memory

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/bm25"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Size limits of upstream's memory_kv.py (and memory_vector.py).
const (
	MaxCoreMemorySize          = 7
	MaxCoreMemoryEntryLength   = 300
	MaxArchivalMemorySize      = 50
	MaxArchivalMemoryEntryLen  = 2000
	KVClassName                = "MemoryAPI_kv"
	noCoreMemoryContextMessage = "There is no content in the core memory at this point."
)

// keyFormat is _is_valid_key_format's re.match(r"^[a-z]+(_[a-z0-9]+)*$"):
// Python's $ also matches before a final newline.
var keyFormat = regexp.MustCompile(`^[a-z]+(_[a-z0-9]+)*\n?$`)

// KV is upstream's MemoryAPI_kv.
type KV struct {
	core, archival *py.Dict
	snap           snapshot
}

// kvStore is one of the two memories with its limits and messages.
type kvStore struct {
	name            string // core_memory, archival_memory
	maxSize, maxLen int
	full, added     string
	clearedStatus   string
	get             func(*KV) *py.Dict
	set             func(*KV, *py.Dict)
}

var kvStores = []kvStore{
	{name: "core_memory", maxSize: MaxCoreMemorySize, maxLen: MaxCoreMemoryEntryLength,
		full: "Core memory is full. Please clear some entries.", added: "Key-value pair added.",
		clearedStatus: "Short term memory cleared.",
		get:           func(m *KV) *py.Dict { return m.core }, set: func(m *KV, d *py.Dict) { m.core = d }},
	{name: "archival_memory", maxSize: MaxArchivalMemorySize, maxLen: MaxArchivalMemoryEntryLen,
		full: "Long term memory is full. Please clear some entries.", added: "Key added.",
		clearedStatus: "Long term memory cleared.",
		get:           func(m *KV) *py.Dict { return m.archival }, set: func(m *KV, d *py.Dict) { m.archival = d }},
}

// State implements backend.Instance.
func (m *KV) State() []py.Attr {
	return append([]py.Attr{{Name: "core_memory", Value: m.core}, {Name: "archival_memory", Value: m.archival}}, m.snap.attrs()...)
}

// LoadScenario implements backend.Instance: the latest snapshot, if any.
func (m *KV) LoadScenario(cfg *py.Dict, _ bool) error {
	data, err := m.snap.prepare(cfg)
	if err != nil || data == nil {
		return err
	}
	for _, st := range kvStores {
		v, ok := data.GetStr(st.name)
		if !ok {
			return py.KeyError(py.Str(st.name))
		}
		d, ok := py.DeepCopy(v).(*py.Dict)
		if !ok {
			return fmt.Errorf("snapshot %s: want an object", st.name)
		}
		st.set(m, d)
	}
	return nil
}

// Flush implements Snapshotter.
func (m *KV) Flush() error {
	return m.snap.write(py.NewDict().With("core_memory", m.core).With("archival_memory", m.archival))
}

// CoreMemoryContext implements Snapshotter.
func (m *KV) CoreMemoryContext() (string, error) {
	if m.core.Len() == 0 {
		return noCoreMemoryContextMessage, nil
	}
	return py.DumpsIndent(m.core, 4)
}

func tooLong(n int) *py.Dict {
	return errDict(fmt.Sprintf("Entry is too long. Please shorten the entry to less than %d characters.", n))
}

func (st kvStore) add(m *KV, key, value py.Value) (py.Value, error) {
	k, v := py.StrOf(key), py.StrOf(value)
	d := st.get(m)
	switch {
	case d.Len() >= st.maxSize:
		return errDict(st.full), nil
	case py.StrLen(v) > st.maxLen:
		return tooLong(st.maxLen), nil
	case !keyFormat.MatchString(k):
		return errDict("Key must be in snake_case format and cannot contain spaces."), nil
	}
	if has, _ := d.Has(py.Str(k)); has {
		return errDict("Key name must be unique."), nil
	}
	d.SetStr(k, py.Str(v))
	return statusDict(st.added), nil
}

func (st kvStore) remove(m *KV, key py.Value) (py.Value, error) {
	_, ok, err := st.get(m).Pop(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Key not found."), nil
	}
	return statusDict("Key removed."), nil
}

func (st kvStore) replace(m *KV, key, value py.Value) (py.Value, error) {
	k, v := py.StrOf(key), py.StrOf(value)
	d := st.get(m)
	if has, _ := d.Has(py.Str(k)); !has {
		return errDict("Key not found."), nil
	}
	if py.StrLen(v) > st.maxLen {
		return tooLong(st.maxLen), nil
	}
	d.SetStr(k, py.Str(v))
	return statusDict("Key replaced."), nil
}

func (st kvStore) retrieve(m *KV, key py.Value) (py.Value, error) {
	v, ok, err := st.get(m).Get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Key not found."), nil
	}
	return py.NewDict().With("value", v), nil
}

func (st kvStore) listKeys(m *KV) (py.Value, error) {
	return py.NewDict().With("keys", &py.List{Items: st.get(m).Keys()}), nil
}

func (st kvStore) keySearch(m *KV, query, k py.Value) (py.Value, error) {
	return SimilaritySearch(query, st.get(m).Keys(), k)
}

// SimilaritySearch is _similarity_search: the corpus (the keys, str)
// ranked by BM25+ against query, best first (ties in corpus order), the
// first k as [score, text] pairs under "ranked_results".
func SimilaritySearch(query py.Value, corpus []py.Value, k py.Value) (py.Value, error) {
	docs := make([][]string, len(corpus))
	for i, c := range corpus {
		s, ok := c.(py.Str)
		if !ok {
			return nil, py.AttributeError(c, "replace")
		}
		docs[i] = bm25.Tokenize(string(s))
	}
	if len(docs) == 0 {
		_, err := bm25.Scores(nil, nil)
		return nil, err
	}
	q, ok := query.(py.Str)
	if !ok {
		return nil, py.AttributeError(query, "replace")
	}
	scores, err := bm25.Scores(docs, bm25.Tokenize(string(q)))
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(corpus))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	ranked := make([]py.Value, len(idx))
	for i, j := range idx {
		ranked[i] = py.Tuple{py.Float(scores[j]), corpus[j]}
	}
	top, err := backend.SliceTo(ranked, k)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("ranked_results", &py.List{Items: top}), nil
}

func init() {
	var methods []*backend.Method
	for _, st := range kvStores {
		methods = append(methods,
			method(st.name+"_add", []backend.Param{backend.Req("key"), backend.Req("value")},
				func(m *KV, a []py.Value) (py.Value, error) { return st.add(m, a[0], a[1]) }),
			method(st.name+"_remove", []backend.Param{backend.Req("key")},
				func(m *KV, a []py.Value) (py.Value, error) { return st.remove(m, a[0]) }),
			method(st.name+"_replace", []backend.Param{backend.Req("key"), backend.Req("value")},
				func(m *KV, a []py.Value) (py.Value, error) { return st.replace(m, a[0], a[1]) }),
			method(st.name+"_clear", nil,
				func(m *KV, _ []py.Value) (py.Value, error) {
					st.set(m, py.NewDict())
					return statusDict(st.clearedStatus), nil
				}),
			method(st.name+"_retrieve", []backend.Param{backend.Req("key")},
				func(m *KV, a []py.Value) (py.Value, error) { return st.retrieve(m, a[0]) }),
			method(st.name+"_list_keys", nil,
				func(m *KV, _ []py.Value) (py.Value, error) { return st.listKeys(m) }),
			method(st.name+"_key_search", []backend.Param{backend.Req("query"), backend.Opt("k", py.Int(5))},
				func(m *KV, a []py.Value) (py.Value, error) { return st.keySearch(m, a[0], a[1]) }),
		)
	}
	methods = append(methods, method("core_memory_retrieve_all", nil,
		func(m *KV, _ []py.Value) (py.Value, error) { return m.core, nil }))
	backend.Register(&backend.Class{
		Name: KVClassName,
		New: func(*backend.Process) backend.Instance {
			return &KV{core: py.NewDict(), archival: py.NewDict(), snap: snapshot{backendType: "kv"}}
		},
		Methods: methods,
	})
}

var _ Snapshotter = (*KV)(nil)
