package world

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// gmailSchema holds the mail app's tables. Every participant has a copy of
// a conversation (a thread) with its own flags; an e-mail belongs to one
// copy.
const gmailSchema = `
CREATE TABLE gmail_threads (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, subject TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '', starred INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0,
  spam INTEGER NOT NULL DEFAULT 0, read INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE gmail_emails (id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL, sender_email TEXT NOT NULL,
  recipient_emails TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL);
`

const threadCols = `t.id AS email_thread_id, t.subject, t.label, t.starred, t.archived, t.spam, t.read, t.created_at, t.updated_at,
	(SELECT COUNT(*) FROM gmail_emails e WHERE e.thread_id=t.id) AS num_emails,
	(SELECT e.sender_email FROM gmail_emails e WHERE e.thread_id=t.id ORDER BY e.id DESC LIMIT 1) AS last_sender_email`

var threadFlags = []string{"starred", "archived", "spam", "read"}

const emailCols = `id AS email_id, thread_id AS email_thread_id, sender_email, recipient_emails, subject, body, sent_at`

func shapeEmails(rs []Row) []Row { return shape(rs, nil, []string{"recipient_emails"}) }

func (c *Call) thread(id int64) (Row, error) {
	r, err := c.one("Email thread", `SELECT `+threadCols+` FROM gmail_threads t WHERE t.id=? AND t.owner_id=?`, id, c.user)
	if err != nil {
		return nil, err
	}
	return shape([]Row{r}, threadFlags, nil)[0], nil
}

// threadList is one of the folder listings: box is a condition on t, with
// the caller's e-mail address as its only parameter.
// The folders of starred, archived and spam threads take no filter on
// their own flag (nor, for archived and spam, on the other of the two).
func threadList(name, desc, box string, hideFiled bool, fixed ...string) *API {
	params := []Param{opt("query", "string", "", "Text to match in the subject or the e-mails' bodies."), opt("label", "string", nil, "Only threads with this label.")}
	for _, f := range threadFlags {
		if !slices.Contains(fixed, f) {
			params = append(params, opt(f, "boolean", nil, "Only threads that are (True) or are not (False) "+f+"."))
		}
	}
	return &API{Name: name, Method: "GET", Path: "/gmail/" + strings.TrimSuffix(strings.TrimPrefix(name, "show_"), "_threads"), Auth: true,
		Description: desc, Params: append(params, paging()...),
		Success: []any{map[string]any{"email_thread_id": 1, "subject": "string", "label": "string", "starred": false, "archived": false, "spam": false, "read": false,
			"created_at": "string", "updated_at": "string", "num_emails": 1, "last_sender_email": "string"}},
		handler: func(c *Call) (any, error) {
			me, err := c.myEmail()
			if err != nil {
				return nil, err
			}
			q := `SELECT ` + threadCols + ` FROM gmail_threads t WHERE t.owner_id=? AND ` + box + ` AND (lower(t.subject) LIKE ? OR EXISTS (SELECT 1 FROM gmail_emails e WHERE e.thread_id=t.id AND lower(e.body) LIKE ?))`
			args := []any{c.user, me, like(c.str("query")), like(c.str("query"))}
			if c.has("label") {
				q += ` AND lower(t.label)=lower(?)`
				args = append(args, c.str("label"))
			}
			for _, f := range threadFlags {
				if hideFiled && (f == "archived" || f == "spam") && !c.has(f) {
					q += ` AND t.` + f + `=0`
				}
				if c.has(f) {
					q += ` AND t.` + f + `=?`
					args = append(args, dbValue(c.flag(f)))
				}
			}
			rs, err := c.rows(q+` ORDER BY t.updated_at DESC, t.id DESC`, args...)
			return shape(c.page(rs), threadFlags, nil), err
		}}
}

func flagAPI(name, col string, v bool) *API {
	return &API{Name: name, Method: "PATCH", Path: "/gmail/threads/{email_thread_id}/" + col, Auth: true,
		Description: "Mark a thread " + map[bool]string{true: "", false: "not "}[v] + col + ".",
		Params:      []Param{p("email_thread_id", "integer", "The thread's id.")},
		handler: func(c *Call) (any, error) {
			if _, err := c.thread(c.int("email_thread_id")); err != nil {
				return nil, err
			}
			_, err := c.exec(`UPDATE gmail_threads SET `+col+`=? WHERE id=?`, dbValue(v), c.int("email_thread_id"))
			return map[string]any{"message": "Thread updated."}, err
		}}
}

func (c *Call) myEmail() (string, error) {
	r, err := c.one("Person", `SELECT email FROM people WHERE id=?`, c.user)
	if err != nil {
		return "", err
	}
	return r["email"].(string), nil
}

