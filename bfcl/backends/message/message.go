// Package message is the MessageAPI backend of BFCL v4: users, a login and
// an inbox of sent messages, with message ids drawn from CPython's
// random.Random(200191), ported from upstream.
package message

import (
	"fmt"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pyrandom"
)

// ClassName is the upstream class name.
const ClassName = "MessageAPI"

// DefaultSeed is upstream's default random_seed.
const DefaultSeed = 200191

// Message is upstream's MessageAPI.
type Message struct {
	random       *pyrandom.Random
	generatedIDs py.Value
	userCount    py.Value
	userMap      py.Value
	inbox        py.Value
	messageCount py.Value
	currentUser  py.Value
}

// State implements backend.Instance.
func (m *Message) State() []py.Attr {
	return []py.Attr{
		{Name: "generated_ids", Value: m.generatedIDs},
		{Name: "user_count", Value: m.userCount},
		{Name: "user_map", Value: m.userMap},
		{Name: "inbox", Value: m.inbox},
		{Name: "message_count", Value: m.messageCount},
		{Name: "current_user", Value: m.currentUser},
	}
}

// defaultUserMap and defaultInbox are upstream's defaults, made once and
// read-only: an instance gets copies of them.
var (
	defaultUserMap = py.NewDict().With("Alice", py.Str("USR001")).With("Bob", py.Str("USR002")).
			With("Catherine", py.Str("USR003")).With("Daniel", py.Str("USR004"))
	defaultInbox = py.NewList(
		py.NewDict().With("USR002", py.Str("My name is Alice. I want to connect.")),
		py.NewDict().With("USR003", py.Str("Could you upload the file?")),
		py.NewDict().With("USR004", py.Str("Could you upload the file?")),
	)
)

// LoadScenario implements backend.Instance.
func (m *Message) LoadScenario(cfg *py.Dict, _ bool) error {
	seed := py.Value(py.Int(DefaultSeed))
	if v, ok := cfg.GetStr("random_seed"); ok {
		seed = v
	}
	s, ok := seed.(py.Int)
	if !ok {
		return fmt.Errorf("random_seed: want an int, got %s", seed.TypeName())
	}
	m.random = pyrandom.New(int64(s))
	// The config is shared (ReadsConfig): each value kept is a deep copy,
	// made by one Copier, as the deep copy of the whole config would.
	var c py.Copier
	m.generatedIDs = getOr(&c, cfg, "generated_ids", func() py.Value {
		emptySet, _ := py.NewSet()
		return emptySet
	})
	m.userCount = get(&c, cfg, "user_count", py.Int(4))
	m.userMap = getOr(&c, cfg, "user_map", func() py.Value { return defaultUserMap.Copy() })
	m.inbox = getOr(&c, cfg, "inbox", func() py.Value { return py.DeepCopy(defaultInbox) })
	m.messageCount = get(&c, cfg, "message_count", py.Int(3))
	m.currentUser = get(&c, cfg, "current_user", py.None)
	return nil
}

// get is a deep copy (by copier) of cfg[key], or def when absent.
func get(copier *py.Copier, cfg *py.Dict, key string, def py.Value) py.Value {
	if v, ok := cfg.GetStr(key); ok {
		return copier.Copy(v)
	}
	return def
}

// getOr is get with a default made only when the key is absent.
func getOr(copier *py.Copier, cfg *py.Dict, key string, def func() py.Value) py.Value {
	if v, ok := cfg.GetStr(key); ok {
		return copier.Copy(v)
	}
	return def()
}

func errDict(format string, args ...any) *py.Dict {
	return py.NewDict().With("error", py.Str(fmt.Sprintf(format, args...)))
}

const notLoggedIn = "No user is currently logged in."

// generateID is _generate_id: randint(10000, 99999) until unused.
func (m *Message) generateID() (py.Value, error) {
	for {
		id := py.Int(m.random.RandInt(10000, 99999))
		used, err := py.Contains(m.generatedIDs, id)
		if err != nil {
			return nil, err
		}
		if used {
			continue
		}
		set, ok := m.generatedIDs.(*py.Set)
		if !ok {
			return nil, py.AttributeError(m.generatedIDs, "add")
		}
		if err := set.Add(id); err != nil {
			return nil, err
		}
		return py.NewDict().With("new_id", id), nil
	}
}

