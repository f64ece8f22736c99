package memory

import (
	"context"
	"fmt"
	"sort"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// VectorClassName is the upstream class name of the vector backend.
const VectorClassName = "MemoryAPI_vector"

// Vector is upstream's MemoryAPI_vector: a core and an archival
// VectorStore.
type Vector struct {
	core, archival *VectorStore
	snap           snapshot
}

// VectorStore is upstream's VectorStore: texts by id, with a flat
// inner-product index over their normalised embeddings.
type VectorStore struct {
	maxSize, maxLen int
	embed           Embedder
	store           *py.Dict // int id → str text, in insertion order
	nextID          int64
	// index holds the ids and vectors in the index's order (additions go
	// to the end, as in FAISS's IndexIDMap).
	index []indexed
}

type indexed struct {
	id  int64
	vec []float32
}

func newStore(maxSize, maxLen int, e Embedder) *VectorStore {
	return &VectorStore{maxSize: maxSize, maxLen: maxLen, embed: e, store: py.NewDict()}
}

func (s *VectorStore) vectors(texts []string) ([][]float32, error) {
	if s.embed == nil {
		return nil, errNoEmbedder()
	}
	vs, err := s.embed.Embed(context.Background(), texts)
	if err != nil {
		return nil, py.Errorf("RuntimeError", "%v", err)
	}
	if len(vs) != len(texts) {
		return nil, py.Errorf("RuntimeError", "embeddings: %d vectors for %d texts", len(vs), len(texts))
	}
	return normalize(vs), nil
}

// text is the text argument as the store takes it: len() must work and
// the embedding model needs a str.
func (s *VectorStore) text(v py.Value) (string, bool, error) {
	n, err := py.Len(v)
	if err != nil {
		return "", false, err
	}
	if n > s.maxLen {
		return "", false, nil
	}
	t, ok := v.(py.Str)
	if !ok {
		return "", false, py.TypeErrorf("the text to embed must be a str, not %s", v.TypeName())
	}
	return string(t), true, nil
}

func (s *VectorStore) tooLong() *py.Dict {
	return errDict(fmt.Sprintf("Entry length exceeds maximum length of %d characters.", s.maxLen))
}

func (s *VectorStore) add(text py.Value) (py.Value, error) {
	t, ok, err := s.text(text)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.tooLong(), nil
	}
	if s.store.Len() >= s.maxSize {
		return errDict(fmt.Sprintf("Memory size exceeds maximum size of %d entries.", s.maxSize)), nil
	}
	id := s.nextID
	s.nextID++
	vs, err := s.vectors([]string{t})
	if err != nil {
		return nil, err
	}
	s.index = append(s.index, indexed{id: id, vec: vs[0]})
	if err := s.store.Set(py.Int(id), py.Str(t)); err != nil {
		return nil, err
	}
	return py.NewDict().With("id", py.Int(id)), nil
}

func (s *VectorStore) unindex(id int64) {
	for i, x := range s.index {
		if x.id == id {
			s.index = append(s.index[:i], s.index[i+1:]...)
			return
		}
	}
}

// storedID is vec_id as a key of the store (Python's dict lookup: 1.0
// and True find 1), or false.
func (s *VectorStore) storedID(v py.Value) (int64, bool, error) {
	for _, k := range s.store.Keys() {
		if py.Eq(k, v) {
			return int64(k.(py.Int)), true, nil
		}
	}
	if _, err := py.HashKey(v); err != nil {
		return 0, false, err
	}
	return 0, false, nil
}

func notPresent(v py.Value) *py.Dict {
	return errDict(fmt.Sprintf("ID %s not present in store.", py.StrOf(v)))
}

func (s *VectorStore) remove(vecID py.Value) (py.Value, error) {
	id, ok, err := s.storedID(vecID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return notPresent(vecID), nil
	}
	s.unindex(id)
	_, _, _ = s.store.Pop(py.Int(id))
	return statusDict(fmt.Sprintf("ID %s removed from store.", py.StrOf(vecID))), nil
}

