package world

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAPICatalogue(t *testing.T) {
	n := 0
	for _, app := range Apps() {
		if app.Description == "" {
			t.Errorf("app %s has no description", app.Name)
		}
		for _, a := range app.APIs {
			n++
			d := a.Doc()
			for _, key := range []string{"app_name", "api_name", "path", "method", "description", "parameters", "response_schemas"} {
				if _, ok := d[key]; !ok {
					t.Errorf("%s.%s doc lacks %s", a.App, a.Name, key)
				}
			}
			if a.Description == "" || a.handler == nil || !strings.HasPrefix(a.Path, "/"+a.App) {
				t.Errorf("%s.%s: description, handler and a path under /%s are required", a.App, a.Name, a.App)
			}
			for _, p := range a.Params {
				if p.Description == "" || p.Type == "" {
					t.Errorf("%s.%s parameter %s lacks a type or description", a.App, a.Name, p.Name)
				}
			}
		}
	}
	if len(Apps()) < 7 || n < 80 {
		t.Errorf("%d apps and %d APIs; want at least 7 apps (supervisor, api_docs and five more) and 80 APIs", len(Apps()), n)
	}
	t.Logf("%d apps, %d APIs", len(Apps()), n)
}

// newTestWorld builds a small world with people[0] as supervisor.
func newTestWorld(t *testing.T) (*World, []Person) {
	t.Helper()
	store, people, err := Generate(3, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return New(store, people[0].ID, BaseTime), people
}

func call(t *testing.T, w *World, app, api string, args map[string]any) (any, *Error) {
	t.Helper()
	// Round-trip through JSON as the HTTP handler does.
	b, _ := json.Marshal(args)
	raw := map[string]any{}
	json.Unmarshal(b, &raw)
	return w.Call(context.Background(), app, api, raw)
}

func login(t *testing.T, w *World, p Person, app string) string {
	t.Helper()
	user := p.Email
	if app == "phone" {
		user = p.Phone
	}
	out, err := call(t, w, app, "login", map[string]any{"username": user, "password": p.Passwords[app]})
	if err != nil {
		t.Fatalf("login %s: %v", app, err)
	}
	return out.(map[string]any)["access_token"].(string)
}

func TestCallErrors(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[0], "simple_note")
	cases := []struct {
		name, app, api string
		args           map[string]any
		status         int
		msg            string
	}{
		{"wrong password", "simple_note", "login", map[string]any{"username": people[0].Email, "password": "x"}, 401, "Invalid credentials"},
		{"missing token", "simple_note", "search_notes", map[string]any{}, 422, "Missing required parameter: access_token"},
		{"bad token", "simple_note", "search_notes", map[string]any{"access_token": "nope"}, 401, "not authorized"},
		{"token of another app", "todoist", "show_projects", map[string]any{"access_token": tok}, 401, "not authorized"},
		{"wrong type", "simple_note", "show_note", map[string]any{"access_token": tok, "note_id": "1"}, 422, "must be of type integer"},
		{"unknown parameter", "simple_note", "show_note", map[string]any{"access_token": tok, "note_id": 1, "colour": "red"}, 422, "Unexpected parameter(s) for simple_note.show_note: colour"},
		{"page limit", "simple_note", "search_notes", map[string]any{"access_token": tok, "page_limit": 50}, 422, "page_limit"},
		{"unknown app", "myspace", "login", nil, 404, "No app named"},
		{"unknown api", "simple_note", "fly", nil, 404, "No API named"},
		{"someone else's note", "simple_note", "show_note", map[string]any{"access_token": tok, "note_id": 4}, 404, "Note not found"},
	}
	for _, c := range cases {
		_, err := call(t, w, c.app, c.api, c.args)
		if err == nil || err.Status != c.status || !strings.Contains(err.Message, c.msg) {
			t.Errorf("%s: got %v, want %d containing %q", c.name, err, c.status, c.msg)
		}
	}
}

