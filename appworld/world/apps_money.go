package world

import (
	"math"
	"strings"
)

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func (c *Call) personByEmail(email string) (int64, error) {
	r, err := c.one("User "+email, `SELECT id FROM people WHERE lower(email)=lower(?)`, email)
	if err != nil {
		return 0, err
	}
	return r["id"].(int64), nil
}

func (c *Call) member(group int64) error {
	if _, err := c.one("Group", `SELECT g.id FROM expense_groups g JOIN expense_members m ON m.group_id=g.id WHERE g.id=? AND m.person_id=?`, group, c.user); err != nil {
		return err
	}
	return nil
}

func (c *Call) expense(id int64) (Row, error) {
	r, err := c.one("Expense", `SELECT e.id AS expense_id, e.group_id, e.description, e.amount AS paid_amount, p.email AS payer_email, e.created_at FROM expenses e
		JOIN people p ON p.id=e.paid_by JOIN expense_members m ON m.group_id=e.group_id AND m.person_id=? WHERE e.id=?`, c.user, id)
	if err != nil {
		return nil, err
	}
	shares, err := c.rows(`SELECT p.email, s.amount FROM expense_shares s JOIN people p ON p.id=s.person_id WHERE s.expense_id=? ORDER BY s.id`, id)
	r["shares"] = shares
	return r, err
}

// split divides amount equally in cents; the first shares take the odd cents.
func split(amount float64, n int) []float64 {
	cents := int64(math.Round(amount * 100))
	out := make([]float64, n)
	for i := range out {
		c := cents / int64(n)
		if int64(i) < cents%int64(n) {
			c++
		}
		out[i] = float64(c) / 100
	}
	return out
}