func (s *VectorStore) update(vecID, newText py.Value) (py.Value, error) {
	id, ok, err := s.storedID(vecID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return notPresent(vecID), nil
	}
	t, ok, err := s.text(newText)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.tooLong(), nil
	}
	s.unindex(id)
	vs, err := s.vectors([]string{t})
	if err != nil {
		return nil, err
	}
	s.index = append(s.index, indexed{id: id, vec: vs[0]})
	if err := s.store.Set(py.Int(id), py.Str(t)); err != nil {
		return nil, err
	}
	return statusDict(fmt.Sprintf("ID %s updated.", py.StrOf(vecID))), nil
}

func (s *VectorStore) clear() (py.Value, error) {
	s.index = nil
	s.store = py.NewDict()
	s.nextID = 0
	return statusDict("Memory cleared."), nil
}

// retrieve is the top_k entries by inner product with the query's
// embedding, best first; equal scores keep the index's order.
func (s *VectorStore) retrieve(query, topK py.Value) (py.Value, error) {
	out := &py.List{}
	if s.store.Len() == 0 {
		return out, nil
	}
	q, ok := query.(py.Str)
	if !ok {
		return nil, py.TypeErrorf("the text to embed must be a str, not %s", query.TypeName())
	}
	vs, err := s.vectors([]string{string(q)})
	if err != nil {
		return nil, err
	}
	n := py.Int(s.store.Len())
	less, err := py.Compare("<", n, topK)
	if err != nil {
		return nil, err
	}
	k := topK
	if less {
		k = n
	}
	var kk int64
	switch x := k.(type) {
	case py.Int:
		kk = int64(x)
	case py.Bool:
		if x {
			kk = 1
		}
	default:
		return nil, py.TypeErrorf("k must be an int, not %s", k.TypeName())
	}
	if kk <= 0 {
		return nil, py.ValueErrorf("top_k must be positive, got %d", kk)
	}
	scores := make([]float32, len(s.index))
	order := make([]int, len(s.index))
	for i, x := range s.index {
		var dot float32
		for j := range x.vec {
			if j < len(vs[0]) {
				dot += x.vec[j] * vs[0][j]
			}
		}
		scores[i], order[i] = dot, i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	for _, i := range order[:min(int(kk), len(order))] {
		id := s.index[i].id
		text, _, _ := s.store.Get(py.Int(id))
		out.Items = append(out.Items, py.NewDict().With("id", py.Int(id)).
			With("similarity_score", py.Float(float64(scores[i]))).With("text", text))
	}
	return out, nil
}

func (s *VectorStore) retrieveAll() *py.List {
	out := &py.List{}
	for i := 0; i < s.store.Len(); i++ {
		out.Items = append(out.Items, py.NewDict().With("id", s.store.KeyAt(i)).With("text", s.store.ValueAt(i)))
	}
	return out
}

func (s *VectorStore) export() *py.Dict {
	return py.NewDict().With("next_id", py.Int(s.nextID)).With("store", s.store)
}

// load is load_from_snapshot: the store as saved, re-embedded in id order.
func (s *VectorStore) load(v py.Value) error {
	d, ok := v.(*py.Dict)
	if !ok {
		return fmt.Errorf("snapshot: want an object, got %s", v.TypeName())
	}
	next, ok := d.GetStr("next_id")
	n, isInt := next.(py.Int)
	if !ok || !isInt {
		return fmt.Errorf("snapshot: next_id: want an int")
	}
	sv, _ := d.GetStr("store")
	st, ok := sv.(*py.Dict)
	if !ok {
		return fmt.Errorf("snapshot: store: want an object")
	}
	s.nextID, s.store, s.index = int64(n), py.NewDict(), nil
	var ids []int64
	for i := 0; i < st.Len(); i++ {
		var id int64
		if _, err := fmt.Sscan(py.StrOf(st.KeyAt(i)), &id); err != nil {
			return fmt.Errorf("snapshot: store key %s: want an int", py.Repr(st.KeyAt(i)))
		}
		if err := s.store.Set(py.Int(id), py.DeepCopy(st.ValueAt(i))); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	texts := make([]string, len(ids))
	for i, id := range ids {
		t, _, _ := s.store.Get(py.Int(id))
		texts[i] = py.StrOf(t)
	}
	vs, err := s.vectors(texts)
	if err != nil {
		return err
	}
	for i, id := range ids {
		s.index = append(s.index, indexed{id: id, vec: vs[i]})
	}
	return nil
}

// State implements backend.Instance.
func (m *Vector) State() []py.Attr {
	return append([]py.Attr{{Name: "core_memory", Value: m.core.export()}, {Name: "archival_memory", Value: m.archival.export()}},
		m.snap.attrs()...)
}

// LoadScenario implements backend.Instance.
func (m *Vector) LoadScenario(cfg *py.Dict, _ bool) error {
	data, err := m.snap.prepare(cfg)
	if err != nil || data == nil {
		return err
	}
	for _, x := range []struct {
		name string
		s    *VectorStore
	}{{"core_memory", m.core}, {"archival_memory", m.archival}} {
		v, ok := data.GetStr(x.name)
		if !ok {
			return py.KeyError(py.Str(x.name))
		}
		if err := x.s.load(v); err != nil {
			return fmt.Errorf("%s: %w", x.name, err)
		}
	}
	return nil
}

// Flush implements Snapshotter.
func (m *Vector) Flush() error {
	return m.snap.write(py.NewDict().With("core_memory", m.core.export()).With("archival_memory", m.archival.export()))
}

// CoreMemoryContext implements Snapshotter: upstream's test of an empty
// core memory is always false (a VectorStore is truthy), so the store is
// always shown, "{}" when empty.
func (m *Vector) CoreMemoryContext() (string, error) {
	return py.DumpsIndent(m.core.store, 4)
}

func init() {
	stores := []struct {
		name string
		get  func(*Vector) *VectorStore
	}{
		{"core_memory", func(m *Vector) *VectorStore { return m.core }},
		{"archival_memory", func(m *Vector) *VectorStore { return m.archival }},
	}
	var methods []*backend.Method
	for _, st := range stores {
		methods = append(methods,
			method(st.name+"_add", []backend.Param{backend.Req("text")},
				func(m *Vector, a []py.Value) (py.Value, error) { return st.get(m).add(a[0]) }),
			method(st.name+"_remove", []backend.Param{backend.Req("vec_id")},
				func(m *Vector, a []py.Value) (py.Value, error) { return st.get(m).remove(a[0]) }),
			method(st.name+"_update", []backend.Param{backend.Req("vec_id"), backend.Req("new_text")},
				func(m *Vector, a []py.Value) (py.Value, error) { return st.get(m).update(a[0], a[1]) }),
			method(st.name+"_clear", nil,
				func(m *Vector, _ []py.Value) (py.Value, error) { return st.get(m).clear() }),
			method(st.name+"_retrieve", []backend.Param{backend.Req("query"), backend.Opt("top_k", py.Int(5))},
				func(m *Vector, a []py.Value) (py.Value, error) {
					r, err := st.get(m).retrieve(a[0], a[1])
					if err != nil {
						return nil, err
					}
					return py.NewDict().With("result", r), nil
				}),
			method(st.name+"_retrieve_all", nil,
				func(m *Vector, _ []py.Value) (py.Value, error) {
					return py.NewDict().With("result", st.get(m).retrieveAll()), nil
				}),
		)
	}
	backend.Register(&backend.Class{
		Name: VectorClassName,
		New: func(p *backend.Process) backend.Instance {
			var e Embedder
			if p != nil {
				e, _ = p.Service(EmbedderKey).(Embedder)
			}
			return &Vector{
				core:     newStore(MaxCoreMemorySize, MaxCoreMemoryEntryLength, e),
				archival: newStore(MaxArchivalMemorySize, MaxArchivalMemoryEntryLen, e),
				snap:     snapshot{backendType: "vector"},
			}
		},
		Methods: methods,
	})
}

var _ Snapshotter = (*Vector)(nil)
