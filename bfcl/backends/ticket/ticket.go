// Package ticket is the TicketAPI backend of BFCL v4: a support-ticket
// queue with a logged-in user, ported from upstream.
package ticket

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// ClassName is the upstream class name.
const ClassName = "TicketAPI"

// Ticket is upstream's TicketAPI.
type Ticket struct {
	queue       py.Value
	counter     py.Value
	currentUser py.Value
}

// State implements backend.Instance.
func (t *Ticket) State() []py.Attr {
	return []py.Attr{
		{Name: "ticket_queue", Value: t.queue},
		{Name: "ticket_counter", Value: t.counter},
		{Name: "current_user", Value: t.currentUser},
	}
}

// LoadScenario implements backend.Instance.
func (t *Ticket) LoadScenario(cfg *py.Dict, _ bool) error {
	// The config is shared (ReadsConfig): each value kept is a deep copy,
	// made by one Copier, as the deep copy of the whole config would.
	var copier py.Copier
	t.queue = get(&copier, cfg, "ticket_queue", nil)
	if t.queue == nil {
		// Made only when absent.
		t.queue = &py.List{Items: []py.Value{}}
	}
	t.counter = get(&copier, cfg, "ticket_counter", py.Int(1))
	t.currentUser = get(&copier, cfg, "current_user", py.None)
	return nil
}

// get is a deep copy (by copier) of cfg[key], or def when absent.
func get(copier *py.Copier, cfg *py.Dict, key string, def py.Value) py.Value {
	if v, ok := cfg.GetStr(key); ok {
		return copier.Copy(v)
	}
	return def
}

func errDict(format string, args ...any) *py.Dict {
	return py.NewDict().With("error", py.Str(fmt.Sprintf(format, args...)))
}

func (t *Ticket) createTicket(title, description, priority py.Value) (py.Value, error) {
	if !py.Truthy(t.currentUser) {
		return errDict("User not authenticated. Please log in to create a ticket."), nil
	}
	low, err := py.Compare("<", priority, py.Int(1))
	if err != nil {
		return nil, err
	}
	high := false
	if !low {
		if high, err = py.Compare(">", priority, py.Int(5)); err != nil {
			return nil, err
		}
	}
	if low || high {
		return errDict("Invalid priority. Priority must be between 1 and 5."), nil
	}
	ticket := py.NewDict().With("id", t.counter).With("title", title).With("description", description).
		With("status", py.Str("Open")).With("priority", priority).With("created_by", t.currentUser)
	if err := py.ListAppend(t.queue, ticket); err != nil {
		return nil, err
	}
	if t.counter, err = py.Add(t.counter, py.Int(1)); err != nil {
		return nil, err
	}
	return ticket, nil
}

// find is _find_ticket: the first ticket whose "id" equals id, or nil.
func (t *Ticket) find(id py.Value) (py.Value, error) {
	items, err := py.Iterate(t.queue)
	if err != nil {
		return nil, err
	}
	for _, ticket := range items {
		tid, err := py.Index(ticket, py.Str("id"))
		if err != nil {
			return nil, err
		}
		if py.Eq(tid, id) {
			return ticket, nil
		}
	}
	return py.None, nil
}

func (t *Ticket) getTicket(id py.Value) (py.Value, error) {
	ticket, err := t.find(id)
	if err != nil {
		return nil, err
	}
	if !py.Truthy(ticket) {
		return errDict("Ticket with ID %s not found.", py.StrOf(id)), nil
	}
	return ticket, nil
}

func (t *Ticket) setStatus(id, status py.Value, already, done string, extra func(py.Value) error) (py.Value, error) {
	ticket, err := t.find(id)
	if err != nil {
		return nil, err
	}
	if !py.Truthy(ticket) {
		return errDict("Ticket with ID %s not found.", py.StrOf(id)), nil
	}
	cur, err := py.Index(ticket, py.Str("status"))
	if err != nil {
		return nil, err
	}
	if py.Eq(cur, status) {
		return errDict("Ticket with ID %s is already %s.", py.StrOf(id), already), nil
	}
	if err := py.SetItem(ticket, py.Str("status"), status); err != nil {
		return nil, err
	}
	if extra != nil {
		if err := extra(ticket); err != nil {
			return nil, err
		}
	}
	return py.NewDict().With("status", py.Str(fmt.Sprintf("Ticket %s has been %s successfully.", py.StrOf(id), done))), nil
}

func (t *Ticket) closeTicket(id py.Value) (py.Value, error) {
	return t.setStatus(id, py.Str("Closed"), "closed", "closed", nil)
}

func (t *Ticket) resolveTicket(id, resolution py.Value) (py.Value, error) {
	return t.setStatus(id, py.Str("Resolved"), "resolved", "resolved", func(ticket py.Value) error {
		return py.SetItem(ticket, py.Str("resolution"), resolution)
	})
}