func TestNotesLifecycle(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[0], "simple_note")
	out, err := call(t, w, "simple_note", "create_note", map[string]any{"access_token": tok, "title": "T", "content": "a", "tags": []string{"X", "y"}})
	if err != nil {
		t.Fatal(err)
	}
	id := out.(map[string]any)["note_id"]
	if _, err := call(t, w, "simple_note", "add_content_to_note", map[string]any{"access_token": tok, "note_id": id, "append_or_prepend": "append", "added_content": "b"}); err != nil {
		t.Fatal(err)
	}
	got, err := call(t, w, "simple_note", "show_note", map[string]any{"access_token": tok, "note_id": id})
	if err != nil {
		t.Fatal(err)
	}
	note := got.(Row)
	if note["content"] != "a\nb" || fmt.Sprint(note["tags"]) != "[x y]" || note["pinned"] != false || note["updated_at"] != "2026-05-18T09:00:00" {
		t.Errorf("note %v", note)
	}
	hits, _ := call(t, w, "simple_note", "search_notes", map[string]any{"access_token": tok, "tags": []string{"x"}})
	if len(hits.([]Row)) != 1 {
		t.Errorf("search by tag: %v", hits)
	}
}

func TestExpenseSplitAndBalances(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[0], "splitwise")
	out, err := call(t, w, "splitwise", "create_group", map[string]any{"access_token": tok, "name": "G", "member_emails": []string{people[1].Email, people[2].Email}})
	if err != nil {
		t.Fatal(err)
	}
	g := out.(map[string]any)["group_id"]
	if _, err := call(t, w, "splitwise", "record_expense", map[string]any{"access_token": tok, "group_id": g, "description": "D", "paid_amount": 10.0,
		"payer_email": people[0].Email, "debtor_emails": []string{people[0].Email, people[1].Email, people[2].Email}}); err != nil {
		t.Fatal(err)
	}
	bal, err := call(t, w, "splitwise", "show_group_balance", map[string]any{"access_token": tok, "group_id": g})
	if err != nil {
		t.Fatal(err)
	}
	// 10.00 split three ways: 3.34 (first member), 3.33, 3.33.
	want := []float64{10 - 3.34, -3.33, -3.33}
	for i, r := range bal.([]Row) {
		if r["balance"] != want[i] {
			t.Errorf("member %d balance %v, want %v", i, r["balance"], want[i])
		}
	}
}

func TestWalletTransfer(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[0], "venmo")
	before, _ := call(t, w, "venmo", "show_venmo_balance", map[string]any{"access_token": tok})
	b0 := before.(map[string]any)["venmo_balance"].(float64)
	if _, err := call(t, w, "venmo", "create_transaction", map[string]any{"access_token": tok, "receiver_email": people[1].Email, "amount": 12.5}); err != nil {
		t.Fatal(err)
	}
	after, _ := call(t, w, "venmo", "show_venmo_balance", map[string]any{"access_token": tok})
	if got := after.(map[string]any)["venmo_balance"].(float64); got != b0-12.5 {
		t.Errorf("balance %v, want %v", got, b0-12.5)
	}
	if _, err := call(t, w, "venmo", "create_transaction", map[string]any{"access_token": tok, "receiver_email": people[1].Email, "amount": 1e9}); err == nil || err.Status != 422 {
		t.Errorf("overdraft: %v", err)
	}
}