func (c *Call) writeShares(expense int64, people []int64, amount float64) error {
	if _, err := c.exec(`DELETE FROM expense_shares WHERE expense_id=?`, expense); err != nil {
		return err
	}
	for i, s := range split(amount, len(people)) {
		if _, err := c.exec(`INSERT INTO expense_shares(expense_id, person_id, amount) VALUES(?,?,?)`, expense, people[i], s); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	groupID := p("group_id", "integer", "The group's id.")
	paymentID := p("payment_id", "integer", "The payment's id.")
	register("splitwise", "The splitwise app: groups of people who split bills, their expenses, balances and payments.", append(accountAPIs("splitwise"),
		searchUsersAPI("splitwise"),
		&API{Name: "show_groups", Method: "GET", Path: "/splitwise/groups", Auth: true,
			Description: "List the groups you belong to.", Params: paging(),
			Success: []any{map[string]any{"group_id": 1, "name": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT g.id AS group_id, g.name, g.created_at FROM expense_groups g JOIN expense_members m ON m.group_id=g.id WHERE m.person_id=? ORDER BY g.id`, c.user)
				return c.page(rs), err
			}},
		&API{Name: "show_group", Method: "GET", Path: "/splitwise/groups/{group_id}", Auth: true,
			Description: "Show a group with its members.", Params: []Param{groupID},
			Success: map[string]any{"group_id": 1, "name": "string", "members": []any{map[string]any{"email": "string", "first_name": "string", "last_name": "string"}}},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				g, err := c.one("Group", `SELECT id AS group_id, name, created_at FROM expense_groups WHERE id=?`, c.int("group_id"))
				if err != nil {
					return nil, err
				}
				g["members"], err = c.rows(`SELECT p.email, p.first_name, p.last_name FROM expense_members m JOIN people p ON p.id=m.person_id WHERE m.group_id=? ORDER BY m.id`, c.int("group_id"))
				return g, err
			}},
		&API{Name: "create_group", Method: "POST", Path: "/splitwise/groups", Auth: true,
			Description: "Create a group; you are a member, with the people whose e-mails you give.",
			Params:      []Param{p("name", "string", "The group's name."), opt("member_emails", "list[string]", []any{}, "E-mail addresses of the other members.")},
			Success:     map[string]any{"message": "string", "group_id": 1},
			handler: func(c *Call) (any, error) {
				members := []int64{c.user}
				for _, e := range c.strs("member_emails") {
					id, err := c.personByEmail(e)
					if err != nil {
						return nil, err
					}
					if id != c.user {
						members = append(members, id)
					}
				}
				gid, err := c.insert(`INSERT INTO expense_groups(name, created_by, created_at) VALUES(?,?,?)`, c.str("name"), c.user, c.now())
				if err != nil {
					return nil, err
				}
				for _, m := range members {
					if _, err := c.exec(`INSERT OR IGNORE INTO expense_members(group_id, person_id) VALUES(?,?)`, gid, m); err != nil {
						return nil, err
					}
				}
				return map[string]any{"message": "Group created.", "group_id": gid}, nil
			}},
		&API{Name: "add_member_to_group", Method: "POST", Path: "/splitwise/groups/{group_id}/members", Auth: true,
			Description: "Add a person to a group you belong to.", Params: []Param{groupID, p("user_email", "string", "The person's e-mail.")},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				id, err := c.personByEmail(c.str("user_email"))
				if err != nil {
					return nil, err
				}
				res, err := c.exec(`INSERT OR IGNORE INTO expense_members(group_id, person_id) VALUES(?,?)`, c.int("group_id"), id)
				if err != nil {
					return nil, err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return nil, failf(409, "%s is already a member.", c.str("user_email"))
				}
				return map[string]any{"message": "Member added."}, nil
			}},
		&API{Name: "remove_member_from_group", Method: "DELETE", Path: "/splitwise/groups/{group_id}/members", Auth: true,
			Description: "Remove a person from a group; only someone with no expenses in it.", Params: []Param{groupID, p("user_email", "string", "The person's e-mail.")},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				id, err := c.personByEmail(c.str("user_email"))
				if err != nil {
					return nil, err
				}
				used, err := c.rows(`SELECT s.id FROM expense_shares s JOIN expenses e ON e.id=s.expense_id WHERE e.group_id=? AND s.person_id=? UNION ALL SELECT id FROM expenses WHERE group_id=? AND paid_by=?`, c.int("group_id"), id, c.int("group_id"), id)
				if err != nil {
					return nil, err
				}
				if len(used) > 0 {
					return nil, failf(409, "%s has expenses in this group.", c.str("user_email"))
				}
				res, err := c.exec(`DELETE FROM expense_members WHERE group_id=? AND person_id=?`, c.int("group_id"), id)
				if n, _ := res.RowsAffected(); err == nil && n == 0 {
					return nil, notFound("Member " + c.str("user_email"))
				}
				return map[string]any{"message": "Member removed."}, err
			}},
		&API{Name: "show_group_expenses", Method: "GET", Path: "/splitwise/groups/{group_id}/expenses", Auth: true,
			Description: "List a group's expenses, newest first, optionally matching a description.",
			Params:      append([]Param{groupID, opt("query", "string", "", "Text to match in the description.")}, paging()...),
			Success:     []any{map[string]any{"expense_id": 1, "description": "string", "paid_amount": 1.0, "payer_email": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT e.id AS expense_id, e.description, e.amount AS paid_amount, p.email AS payer_email, e.created_at FROM expenses e JOIN people p ON p.id=e.paid_by
					WHERE e.group_id=? AND lower(e.description) LIKE ? ORDER BY e.created_at DESC, e.id DESC`, c.int("group_id"), like(c.str("query")))
				return c.page(rs), err
			}},
		&API{Name: "show_expense", Method: "GET", Path: "/splitwise/expenses/{expense_id}", Auth: true,
			Description: "Show an expense with each member's share.", Params: []Param{p("expense_id", "integer", "The expense's id.")},
			handler: func(c *Call) (any, error) { return c.expense(c.int("expense_id")) }},
		&API{Name: "record_expense", Method: "POST", Path: "/splitwise/expenses", Auth: true,
			Description: "Record an expense in a group you belong to, split equally in cents among the debtors (include the payer if they share it).",
			Params: []Param{p("description", "string", "What it was."), p("paid_amount", "number", "The total, > 0."),
				p("payer_email", "string", "Who paid (a group member)."), p("debtor_emails", "list[string]", "The members who share it."),
				opt("group_id", "integer", nil, "The group's id.")},
			Success: map[string]any{"message": "string", "expense_id": 1},
			handler: func(c *Call) (any, error) {
				if !c.has("group_id") {
					return nil, failf(422, "Expenses outside a group are not supported here; pass group_id.")
				}
				g := c.int("group_id")
				if err := c.member(g); err != nil {
					return nil, err
				}
				if c.num("paid_amount") <= 0 {
					return nil, failf(422, "paid_amount must be > 0.")
				}
				payer, err := c.groupMember(g, c.str("payer_email"))
				if err != nil {
					return nil, err
				}
				var sharers []int64
				for _, e := range c.strs("debtor_emails") {
					id, err := c.groupMember(g, e)
					if err != nil {
						return nil, err
					}
					sharers = append(sharers, id)
				}
				if len(sharers) == 0 {
					return nil, failf(422, "debtor_emails must not be empty.")
				}
				id, err := c.insert(`INSERT INTO expenses(group_id, description, amount, paid_by, created_by, created_at) VALUES(?,?,?,?,?,?)`, g, c.str("description"), round2(c.num("paid_amount")), payer, c.user, c.now())
				if err != nil {
					return nil, err
				}
				return map[string]any{"message": "Expense recorded.", "expense_id": id}, c.writeShares(id, sharers, round2(c.num("paid_amount")))
			}},
		&API{Name: "update_expense", Method: "PATCH", Path: "/splitwise/expenses/{expense_id}", Auth: true,
			Description: "Change an expense's description or amount; a new amount is split again equally among the same people.",
			Params:      []Param{p("expense_id", "integer", "The expense's id."), opt("description", "string", nil, "New description."), opt("paid_amount", "number", nil, "New total, > 0.")},
			handler: func(c *Call) (any, error) {
				id := c.int("expense_id")
				if _, err := c.expense(id); err != nil {
					return nil, err
				}
				if c.has("paid_amount") {
					if c.num("paid_amount") <= 0 {
						return nil, failf(422, "paid_amount must be > 0.")
					}
					c.args["amount"] = round2(c.num("paid_amount"))
					ps, err := c.rows(`SELECT person_id FROM expense_shares WHERE expense_id=? ORDER BY id`, id)
					if err != nil {
						return nil, err
					}
					var people []int64
					for _, r := range ps {
						people = append(people, r["person_id"].(int64))
					}
					if err := c.writeShares(id, people, c.num("amount")); err != nil {
						return nil, err
					}
				}
				return map[string]any{"message": "Expense updated."}, c.patch("expenses", id, "description", "amount")
			}},
		&API{Name: "delete_expense", Method: "DELETE", Path: "/splitwise/expenses/{expense_id}", Auth: true,
			Description: "Delete an expense.", Params: []Param{p("expense_id", "integer", "The expense's id.")},
			handler: func(c *Call) (any, error) {
				id := c.int("expense_id")
				if _, err := c.expense(id); err != nil {
					return nil, err
				}
				if _, err := c.exec(`DELETE FROM expense_shares WHERE expense_id=?`, id); err != nil {
					return nil, err
				}
				_, err := c.exec(`DELETE FROM expenses WHERE id=?`, id)
				return map[string]any{"message": "Expense deleted."}, err
			}},
		&API{Name: "show_group_balance", Method: "GET", Path: "/splitwise/groups/{group_id}/balances", Auth: true,
			Description: "Each member's net balance in a group (or only the member with the given e-mail): positive means the group owes them, negative means they owe.",
			Params:      []Param{groupID, opt("email", "string", nil, "Only this member's balance.")},
			Success:     []any{map[string]any{"email": "string", "first_name": "string", "last_name": "string", "balance": 1.0}},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT p.email, p.first_name, p.last_name,
					COALESCE((SELECT SUM(amount) FROM expenses WHERE group_id=m.group_id AND paid_by=m.person_id),0)
					- COALESCE((SELECT SUM(s.amount) FROM expense_shares s JOIN expenses e ON e.id=s.expense_id WHERE e.group_id=m.group_id AND s.person_id=m.person_id),0)
					+ COALESCE((SELECT SUM(amount) FROM settlements WHERE group_id=m.group_id AND payer_id=m.person_id),0)
					- COALESCE((SELECT SUM(amount) FROM settlements WHERE group_id=m.group_id AND payee_id=m.person_id),0) AS balance
					FROM expense_members m JOIN people p ON p.id=m.person_id WHERE m.group_id=? ORDER BY m.id`, c.int("group_id"))
				out := []Row{}
				for _, r := range rs {
					r["balance"] = round2(toFloat(r["balance"]))
					if !c.has("email") || strings.EqualFold(r["email"].(string), strings.TrimSpace(c.str("email"))) {
						out = append(out, r)
					}
				}
				return out, err
			}},
		&API{Name: "record_payment", Method: "POST", Path: "/splitwise/payments", Auth: true,
			Description: "Record that one group member paid another back; you must be the payer or the receiver.",
			Params: []Param{opt("group_id", "integer", nil, "The group's id."), p("payer_email", "string", "Who paid."), p("receiver_email", "string", "Who was paid."),
				p("amount", "number", "How much, > 0."), opt("description", "string", "", "A note.")},
			Success: map[string]any{"message": "string", "payment_id": 1},
			handler: func(c *Call) (any, error) {
				if !c.has("group_id") {
					return nil, failf(422, "Payments outside a group are not supported here; pass group_id.")
				}
				g := c.int("group_id")
				if err := c.member(g); err != nil {
					return nil, err
				}
				payer, err := c.groupMember(g, c.str("payer_email"))
				if err != nil {
					return nil, err
				}
				payee, err := c.groupMember(g, c.str("receiver_email"))
				if err != nil {
					return nil, err
				}
				if c.num("amount") <= 0 || payee == payer || (payer != c.user && payee != c.user) {
					return nil, failf(422, "amount must be > 0, payer and receiver different people, and you one of them.")
				}
				id, err := c.insert(`INSERT INTO settlements(group_id, payer_id, payee_id, amount, note, created_at) VALUES(?,?,?,?,?,?)`, g, payer, payee, round2(c.num("amount")), c.str("description"), c.now())
				return map[string]any{"message": "Payment recorded.", "payment_id": id}, err
			}},
		&API{Name: "show_payment", Method: "GET", Path: "/splitwise/payments/{payment_id}", Auth: true,
			Description: "Show a payment in one of your groups.", Params: []Param{paymentID},
			handler: func(c *Call) (any, error) { return c.payment(c.int("payment_id")) }},
		&API{Name: "update_payment", Method: "PATCH", Path: "/splitwise/payments/{payment_id}", Auth: true,
			Description: "Change a payment's amount or description.",
			Params:      []Param{paymentID, opt("amount", "number", nil, "New amount, > 0."), opt("description", "string", nil, "New description.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.payment(c.int("payment_id")); err != nil {
					return nil, err
				}
				if c.has("amount") {
					if c.num("amount") <= 0 {
						return nil, failf(422, "amount must be > 0.")
					}
					c.args["amount"] = round2(c.num("amount"))
				}
				if c.has("description") {
					c.args["note"] = c.args["description"]
				}
				return map[string]any{"message": "Payment updated."}, c.patch("settlements", c.int("payment_id"), "amount", "note")
			}},
		&API{Name: "delete_payment", Method: "DELETE", Path: "/splitwise/payments/{payment_id}", Auth: true,
			Description: "Delete a payment.", Params: []Param{paymentID},
			handler: func(c *Call) (any, error) {
				if _, err := c.payment(c.int("payment_id")); err != nil {
					return nil, err
				}
				_, err := c.exec(`DELETE FROM settlements WHERE id=?`, c.int("payment_id"))
				return map[string]any{"message": "Payment deleted."}, err
			}},
		&API{Name: "update_group", Method: "PATCH", Path: "/splitwise/groups/{group_id}", Auth: true,
			Description: "Rename a group.", Params: []Param{groupID, opt("name", "string", nil, "The new name.")},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				return map[string]any{"message": "Group updated."}, c.patch("expense_groups", c.int("group_id"), "name")
			}},
		&API{Name: "show_groups_balance", Method: "GET", Path: "/splitwise/groups_balance", Auth: true,
			Description: "Your net balance in each of your groups: positive means the group owes you.",
			Success:     []any{map[string]any{"group_id": 1, "name": "string", "balance": 1.0}},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT g.id AS group_id, g.name, `+myBalance+` AS balance FROM expense_groups g JOIN expense_members m ON m.group_id=g.id AND m.person_id=? ORDER BY g.id`, c.user)
				for _, r := range rs {
					r["balance"] = round2(toFloat(r["balance"]))
				}
				return rs, err
			}},
		&API{Name: "show_group_payments", Method: "GET", Path: "/splitwise/groups/{group_id}/payments", Auth: true,
			Description: "List a group's payments, oldest first.", Params: append([]Param{groupID}, paging()...),
			Success: []any{map[string]any{"payment_id": 1, "payer_email": "string", "receiver_email": "string", "amount": 1.0, "description": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				if err := c.member(c.int("group_id")); err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT s.id AS payment_id, a.email AS payer_email, b.email AS receiver_email, s.amount, s.note AS description, s.created_at FROM settlements s
					JOIN people a ON a.id=s.payer_id JOIN people b ON b.id=s.payee_id WHERE s.group_id=? ORDER BY s.id`, c.int("group_id"))
				return c.page(rs), err
			}},
	)...)
}

// myBalance is the caller's (m.person_id's) net balance in group m.group_id.
const myBalance = `(COALESCE((SELECT SUM(amount) FROM expenses WHERE group_id=m.group_id AND paid_by=m.person_id),0)
	- COALESCE((SELECT SUM(s.amount) FROM expense_shares s JOIN expenses e ON e.id=s.expense_id WHERE e.group_id=m.group_id AND s.person_id=m.person_id),0)
	+ COALESCE((SELECT SUM(amount) FROM settlements WHERE group_id=m.group_id AND payer_id=m.person_id),0)
	- COALESCE((SELECT SUM(amount) FROM settlements WHERE group_id=m.group_id AND payee_id=m.person_id),0))`

func (c *Call) payment(id int64) (Row, error) {
	return c.one("Payment", `SELECT s.id AS payment_id, s.group_id, a.email AS payer_email, b.email AS receiver_email, s.amount, s.note AS description, s.created_at FROM settlements s
		JOIN people a ON a.id=s.payer_id JOIN people b ON b.id=s.payee_id JOIN expense_members m ON m.group_id=s.group_id AND m.person_id=? WHERE s.id=?`, c.user, id)
}

func (c *Call) groupMember(group int64, email string) (int64, error) {
	r, err := c.rows(`SELECT p.id FROM people p JOIN expense_members m ON m.person_id=p.id WHERE m.group_id=? AND lower(p.email)=lower(?)`, group, strings.TrimSpace(email))
	if err != nil {
		return 0, err
	}
	if len(r) == 0 {
		return 0, failf(404, "%s is not a member of this group.", email)
	}
	return r[0]["id"].(int64), nil
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}
