package world

import (
	"regexp"
	"strings"
)

// patch updates the columns of one row named by the optional parameters
// that were passed (parameter name = column name).
func (c *Call) patch(table string, id int64, cols ...string) error {
	var sets []string
	var args []any
	for _, col := range cols {
		if c.has(col) {
			sets = append(sets, col+"=?")
			args = append(args, dbValue(c.args[col]))
		}
	}
	if len(sets) == 0 {
		return failf(422, "Nothing to update: pass at least one of %s.", strings.Join(cols, ", "))
	}
	args = append(args, id)
	_, err := c.exec("UPDATE "+table+" SET "+strings.Join(sets, ", ")+" WHERE id=?", args...)
	return err
}

func dbValue(v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return 1
		}
		return 0
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, strings.TrimSpace(e.(string)))
		}
		return strings.Join(parts, ",")
	}
	return v
}

// boolCols turns 0/1 columns into booleans and comma lists into lists.
func shape(rs []Row, bools []string, lists []string) []Row {
	for _, r := range rs {
		for _, b := range bools {
			if v, ok := r[b].(int64); ok {
				r[b] = v != 0
			}
		}
		for _, l := range lists {
			if s, ok := r[l].(string); ok {
				r[l] = splitList(s)
			}
		}
	}
	return rs
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func like(q string) string { return "%" + strings.ToLower(q) + "%" }

func (c *Call) myNumber() (string, error) {
	r, err := c.one("Person", `SELECT phone_number FROM people WHERE id=?`, c.user)
	if err != nil {
		return "", err
	}
	return r["phone_number"].(string), nil
}

var (
	phoneRe = regexp.MustCompile(`^[0-9]{10}$`)
	timeRe  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	dateRe  = regexp.MustCompile(`^[0-9]{4}-[01][0-9]-[0-3][0-9]$`)
)

var weekdays = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true}

const contactCols = `id AS contact_id, first_name, last_name, phone_number, email, relationship AS relationships, birthday, created_at`
const messageCols = `id AS text_message_id, sender_number, receiver_number, message, sent_at, is_read`