var validFields = map[string]bool{"title": true, "description": true, "status": true, "priority": true}

func (t *Ticket) editTicket(id, updates py.Value) (py.Value, error) {
	ticket, err := t.find(id)
	if err != nil {
		return nil, err
	}
	if !py.Truthy(ticket) {
		return errDict("Ticket with ID %s not found.", py.StrOf(id)), nil
	}
	u, err := py.DictOf(updates, "keys")
	if err != nil {
		return nil, err
	}
	var invalid []string
	for _, k := range u.Keys() {
		s, isStr := k.(py.Str)
		if isStr && validFields[string(s)] {
			continue
		}
		if !isStr {
			return nil, py.TypeErrorf("sequence item %d: expected str instance, %s found", len(invalid), k.TypeName())
		}
		invalid = append(invalid, string(s))
	}
	if len(invalid) > 0 {
		// Upstream joins a set; with several invalid keys its order depends
		// on string hashing. This port keeps the order of the update dict.
		return errDict("Invalid fields for update: %s", strings.Join(invalid, ", ")), nil
	}
	for i := 0; i < u.Len(); i++ {
		if !py.IsNone(u.ValueAt(i)) {
			if err := py.SetItem(ticket, u.KeyAt(i), u.ValueAt(i)); err != nil {
				return nil, err
			}
		}
	}
	return py.NewDict().With("status", py.Str(fmt.Sprintf("Ticket %s has been updated successfully.", py.StrOf(id)))), nil
}

func (t *Ticket) login(username, password py.Value) (py.Value, error) {
	if py.Truthy(username) && py.Truthy(password) {
		t.currentUser = username
		return py.NewDict().With("success", py.Bool(true)), nil
	}
	return py.NewDict().With("success", py.Bool(false)), nil
}

func (t *Ticket) loginStatus() (py.Value, error) {
	return py.NewDict().With("login_status", py.Bool(py.Truthy(t.currentUser))), nil
}

func (t *Ticket) logout() (py.Value, error) {
	if py.Truthy(t.currentUser) {
		t.currentUser = py.None
		return py.NewDict().With("success", py.Bool(true)), nil
	}
	return py.NewDict().With("success", py.Bool(false)), nil
}

func (t *Ticket) userTickets(status py.Value) (py.Value, error) {
	if !py.Truthy(t.currentUser) {
		return py.NewList(errDict("User not authenticated. Please log in to view tickets.")), nil
	}
	items, err := py.Iterate(t.queue)
	if err != nil {
		return nil, err
	}
	var mine []py.Value
	for _, ticket := range items {
		by, err := py.Index(ticket, py.Str("created_by"))
		if err != nil {
			return nil, err
		}
		if py.Eq(by, t.currentUser) {
			mine = append(mine, ticket)
		}
	}
	if py.Truthy(status) {
		var kept []py.Value
		for _, ticket := range mine {
			st, err := py.Index(ticket, py.Str("status"))
			if err != nil {
				return nil, err
			}
			a, err := py.StrMethodLower(st)
			if err != nil {
				return nil, err
			}
			b, err := py.StrMethodLower(status)
			if err != nil {
				return nil, err
			}
			if a == b {
				kept = append(kept, ticket)
			}
		}
		mine = kept
	}
	return &py.List{Items: append([]py.Value{}, mine...)}, nil
}

func init() {
	req, opt := backend.Req, backend.Opt
	self := func(s backend.Instance) *Ticket { return s.(*Ticket) }
	backend.Register(&backend.Class{
		Name:        ClassName,
		ReadsConfig: true,
		New:         func(*backend.Process) backend.Instance { return &Ticket{} },
		Methods: []*backend.Method{
			{Name: "create_ticket", Params: []backend.Param{req("title"), opt("description", py.Str("")), opt("priority", py.Int(1))},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) {
					return self(s).createTicket(a[0], a[1], a[2])
				}},
			{Name: "get_ticket", Params: []backend.Param{req("ticket_id")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).getTicket(a[0]) }},
			{Name: "close_ticket", Params: []backend.Param{req("ticket_id")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).closeTicket(a[0]) }},
			{Name: "resolve_ticket", Params: []backend.Param{req("ticket_id"), req("resolution")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).resolveTicket(a[0], a[1]) }},
			{Name: "edit_ticket", Params: []backend.Param{req("ticket_id"), req("updates")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).editTicket(a[0], a[1]) }},
			{Name: "ticket_login", Params: []backend.Param{req("username"), req("password")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).login(a[0], a[1]) }},
			{Name: "ticket_get_login_status",
				Call: func(s backend.Instance, _ []py.Value) (py.Value, error) { return self(s).loginStatus() }},
			{Name: "logout",
				Call: func(s backend.Instance, _ []py.Value) (py.Value, error) { return self(s).logout() }},
			{Name: "get_user_tickets", Params: []backend.Param{opt("status", py.None)},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).userTickets(a[0]) }},
		},
	})
}