// deliver writes one e-mail into the sender's copy of a thread (thread, or
// a new one when 0) and into every recipient's copy, making new copies
// where the recipients have none for this conversation.
func (c *Call) deliver(thread int64, subject, body string, to []string) (int64, int64, error) {
	me, err := c.myEmail()
	if err != nil {
		return 0, 0, err
	}
	var recipients []int64
	for _, e := range to {
		id, err := c.gmailUser(e)
		if err != nil {
			return 0, 0, err
		}
		recipients = append(recipients, id)
	}
	if len(recipients) == 0 {
		return 0, 0, failf(422, "email_addresses must not be empty.")
	}
	list := strings.Join(lowerAll(to), ",")
	if thread == 0 {
		if thread, err = c.insert(`INSERT INTO gmail_threads(owner_id, subject, read, created_at, updated_at) VALUES(?,?,1,?,?)`, c.user, subject, c.now(), c.now()); err != nil {
			return 0, 0, err
		}
	} else if _, err := c.exec(`UPDATE gmail_threads SET updated_at=? WHERE id=?`, c.now(), thread); err != nil {
		return 0, 0, err
	}
	email, err := c.insert(`INSERT INTO gmail_emails(thread_id, sender_email, recipient_emails, subject, body, sent_at) VALUES(?,?,?,?,?,?)`, thread, me, list, subject, body, c.now())
	if err != nil {
		return 0, 0, err
	}
	for _, r := range recipients {
		if r == c.user {
			continue
		}
		copyID, err := c.insert(`INSERT INTO gmail_threads(owner_id, subject, created_at, updated_at) VALUES(?,?,?,?)`, r, subject, c.now(), c.now())
		if err != nil {
			return 0, 0, err
		}
		if _, err := c.exec(`INSERT INTO gmail_emails(thread_id, sender_email, recipient_emails, subject, body, sent_at) VALUES(?,?,?,?,?,?)`, copyID, me, list, subject, body, c.now()); err != nil {
			return 0, 0, err
		}
	}
	return thread, email, nil
}

func lowerAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToLower(strings.TrimSpace(x))
	}
	return out
}

func (c *Call) gmailUser(email string) (int64, error) {
	r, err := c.one("Gmail user "+email, `SELECT p.id FROM people p JOIN accounts a ON a.person_id=p.id AND a.app='gmail' WHERE lower(p.email)=lower(?)`, strings.TrimSpace(email))
	if err != nil {
		return 0, err
	}
	return r["id"].(int64), nil
}