func init() {
	contactFields := []Param{
		opt("email", "string", "", "The contact's e-mail address."),
		opt("relationships", "list[string]", []any{}, "How the contact relates to you (friend, coworker, sibling, ...)."),
		opt("birthday", "string", "", "The contact's birthday, YYYY-MM-DD."),
	}
	register("phone", "The phone app: contacts, text messages and alarms.", append(accountAPIs("phone"),
		&API{Name: "search_contacts", Method: "GET", Path: "/phone/contacts", Auth: true,
			Description: "Search your contacts by name, phone number or e-mail, optionally by relationship.",
			Params:      append([]Param{opt("query", "string", "", "Text to match in name, phone number or e-mail."), opt("relationship", "string", nil, "Only contacts with this relationship.")}, paging()...),
			Success:     []any{map[string]any{"contact_id": 1, "first_name": "string", "last_name": "string", "phone_number": "string", "email": "string", "relationships": []any{"string"}, "birthday": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				q := `SELECT ` + contactCols + ` FROM contacts WHERE owner_id=? AND (lower(first_name || ' ' || last_name) LIKE ? OR phone_number LIKE ? OR lower(email) LIKE ?)`
				args := []any{c.user, like(c.str("query")), like(c.str("query")), like(c.str("query"))}
				if c.has("relationship") {
					q += ` AND (',' || lower(relationship) || ',') LIKE ?`
					args = append(args, "%,"+strings.ToLower(strings.TrimSpace(c.str("relationship")))+",%")
				}
				rs, err := c.rows(q+` ORDER BY first_name, last_name, id`, args...)
				return shape(c.page(rs), nil, []string{"relationships"}), err
			}},
		&API{Name: "add_contact", Method: "POST", Path: "/phone/contacts", Auth: true,
			Description: "Add a contact.",
			Params:      append([]Param{p("first_name", "string", "First name."), p("last_name", "string", "Last name."), p("phone_number", "string", "Ten-digit phone number.")}, contactFields...),
			Success:     map[string]any{"message": "string", "contact_id": 1},
			handler: func(c *Call) (any, error) {
				if !phoneRe.MatchString(c.str("phone_number")) {
					return nil, failf(422, "phone_number must be ten digits.")
				}
				dup, err := c.rows(`SELECT id FROM contacts WHERE owner_id=? AND phone_number=?`, c.user, c.str("phone_number"))
				if err != nil {
					return nil, err
				}
				if len(dup) > 0 {
					return nil, failf(409, "A contact with this phone number already exists.")
				}
				id, err := c.insert(`INSERT INTO contacts(owner_id, first_name, last_name, phone_number, email, relationship, birthday, created_at) VALUES(?,?,?,?,?,?,?,?)`,
					c.user, c.str("first_name"), c.str("last_name"), c.str("phone_number"), c.str("email"), strings.ToLower(dbValue(c.args["relationships"]).(string)), c.str("birthday"), c.now())
				return map[string]any{"message": "Contact added.", "contact_id": id}, err
			}},
		&API{Name: "update_contact", Method: "PATCH", Path: "/phone/contacts/{contact_id}", Auth: true,
			Description: "Update a contact's fields; only the fields passed change.",
			Params: []Param{p("contact_id", "integer", "The contact's id."), opt("first_name", "string", nil, "First name."), opt("last_name", "string", nil, "Last name."),
				opt("phone_number", "string", nil, "Ten-digit phone number."), opt("email", "string", nil, "E-mail address."), opt("relationships", "list[string]", nil, "Relationships (replace the old ones)."), opt("birthday", "string", nil, "Birthday, YYYY-MM-DD.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.one("Contact", `SELECT id FROM contacts WHERE id=? AND owner_id=?`, c.int("contact_id"), c.user); err != nil {
					return nil, err
				}
				if c.has("phone_number") && !phoneRe.MatchString(c.str("phone_number")) {
					return nil, failf(422, "phone_number must be ten digits.")
				}
				if c.has("relationships") {
					c.args["relationship"] = strings.ToLower(dbValue(c.args["relationships"]).(string))
				}
				return map[string]any{"message": "Contact updated."}, c.patch("contacts", c.int("contact_id"), "first_name", "last_name", "phone_number", "email", "relationship", "birthday")
			}},
		&API{Name: "delete_contact", Method: "DELETE", Path: "/phone/contacts/{contact_id}", Auth: true,
			Description: "Delete a contact.",
			Params:      []Param{p("contact_id", "integer", "The contact's id.")},
			handler: func(c *Call) (any, error) {
				return deleteOwned(c, "contacts", "Contact", c.int("contact_id"))
			}},
		&API{Name: "show_contact_relationships", Method: "GET", Path: "/phone/contact_relationships", Auth: true,
			Description: "List the distinct relationships among your contacts.",
			Success:     []any{"string"},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT DISTINCT relationship FROM contacts WHERE owner_id=? AND relationship<>''`, c.user)
				seen := map[string]bool{}
				out := []string{}
				for _, r := range rs {
					for _, x := range splitList(r["relationship"].(string)) {
						if !seen[x] {
							seen[x] = true
							out = append(out, x)
						}
					}
				}
				sortStrings(out)
				return out, err
			}},
		&API{Name: "search_text_messages", Method: "GET", Path: "/phone/messages", Auth: true,
			Description: "Search the text messages you sent or received, newest first, optionally only those with one phone number or matching a query.",
			Params: append([]Param{opt("query", "string", "", "Text to match in the message."), opt("phone_number", "string", nil, "Only messages exchanged with this number."),
				opt("only_latest_per_contact", "boolean", false, "Only the newest message with each phone number.")}, paging()...),
			Success: []any{map[string]any{"text_message_id": 1, "sender_number": "string", "receiver_number": "string", "message": "string", "sent_at": "string", "is_read": true}},
			handler: func(c *Call) (any, error) {
				me, err := c.myNumber()
				if err != nil {
					return nil, err
				}
				q := `SELECT ` + messageCols + ` FROM text_messages WHERE (sender_number=? OR receiver_number=?) AND lower(message) LIKE ?`
				args := []any{me, me, like(c.str("query"))}
				if c.has("phone_number") {
					q += ` AND (sender_number=? OR receiver_number=?)`
					args = append(args, c.str("phone_number"), c.str("phone_number"))
				}
				rs, err := c.rows(q+` ORDER BY sent_at DESC, id DESC`, args...)
				if err == nil && c.flag("only_latest_per_contact") {
					rs = latestPerContact(rs, me)
				}
				return shape(c.page(rs), []string{"is_read"}, nil), err
			}},
		&API{Name: "show_text_message", Method: "GET", Path: "/phone/messages/{text_message_id}", Auth: true,
			Description: "Show one text message.",
			Params:      []Param{p("text_message_id", "integer", "The message's id.")},
			handler: func(c *Call) (any, error) {
				me, err := c.myNumber()
				if err != nil {
					return nil, err
				}
				r, err := c.one("Message", `SELECT `+messageCols+` FROM text_messages WHERE id=? AND (sender_number=? OR receiver_number=?)`, c.int("text_message_id"), me, me)
				if err != nil {
					return nil, err
				}
				return shape([]Row{r}, []string{"is_read"}, nil)[0], nil
			}},
		&API{Name: "send_text_message", Method: "POST", Path: "/phone/messages", Auth: true,
			Description: "Send a text message to a phone number.",
			Params:      []Param{p("phone_number", "string", "The receiver's ten-digit phone number."), p("message", "string", "The text.")},
			Success:     map[string]any{"message": "string", "text_message_id": 1},
			handler: func(c *Call) (any, error) {
				me, err := c.myNumber()
				if err != nil {
					return nil, err
				}
				if !phoneRe.MatchString(c.str("phone_number")) {
					return nil, failf(422, "phone_number must be ten digits.")
				}
				if strings.TrimSpace(c.str("message")) == "" {
					return nil, failf(422, "message must not be empty.")
				}
				id, err := c.insert(`INSERT INTO text_messages(sender_number, receiver_number, message, sent_at, is_read) VALUES(?,?,?,?,0)`, me, c.str("phone_number"), c.str("message"), c.now())
				return map[string]any{"message": "Text message sent.", "text_message_id": id}, err
			}},
		&API{Name: "delete_text_message", Method: "DELETE", Path: "/phone/messages/{text_message_id}", Auth: true,
			Description: "Delete a text message you sent or received.",
			Params:      []Param{p("text_message_id", "integer", "The message's id.")},
			handler: func(c *Call) (any, error) {
				me, err := c.myNumber()
				if err != nil {
					return nil, err
				}
				if _, err := c.one("Message", `SELECT id FROM text_messages WHERE id=? AND (sender_number=? OR receiver_number=?)`, c.int("text_message_id"), me, me); err != nil {
					return nil, err
				}
				_, err = c.exec(`DELETE FROM text_messages WHERE id=?`, c.int("text_message_id"))
				return map[string]any{"message": "Text message deleted."}, err
			}},
		&API{Name: "show_alarms", Method: "GET", Path: "/phone/alarms", Auth: true,
			Description: "List your alarms, earliest time first.",
			Params:      paging(),
			Success:     []any{map[string]any{"alarm_id": 1, "time": "HH:MM", "label": "string", "repeat_days": []any{"string"}, "enabled": true}},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT `+alarmCols+` FROM alarms WHERE owner_id=? ORDER BY time, id`, c.user)
				return shape(c.page(rs), []string{"enabled"}, []string{"repeat_days"}), err
			}},
		&API{Name: "show_alarm", Method: "GET", Path: "/phone/alarms/{alarm_id}", Auth: true,
			Description: "Show one alarm.",
			Params:      []Param{p("alarm_id", "integer", "The alarm's id.")},
			handler: func(c *Call) (any, error) {
				r, err := c.one("Alarm", `SELECT `+alarmCols+` FROM alarms WHERE id=? AND owner_id=?`, c.int("alarm_id"), c.user)
				if err != nil {
					return nil, err
				}
				return shape([]Row{r}, []string{"enabled"}, []string{"repeat_days"})[0], nil
			}},
		&API{Name: "create_alarm", Method: "POST", Path: "/phone/alarms", Auth: true,
			Description: "Create an alarm.",
			Params: []Param{p("time", "string", "Time of day, HH:MM (24-hour)."), opt("label", "string", "", "A label."),
				opt("repeat_days", "list[string]", []any{}, "Weekdays to repeat on, lower case (monday, ...); empty for once."),
				opt("enabled", "boolean", true, "Whether the alarm rings.")},
			Success: map[string]any{"message": "string", "alarm_id": 1},
			handler: func(c *Call) (any, error) {
				if err := checkAlarm(c); err != nil {
					return nil, err
				}
				id, err := c.insert(`INSERT INTO alarms(owner_id, time, label, repeat_days, enabled) VALUES(?,?,?,?,?)`, c.user, c.str("time"), c.str("label"), dbValue(c.args["repeat_days"]), dbValue(c.flag("enabled")))
				return map[string]any{"message": "Alarm created.", "alarm_id": id}, err
			}},
		&API{Name: "update_alarm", Method: "PATCH", Path: "/phone/alarms/{alarm_id}", Auth: true,
			Description: "Update an alarm; only the fields passed change.",
			Params: []Param{p("alarm_id", "integer", "The alarm's id."), opt("time", "string", nil, "HH:MM."), opt("label", "string", nil, "A label."),
				opt("repeat_days", "list[string]", nil, "Weekdays to repeat on."), opt("enabled", "boolean", nil, "Whether the alarm rings.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.one("Alarm", `SELECT id FROM alarms WHERE id=? AND owner_id=?`, c.int("alarm_id"), c.user); err != nil {
					return nil, err
				}
				if err := checkAlarm(c); err != nil {
					return nil, err
				}
				return map[string]any{"message": "Alarm updated."}, c.patch("alarms", c.int("alarm_id"), "time", "label", "repeat_days", "enabled")
			}},
		&API{Name: "delete_alarm", Method: "DELETE", Path: "/phone/alarms/{alarm_id}", Auth: true,
			Description: "Delete an alarm.",
			Params:      []Param{p("alarm_id", "integer", "The alarm's id.")},
			handler: func(c *Call) (any, error) {
				return deleteOwned(c, "alarms", "Alarm", c.int("alarm_id"))
			}},
		&API{Name: "get_current_date_and_time", Method: "GET", Path: "/phone/current_date_and_time",
			Description: "Show the current date and time.",
			Success:     map[string]any{"date": "YYYY-MM-DD", "time": "HH:MM"},
			handler: func(c *Call) (any, error) {
				return map[string]any{"date": c.w.now.Format("2006-01-02"), "time": c.w.now.Format("15:04")}, nil
			}},
	)...)
}