// userMapValues is list(self.user_map.values()).
func (m *Message) userMapValues() (*py.List, error) {
	d, err := py.DictOf(m.userMap, "values")
	if err != nil {
		return nil, err
	}
	return py.NewList(d.Values()...), nil
}

func (m *Message) listUsers() (py.Value, error) {
	d, err := py.DictOf(m.userMap, "keys")
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("user_list", py.NewList(d.Keys()...)), nil
}

func (m *Message) getUserID(user py.Value) (py.Value, error) {
	in, err := py.Contains(m.userMap, user)
	if err != nil {
		return nil, err
	}
	if !in {
		return errDict("User '%s' not found in the workspace.", py.StrOf(user)), nil
	}
	v, err := py.DictGet(m.userMap, user, py.None)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("user_id", v), nil
}

func (m *Message) login(userID py.Value) (py.Value, error) {
	vals, err := m.userMapValues()
	if err != nil {
		return nil, err
	}
	if in, _ := py.Contains(vals, userID); !in {
		return py.NewDict().With("login_status", py.Bool(false)).
			With("message", py.Str(fmt.Sprintf("User ID '%s' not found.", py.StrOf(userID)))), nil
	}
	m.currentUser = userID
	return py.NewDict().With("login_status", py.Bool(true)).
		With("message", py.Str(fmt.Sprintf("User '%s' logged in successfully.", py.StrOf(userID)))), nil
}

func (m *Message) loginStatus() (py.Value, error) {
	return py.NewDict().With("login_status", py.Bool(py.Truthy(m.currentUser))), nil
}

func (m *Message) send(receiver, message py.Value) (py.Value, error) {
	if !py.Truthy(m.currentUser) {
		return errDict(notLoggedIn), nil
	}
	vals, err := m.userMapValues()
	if err != nil {
		return nil, err
	}
	if in, _ := py.Contains(vals, receiver); !in {
		return errDict("Receiver ID '%s' not found.", py.StrOf(receiver)), nil
	}
	id, err := m.generateID()
	if err != nil {
		return nil, err
	}
	entry := py.NewDict()
	if err := entry.Set(receiver, message); err != nil {
		return nil, err
	}
	if err := py.ListAppend(m.inbox, entry); err != nil {
		return nil, err
	}
	if m.messageCount, err = py.Add(m.messageCount, py.Int(1)); err != nil {
		return nil, err
	}
	return py.NewDict().With("sent_status", py.Bool(true)).With("message_id", id).
		With("message", py.Str(fmt.Sprintf("Message sent to '%s' successfully.", py.StrOf(receiver)))), nil
}

func (m *Message) deleteMessage(receiver py.Value) (py.Value, error) {
	if !py.Truthy(m.currentUser) {
		return errDict(notLoggedIn), nil
	}
	items, err := py.Iterate(m.inbox)
	if err != nil {
		return nil, err
	}
	for i := len(items) - 1; i >= 0; i-- {
		who, _, err := py.FirstItem(items[i])
		if err != nil {
			return nil, err
		}
		if py.Eq(who, receiver) {
			if err := py.ListRemove(m.inbox, items[i]); err != nil {
				return nil, err
			}
			return py.NewDict().With("deleted_status", py.Bool(true)).With("receiver_id", who).
				With("message", py.Str(fmt.Sprintf("Receiver %s's latest message deleted successfully.", py.StrOf(receiver)))), nil
		}
	}
	return errDict("Receiver ID %s not found.", py.StrOf(receiver)), nil
}

func (m *Message) viewSent() (py.Value, error) {
	if !py.Truthy(m.currentUser) {
		return errDict(notLoggedIn), nil
	}
	items, err := py.Iterate(m.inbox)
	if err != nil {
		return nil, err
	}
	sent := py.NewDict()
	for _, it := range items {
		who, content, err := py.FirstItem(it)
		if err != nil {
			return nil, err
		}
		prev, ok, err := sent.Get(who)
		if err != nil {
			return nil, err
		}
		if !ok {
			if err := sent.Set(who, py.NewList(content)); err != nil {
				return nil, err
			}
			continue
		}
		prev.(*py.List).Append(content)
	}
	return py.NewDict().With("messages", sent), nil
}