func init() {
	threadID := p("email_thread_id", "integer", "The thread's id.")
	register("gmail", "The gmail app: your e-mail threads in inbox, outbox, starred, archived and spam, with labels, and sending and replying.", append(accountAPIs("gmail"),
		searchUsersAPI("gmail"),
		&API{Name: "search_labels", Method: "GET", Path: "/gmail/labels", Auth: true,
			Description: "List the labels on your threads, optionally those containing the query.",
			Params:      append([]Param{opt("query", "string", "", "Text to match in the label.")}, paging()...),
			Success:     []any{"string"},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT DISTINCT label FROM gmail_threads WHERE owner_id=? AND label<>'' AND lower(label) LIKE ? ORDER BY label`, c.user, like(c.str("query")))
				out := []string{}
				for _, r := range c.page(rs) {
					out = append(out, r["label"].(string))
				}
				return out, err
			}},
		threadList("show_inbox_threads", "List the threads with e-mails to you, newest first, leaving out archived and spam ones unless asked.",
			`EXISTS (SELECT 1 FROM gmail_emails e WHERE e.thread_id=t.id AND lower(e.sender_email)<>lower(?))`, true),
		threadList("show_outbox_threads", "List the threads with e-mails you sent, newest first.",
			`EXISTS (SELECT 1 FROM gmail_emails e WHERE e.thread_id=t.id AND lower(e.sender_email)=lower(?))`, true),
		threadList("show_starred_threads", "List your starred threads, newest first.", `t.starred=1 AND ?<>''`, false, "starred"),
		threadList("show_archived_threads", "List your archived threads, newest first.", `t.archived=1 AND ?<>''`, false, "archived", "spam"),
		threadList("show_spam_threads", "List your threads marked as spam, newest first.", `t.spam=1 AND ?<>''`, false, "archived", "spam"),
		&API{Name: "show_thread", Method: "GET", Path: "/gmail/threads/{email_thread_id}", Auth: true,
			Description: "Show a thread with its e-mails, oldest first.", Params: []Param{threadID},
			handler: func(c *Call) (any, error) {
				t, err := c.thread(c.int("email_thread_id"))
				if err != nil {
					return nil, err
				}
				es, err := c.rows(`SELECT `+emailCols+` FROM gmail_emails WHERE thread_id=? ORDER BY id`, c.int("email_thread_id"))
				t["emails"] = shapeEmails(es)
				return t, err
			}},
		&API{Name: "show_email", Method: "GET", Path: "/gmail/emails/{email_id}", Auth: true,
			Description: "Show one e-mail.", Params: []Param{p("email_id", "integer", "The e-mail's id.")},
			handler: func(c *Call) (any, error) {
				r, err := c.one("Email", `SELECT e.id AS email_id, e.thread_id AS email_thread_id, e.sender_email, e.recipient_emails, e.subject, e.body, e.sent_at
					FROM gmail_emails e JOIN gmail_threads t ON t.id=e.thread_id WHERE e.id=? AND t.owner_id=?`, c.int("email_id"), c.user)
				if err != nil {
					return nil, err
				}
				return shapeEmails([]Row{r})[0], nil
			}},
		&API{Name: "label_thread", Method: "PATCH", Path: "/gmail/threads/{email_thread_id}/label", Auth: true,
			Description: "Give a thread a label (replacing its label, if any).", Params: []Param{threadID, p("label", "string", "The label.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.thread(c.int("email_thread_id")); err != nil {
					return nil, err
				}
				if strings.TrimSpace(c.str("label")) == "" {
					return nil, failf(422, "label must not be empty.")
				}
				_, err := c.exec(`UPDATE gmail_threads SET label=? WHERE id=?`, strings.ToLower(strings.TrimSpace(c.str("label"))), c.int("email_thread_id"))
				return map[string]any{"message": "Thread labelled."}, err
			}},
		&API{Name: "unlabel_thread", Method: "DELETE", Path: "/gmail/threads/{email_thread_id}/label", Auth: true,
			Description: "Remove a thread's label.", Params: []Param{threadID},
			handler: func(c *Call) (any, error) {
				if _, err := c.thread(c.int("email_thread_id")); err != nil {
					return nil, err
				}
				_, err := c.exec(`UPDATE gmail_threads SET label='' WHERE id=?`, c.int("email_thread_id"))
				return map[string]any{"message": "Label removed."}, err
			}},
		flagAPI("mark_thread_read", "read", true), flagAPI("mark_thread_unread", "read", false),
		flagAPI("mark_thread_archived", "archived", true), flagAPI("mark_thread_unarchived", "archived", false),
		flagAPI("mark_thread_spam", "spam", true), flagAPI("mark_thread_not_spam", "spam", false),
		flagAPI("mark_thread_starred", "starred", true), flagAPI("mark_thread_unstarred", "starred", false),
		&API{Name: "delete_thread", Method: "DELETE", Path: "/gmail/threads/{email_thread_id}", Auth: true,
			Description: "Delete your copy of a thread with its e-mails.", Params: []Param{threadID},
			handler: func(c *Call) (any, error) {
				if _, err := c.thread(c.int("email_thread_id")); err != nil {
					return nil, err
				}
				if _, err := c.exec(`DELETE FROM gmail_emails WHERE thread_id=?`, c.int("email_thread_id")); err != nil {
					return nil, err
				}
				_, err := c.exec(`DELETE FROM gmail_threads WHERE id=?`, c.int("email_thread_id"))
				return map[string]any{"message": "Thread deleted."}, err
			}},
		&API{Name: "delete_email_in_thread", Method: "DELETE", Path: "/gmail/threads/{email_thread_id}/emails/{email_id}", Auth: true,
			Description: "Delete one e-mail from your copy of a thread.", Params: []Param{threadID, p("email_id", "integer", "The e-mail's id.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.thread(c.int("email_thread_id")); err != nil {
					return nil, err
				}
				res, err := c.exec(`DELETE FROM gmail_emails WHERE id=? AND thread_id=?`, c.int("email_id"), c.int("email_thread_id"))
				if n, _ := res.RowsAffected(); err == nil && n == 0 {
					return nil, notFound("Email in the thread")
				}
				return map[string]any{"message": "Email deleted."}, err
			}},
		&API{Name: "send_email", Method: "POST", Path: "/gmail/emails", Auth: true,
			Description: "Send an e-mail in a new thread.",
			Params:      []Param{p("email_addresses", "list[string]", "The recipients' e-mail addresses."), opt("subject", "string", "", "The subject."), opt("body", "string", "", "The text.")},
			Success:     map[string]any{"message": "string", "email_thread_id": 1, "email_id": 1},
			handler: func(c *Call) (any, error) {
				t, e, err := c.deliver(0, c.str("subject"), c.str("body"), c.strs("email_addresses"))
				return map[string]any{"message": "Email sent.", "email_thread_id": t, "email_id": e}, err
			}},
		&API{Name: "reply_to_email", Method: "POST", Path: "/gmail/threads/{email_thread_id}/emails/{email_id}/reply", Auth: true,
			Description: "Reply in a thread to one of its e-mails; to its sender unless email_addresses are given.",
			Params: []Param{threadID, p("email_id", "integer", "The e-mail replied to."), p("body", "string", "The text."),
				opt("email_addresses", "list[string]", nil, "The recipients; the e-mail's sender by default.")},
			Success: map[string]any{"message": "string", "email_id": 1},
			handler: func(c *Call) (any, error) {
				t, err := c.thread(c.int("email_thread_id"))
				if err != nil {
					return nil, err
				}
				orig, err := c.one("Email in the thread", `SELECT sender_email FROM gmail_emails WHERE id=? AND thread_id=?`, c.int("email_id"), c.int("email_thread_id"))
				if err != nil {
					return nil, err
				}
				to := []string{orig["sender_email"].(string)}
				if c.has("email_addresses") {
					to = c.strs("email_addresses")
				}
				subject := t["subject"].(string)
				if !strings.HasPrefix(strings.ToLower(subject), "re:") {
					subject = "Re: " + subject
				}
				_, e, err := c.deliver(c.int("email_thread_id"), subject, c.str("body"), to)
				return map[string]any{"message": "Reply sent.", "email_id": e}, err
			}},
	)...)
}

// searchUsersAPI lists the people with an account in app.
func searchUsersAPI(app string) *API {
	return &API{Name: "search_users", Method: "GET", Path: "/" + app + "/users", Auth: true,
		Description: "Search the users of " + app + " by name or e-mail.",
		Params:      append([]Param{opt("query", "string", "", "Text to match in the name or e-mail.")}, paging()...),
		Success:     []any{map[string]any{"first_name": "string", "last_name": "string", "email": "string"}},
		handler: func(c *Call) (any, error) {
			rs, err := c.rows(`SELECT p.first_name, p.last_name, p.email FROM people p JOIN accounts a ON a.person_id=p.id AND a.app=?
				WHERE lower(p.first_name || ' ' || p.last_name) LIKE ?2 OR lower(p.email) LIKE ?2 ORDER BY p.first_name, p.last_name, p.id`, app, like(c.str("query")))
			return c.page(rs), err
		}}
}

var mailSubjects = []string{"Quarterly report", "Weekend plans", "Invoice", "Team lunch", "Book recommendation", "Flight details", "Birthday party", "Project kickoff"}

// AddEmail sends one e-mail from sender to the recipients outside any
// API: the sender's copy (read) and each recipient's copy (unread). It
// returns the recipients' thread ids in order.
func (b *Builder) AddEmail(from Person, to []Person, subject, body, at string) []int64 {
	var emails []string
	for _, p := range to {
		emails = append(emails, strings.ToLower(p.Email))
	}
	list := strings.Join(emails, ",")
	mine := b.exec(`INSERT INTO gmail_threads(owner_id, subject, read, created_at, updated_at) VALUES(?,?,1,?,?)`, from.ID, subject, at, at)
	b.exec(`INSERT INTO gmail_emails(thread_id, sender_email, recipient_emails, subject, body, sent_at) VALUES(?,?,?,?,?,?)`, mine, strings.ToLower(from.Email), list, subject, body, at)
	var out []int64
	for _, p := range to {
		t := b.exec(`INSERT INTO gmail_threads(owner_id, subject, created_at, updated_at) VALUES(?,?,?,?)`, p.ID, subject, at, at)
		b.exec(`INSERT INTO gmail_emails(thread_id, sender_email, recipient_emails, subject, body, sent_at) VALUES(?,?,?,?,?,?)`, t, strings.ToLower(from.Email), list, subject, body, at)
		out = append(out, t)
	}
	return out
}

// SetThread sets a thread's label and flags.
func (b *Builder) SetThread(thread int64, label string, starred, archived, spam, read bool) {
	b.exec(`UPDATE gmail_threads SET label=?, starred=?, archived=?, spam=?, read=? WHERE id=?`, label, dbValue(starred), dbValue(archived), dbValue(spam), dbValue(read), thread)
}

// seedGmail gives every person a few e-mails from others, with its own
// random stream.
func (b *Builder) seedGmail(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x6a11))
	n := len(b.People)
	for i, p := range b.People {
		for k := range 2 {
			from := b.People[(i+3+k*11)%n]
			if from.ID == p.ID {
				continue
			}
			subject := mailSubjects[r.IntN(len(mailSubjects))]
			body := fmt.Sprintf("Hi %s,\n\n%s\n\nBest,\n%s", p.FirstName, chatLines[r.IntN(len(chatLines))], from.FirstName)
			b.AddEmail(from, []Person{p}, subject, body, Day(BaseTime, -1-r.IntN(60), r.IntN(600)))
		}
	}
}
