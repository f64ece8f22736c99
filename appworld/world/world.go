// Package world is seeupo's native AppWorld world: AppWorld's apps
// (supervisor, api_docs, phone, file_system, simple_note, todoist,
// splitwise, venmo, spotify, gmail, amazon) under their official API names,
// implemented here over an in-memory SQLite database, with per-user authentication,
// AppWorld-style API documentation, a seeded generator of people and their
// data, and an HTTP handler that serves every API as POST /<app>/<api>.
package world

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// TimeLayout is how the world writes date-times.
const TimeLayout = "2006-01-02T15:04:05"

// Completion is what the supervisor's complete_task recorded.
type Completion struct {
	Answer any    `json:"answer"`
	Status string `json:"status"`
}

type session struct {
	app    string
	person int64
}

// World is one episode's live world: its database, the task owner, the
// frozen clock and the logged-in sessions. It is safe for concurrent use.
type World struct {
	store      *Store
	supervisor int64
	now        time.Time

	mu         sync.Mutex
	tokens     map[string]session
	seq        int
	calls      int
	callLimit  int
	completion *Completion
}

// New makes a world over store for the supervisor (a people.id) at time now.
func New(store *Store, supervisor int64, now time.Time) *World {
	return &World{store: store, supervisor: supervisor, now: now, tokens: map[string]session{}}
}

// Store is the world's database.
func (w *World) Store() *Store { return w.store }

// Supervisor is the task owner's people.id.
func (w *World) Supervisor() int64 { return w.supervisor }

func (w *World) nowText() string { return w.now.Format(TimeLayout) }

// Completion returns the supervisor's complete_task record, nil if the task
// has not been completed.
func (w *World) Completion() *Completion {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.completion
}

// LimitCalls starts a new count of API calls; calls past limit (when limit
// > 0) fail with status 429 until the next LimitCalls.
func (w *World) LimitCalls(limit int) {
	w.mu.Lock()
	w.calls, w.callLimit = 0, limit
	w.mu.Unlock()
}

// Calls is the number of API calls since the last LimitCalls.
func (w *World) Calls() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls
}

// CallLimitStatus is the HTTP status of a call refused by LimitCalls.
const CallLimitStatus = 429

// Call invokes app.api with raw JSON arguments.
func (w *World) Call(ctx context.Context, app, api string, raw map[string]any) (any, *Error) {
	w.mu.Lock()
	w.calls++
	over := w.callLimit > 0 && w.calls > w.callLimit
	limit := w.callLimit
	w.mu.Unlock()
	if over {
		return nil, failf(CallLimitStatus, "Number of requests exceeded the limit of %d", limit)
	}
	a, ok := LookupAPI(app, api)
	if !ok {
		if _, known := apps[app]; !known {
			return nil, failf(404, "No app named %q. Use apis.api_docs.show_app_descriptions() to list the apps.", app)
		}
		return nil, failf(404, "No API named %q in app %q. Use apis.api_docs.show_api_descriptions(app_name=%q) to list its APIs.", api, app, app)
	}
	return w.invoke(ctx, a, raw)
}

func (w *World) login(app string, person int64) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d/%s", app, person, w.seq, w.nowText()))
	tok := hex.EncodeToString(h[:16])
	w.tokens[tok] = session{app: app, person: person}
	return tok
}

func (w *World) logout(token string) {
	w.mu.Lock()
	delete(w.tokens, token)
	w.mu.Unlock()
}

func (w *World) auth(app, token string) (int64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.tokens[token]
	if !ok || s.app != app {
		return 0, false
	}
	return s.person, true
}

func (w *World) complete(c Completion) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.completion != nil {
		return false
	}
	w.completion = &c
	return true
}