func (m *Message) addContact(name py.Value) (py.Value, error) {
	in, err := py.Contains(m.userMap, name)
	if err != nil {
		return nil, err
	}
	if in {
		return errDict("User name '%s' already exists.", py.StrOf(name)), nil
	}
	if m.userCount, err = py.Add(m.userCount, py.Int(1)); err != nil {
		return nil, err
	}
	userID := py.Str("USR" + py.Zfill(py.StrOf(m.userCount), 3))
	vals, err := m.userMapValues()
	if err != nil {
		return nil, err
	}
	if in, _ := py.Contains(vals, userID); in {
		return errDict("User ID '%s' already exists.", userID), nil
	}
	if err := py.SetItem(m.userMap, name, userID); err != nil {
		return nil, err
	}
	return py.NewDict().With("added_status", py.Bool(true)).With("user_id", userID).
		With("message", py.Str(fmt.Sprintf("Contact '%s' added successfully.", py.StrOf(name)))), nil
}

func (m *Message) search(keyword py.Value) (py.Value, error) {
	if !py.Truthy(m.currentUser) {
		return errDict(notLoggedIn), nil
	}
	kw, err := py.StrMethodLower(keyword)
	if err != nil {
		return nil, err
	}
	items, err := py.Iterate(m.inbox)
	if err != nil {
		return nil, err
	}
	results := &py.List{Items: []py.Value{}}
	for _, it := range items {
		who, content, err := py.FirstItem(it)
		if err != nil {
			return nil, err
		}
		lc, err := py.StrMethodLower(content)
		if err != nil {
			return nil, err
		}
		if in, _ := py.Contains(py.Str(lc), py.Str(kw)); in {
			results.Append(py.NewDict().With("receiver_id", who).With("message", content))
		}
	}
	return py.NewDict().With("results", results), nil
}

func (m *Message) stats() (py.Value, error) {
	if !py.Truthy(m.currentUser) {
		return errDict(notLoggedIn), nil
	}
	items, err := py.Iterate(m.inbox)
	if err != nil {
		return nil, err
	}
	contacts, _ := py.NewSet()
	received := 0
	for _, it := range items {
		who, _, err := py.FirstItem(it)
		if err != nil {
			return nil, err
		}
		received++
		if err := contacts.Add(who); err != nil {
			return nil, err
		}
	}
	return py.NewDict().With("stats", py.NewDict().With("received_count", py.Int(received)).
		With("total_contacts", py.Int(contacts.Len()))), nil
}

func init() {
	req := backend.Req
	self := func(s backend.Instance) *Message { return s.(*Message) }
	call0 := func(f func(*Message) (py.Value, error)) func(backend.Instance, []py.Value) (py.Value, error) {
		return func(s backend.Instance, _ []py.Value) (py.Value, error) { return f(self(s)) }
	}
	call1 := func(f func(*Message, py.Value) (py.Value, error)) func(backend.Instance, []py.Value) (py.Value, error) {
		return func(s backend.Instance, a []py.Value) (py.Value, error) { return f(self(s), a[0]) }
	}
	backend.Register(&backend.Class{
		Name:        ClassName,
		ReadsConfig: true,
		New:         func(*backend.Process) backend.Instance { return &Message{} },
		Methods: []*backend.Method{
			{Name: "list_users", Call: call0((*Message).listUsers)},
			{Name: "get_user_id", Params: []backend.Param{req("user")}, Call: call1((*Message).getUserID)},
			{Name: "message_login", Params: []backend.Param{req("user_id")}, Call: call1((*Message).login)},
			{Name: "message_get_login_status", Call: call0((*Message).loginStatus)},
			{Name: "send_message", Params: []backend.Param{req("receiver_id"), req("message")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).send(a[0], a[1]) }},
			{Name: "delete_message", Params: []backend.Param{req("receiver_id")}, Call: call1((*Message).deleteMessage)},
			{Name: "view_messages_sent", Call: call0((*Message).viewSent)},
			{Name: "add_contact", Params: []backend.Param{req("user_name")}, Call: call1((*Message).addContact)},
			{Name: "search_messages", Params: []backend.Param{req("keyword")}, Call: call1((*Message).search)},
			{Name: "get_message_stats", Call: call0((*Message).stats)},
		},
	})
}