const alarmCols = `id AS alarm_id, time, label, repeat_days, enabled`

// latestPerContact keeps the first (newest) message with each other number.
func latestPerContact(rs []Row, me string) []Row {
	seen := map[string]bool{}
	var out []Row
	for _, r := range rs {
		other := r["sender_number"].(string)
		if other == me {
			other = r["receiver_number"].(string)
		}
		if !seen[other] {
			seen[other] = true
			out = append(out, r)
		}
	}
	return out
}

func checkAlarm(c *Call) error {
	if c.has("time") && !timeRe.MatchString(c.str("time")) {
		return failf(422, "time must be HH:MM (24-hour).")
	}
	for _, d := range c.strs("repeat_days") {
		if !weekdays[d] {
			return failf(422, "repeat_days has %q; allowed: monday, tuesday, wednesday, thursday, friday, saturday, sunday.", d)
		}
	}
	return nil
}

// deleteOwned deletes a row of table that belongs to the caller.
func deleteOwned(c *Call, table, what string, id int64) (any, error) {
	if _, err := c.one(what, `SELECT id FROM `+table+` WHERE id=? AND owner_id=?`, id, c.user); err != nil {
		return nil, err
	}
	_, err := c.exec(`DELETE FROM `+table+` WHERE id=?`, id)
	return map[string]any{"message": what + " deleted."}, err
}