func TestCallLimitAndHTTP(t *testing.T) {
	w, _ := newTestWorld(t)
	ts := httptest.NewServer(w)
	defer ts.Close()
	w.LimitCalls(2)
	for i := range 3 {
		resp, err := ts.Client().Post(ts.URL+"/api_docs/show_app_descriptions", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := 200
		if i == 2 {
			want = CallLimitStatus
		}
		if resp.StatusCode != want {
			t.Errorf("call %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

func TestCompareFindsChanges(t *testing.T) {
	w, people := newTestWorld(t)
	img, _ := w.Store().Image()
	start, err := NewStore(img)
	if err != nil {
		t.Fatal(err)
	}
	defer start.Close()
	tok := login(t, w, people[0], "todoist")
	call(t, w, "todoist", "create_project", map[string]any{"access_token": tok, "name": "New"})
	call(t, w, "todoist", "update_task", map[string]any{"access_token": tok, "task_id": 1, "is_completed": true})
	d, err := Compare(context.Background(), start, w.Store())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Tables(), ","); got != "todo_projects,todo_tasks" {
		t.Fatalf("changed tables %s", got)
	}
	if len(d["todo_projects"].Added) != 1 || len(d["todo_tasks"].Updated) != 1 {
		t.Errorf("diff %+v", d)
	}
	if cols := Changed(d["todo_tasks"].Updated[0][0], d["todo_tasks"].Updated[0][1]); strings.Join(cols, ",") != "completed,completed_at" {
		t.Errorf("changed columns %v", cols)
	}
}

func TestSpotifyMarksAndPlaylists(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[0], "spotify")
	args := func(kv ...any) map[string]any {
		m := map[string]any{"access_token": tok}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	songs, err := call(t, w, "spotify", "search_songs", args("page_limit", 20))
	if err != nil || len(songs.([]Row)) != 20 {
		t.Fatalf("search_songs: %v %v", songs, err)
	}
	song := songs.([]Row)[19]["song_id"]
	before, _ := call(t, w, "spotify", "show_liked_songs", args("page_limit", 20))
	if _, err := call(t, w, "spotify", "like_song", args("song_id", song)); err != nil {
		t.Fatal(err)
	}
	if _, err := call(t, w, "spotify", "like_song", args("song_id", song)); err == nil || err.Status != 409 {
		t.Errorf("liking twice: %v", err)
	}
	after, _ := call(t, w, "spotify", "show_liked_songs", args("page_limit", 20))
	if len(after.([]Row)) != len(before.([]Row))+1 || after.([]Row)[0]["song_id"] != song {
		t.Errorf("liked songs %v, before %v", after, before)
	}
	out, err := call(t, w, "spotify", "create_playlist", args("title", "Mine"))
	if err != nil {
		t.Fatal(err)
	}
	pl := out.(map[string]any)["playlist_id"]
	if _, err := call(t, w, "spotify", "add_song_to_playlist", args("playlist_id", pl, "song_id", song)); err != nil {
		t.Fatal(err)
	}
	got, _ := call(t, w, "spotify", "show_playlist", args("playlist_id", pl))
	if s := got.(Row)["songs"].([]Row); len(s) != 1 || s[0]["song_id"] != song {
		t.Errorf("playlist %v", got)
	}
	if _, err := call(t, w, "spotify", "like_song", args("song_id", 99999)); err == nil || err.Status != 404 {
		t.Errorf("unknown song: %v", err)
	}
}

func TestGmailSendReplyAndFlags(t *testing.T) {
	w, people := newTestWorld(t)
	a, b := login(t, w, people[0], "gmail"), login(t, w, people[1], "gmail")
	if _, err := call(t, w, "gmail", "send_email", map[string]any{"access_token": a, "email_addresses": []string{people[1].Email}, "subject": "Zebra plans", "body": "Hello"}); err != nil {
		t.Fatal(err)
	}
	inbox, err := call(t, w, "gmail", "show_inbox_threads", map[string]any{"access_token": b, "query": "zebra"})
	if err != nil || len(inbox.([]Row)) != 1 || inbox.([]Row)[0]["read"] != false || inbox.([]Row)[0]["last_sender_email"] != strings.ToLower(people[0].Email) {
		t.Fatalf("inbox %v %v", inbox, err)
	}
	th := inbox.([]Row)[0]["email_thread_id"]
	full, _ := call(t, w, "gmail", "show_thread", map[string]any{"access_token": b, "email_thread_id": th})
	email := full.(Row)["emails"].([]Row)[0]["email_id"]
	if _, err := call(t, w, "gmail", "reply_to_email", map[string]any{"access_token": b, "email_thread_id": th, "email_id": email, "body": "Hi back"}); err != nil {
		t.Fatal(err)
	}
	back, _ := call(t, w, "gmail", "show_inbox_threads", map[string]any{"access_token": a, "query": "hi back"})
	if len(back.([]Row)) != 1 || back.([]Row)[0]["subject"] != "Re: Zebra plans" {
		t.Errorf("reply not delivered: %v", back)
	}
	if _, err := call(t, w, "gmail", "mark_thread_archived", map[string]any{"access_token": b, "email_thread_id": th}); err != nil {
		t.Fatal(err)
	}
	inbox, _ = call(t, w, "gmail", "show_inbox_threads", map[string]any{"access_token": b, "query": "zebra"})
	archived, _ := call(t, w, "gmail", "show_archived_threads", map[string]any{"access_token": b, "query": "zebra"})
	if len(inbox.([]Row)) != 0 || len(archived.([]Row)) != 1 {
		t.Errorf("after archiving: inbox %v, archived %v", inbox, archived)
	}
	if _, err := call(t, w, "gmail", "show_thread", map[string]any{"access_token": a, "email_thread_id": th}); err == nil || err.Status != 404 {
		t.Errorf("someone else's thread: %v", err)
	}
}

func TestAmazonCartAndOrder(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[1], "amazon")
	do := func(api string, kv ...any) (any, *Error) {
		m := map[string]any{"access_token": tok}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return call(t, w, "amazon", api, m)
	}
	if _, err := do("clear_cart"); err != nil {
		t.Fatal(err)
	}
	ps, err := do("search_products", "product_type", "books", "max_price", 1000.0, "page_limit", 2)
	if err != nil || len(ps.([]Row)) != 2 {
		t.Fatalf("search_products: %v %v", ps, err)
	}
	a, b := ps.([]Row)[0], ps.([]Row)[1]
	do("add_product_to_cart", "product_id", a["product_id"], "quantity", 2)
	do("add_product_to_cart", "product_id", b["product_id"])
	if _, err := do("move_product_from_cart_to_wish_list", "product_id", b["product_id"]); err != nil {
		t.Fatal(err)
	}
	c, _ := do("show_cart")
	want := round2(2 * a["price"].(float64))
	if got := c.(map[string]any)["total"]; got != want {
		t.Errorf("cart total %v, want %v", got, want)
	}
	card, _ := do("show_payment_cards")
	addr, _ := do("show_addresses")
	out, err := do("place_order", "payment_card_id", card.([]Row)[0]["payment_card_id"], "address_id", addr.([]Row)[0]["address_id"])
	if err != nil {
		t.Fatal(err)
	}
	o, _ := do("show_order", "order_id", out.(map[string]any)["order_id"])
	if o.(Row)["total"] != want || len(o.(Row)["items"].([]Row)) != 1 {
		t.Errorf("order %v", o)
	}
	if _, err := do("place_order", "payment_card_id", card.([]Row)[0]["payment_card_id"], "address_id", addr.([]Row)[0]["address_id"]); err == nil || err.Status != 422 {
		t.Errorf("ordering an empty cart: %v", err)
	}
}

func TestFileSystemDirectoryCopyAndMove(t *testing.T) {
	w, people := newTestWorld(t)
	tok := login(t, w, people[0], "file_system")
	do := func(api string, kv ...any) (any, *Error) {
		m := map[string]any{"access_token": tok}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return call(t, w, "file_system", api, m)
	}
	if _, err := do("create_directory", "directory_path", "/a/b", "recursive", true); err != nil {
		t.Fatal(err)
	}
	if _, err := do("create_file", "file_path", "/a/b/f.txt", "content", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := do("copy_directory", "source_directory_path", "/a", "destination_directory_path", "/c"); err != nil {
		t.Fatal(err)
	}
	if _, err := do("move_directory", "source_directory_path", "/a", "destination_directory_path", "/d"); err != nil {
		t.Fatal(err)
	}
	got, err := do("show_directory", "directory_path", "/", "recursive", true, "substring", "")
	want := "[/c/ /c/b/ /c/b/f.txt /d/ /d/b/ /d/b/f.txt /documents/ /documents/resume.txt /documents/todo.txt /downloads/ /photos/ /photos/beach.jpg.txt]"
	if err != nil || fmt.Sprint(got) != want {
		t.Errorf("tree %v %v, want %s", got, err, want)
	}
	if _, err := do("move_directory", "source_directory_path", "/c", "destination_directory_path", "/c/inside"); err == nil || err.Status != 422 {
		t.Errorf("moving into itself: %v", err)
	}
}
