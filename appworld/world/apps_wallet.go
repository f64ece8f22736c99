package world

import "strings"

func (c *Call) balance(person int64) (float64, error) {
	r, err := c.one("Wallet", `SELECT balance FROM wallets WHERE person_id=?`, person)
	if err != nil {
		return 0, err
	}
	return toFloat(r["balance"]), nil
}

// transfer moves money between wallets and records the transaction.
func (c *Call) transfer(from, to int64, amount float64, desc string) (int64, error) {
	if amount <= 0 {
		return 0, failf(422, "amount must be > 0.")
	}
	if from == to {
		return 0, failf(422, "You cannot send money to yourself.")
	}
	bal, err := c.balance(from)
	if err != nil {
		return 0, err
	}
	if bal < amount {
		return 0, failf(422, "Insufficient balance: %.2f.", bal)
	}
	if _, err := c.balance(to); err != nil {
		return 0, err
	}
	if _, err := c.exec(`UPDATE wallets SET balance=round(balance-?,2) WHERE person_id=?`, amount, from); err != nil {
		return 0, err
	}
	if _, err := c.exec(`UPDATE wallets SET balance=round(balance+?,2) WHERE person_id=?`, amount, to); err != nil {
		return 0, err
	}
	return c.insert(`INSERT INTO wallet_transactions(sender_id, receiver_id, amount, description, created_at) VALUES(?,?,?,?,?)`, from, to, amount, desc, c.now())
}

func (c *Call) request(id int64, role string) (Row, error) {
	col := map[string]string{"payer": "payer_id", "requester": "requester_id"}[role]
	return c.one("Payment request", `SELECT id, requester_id, payer_id, amount, description, status FROM payment_requests WHERE id=? AND `+col+`=?`, id, c.user)
}

func (c *Call) settleRequest(role, status string) (any, error) {
	r, err := c.request(c.int("payment_request_id"), role)
	if err != nil {
		return nil, err
	}
	if r["status"] != "pending" {
		return nil, failf(409, "The request is already %s.", r["status"])
	}
	if status == "approved" {
		if _, err := c.transfer(c.user, r["requester_id"].(int64), toFloat(r["amount"]), r["description"].(string)); err != nil {
			return nil, err
		}
	}
	if status == "deleted" {
		_, err = c.exec(`DELETE FROM payment_requests WHERE id=?`, r["id"])
	} else {
		_, err = c.exec(`UPDATE payment_requests SET status=?, updated_at=? WHERE id=?`, status, c.now(), r["id"])
	}
	return map[string]any{"message": "Payment request " + status + "."}, err
}

const transactionCols = `SELECT t.id AS transaction_id, a.email AS sender_email, b.email AS receiver_email, t.amount, t.description, t.created_at FROM wallet_transactions t
	JOIN people a ON a.id=t.sender_id JOIN people b ON b.id=t.receiver_id`

func showRequests(c *Call, col string) (any, error) {
	st := c.str("status")
	if st != "" && st != "pending" && st != "approved" && st != "denied" {
		return nil, failf(422, "status must be 'pending', 'approved' or 'denied'.")
	}
	q := `SELECT r.id AS payment_request_id, a.email AS sender_email, b.email AS receiver_email, r.amount, r.description, r.status, r.created_at FROM payment_requests r
		JOIN people a ON a.id=r.requester_id JOIN people b ON b.id=r.payer_id WHERE ` + col + `=? AND (?='' OR r.status=?) AND lower(r.description) LIKE ? ORDER BY r.created_at DESC, r.id DESC`
	rs, err := c.rows(q, c.user, st, st, like(c.str("query")))
	return c.page(rs), err
}

func init() {
	reqID := p("payment_request_id", "integer", "The payment request's id.")
	reqFilters := append([]Param{opt("query", "string", "", "Text to match in the description."),
		{Name: "status", Type: "string", Description: "Only requests in this status.", Constraints: []string{"value in ['pending', 'approved', 'denied']"}}}, paging()...)
	reqSchema := []any{map[string]any{"payment_request_id": 1, "sender_email": "string", "receiver_email": "string", "amount": 1.0, "description": "string", "status": "string", "created_at": "string"}}
	register("venmo", "The venmo app: a money balance, transactions between people and payment requests.", append(accountAPIs("venmo"),
		searchUsersAPI("venmo"),
		&API{Name: "show_venmo_balance", Method: "GET", Path: "/venmo/balance", Auth: true,
			Description: "Show your venmo balance.", Success: map[string]any{"venmo_balance": 1.0},
			handler: func(c *Call) (any, error) {
				b, err := c.balance(c.user)
				return map[string]any{"venmo_balance": b}, err
			}},
		&API{Name: "show_transactions", Method: "GET", Path: "/venmo/transactions", Auth: true,
			Description: "List your transactions, newest first; direction 'sent' or 'received' and user_email (the other party) filter them.",
			Params: append([]Param{opt("query", "string", "", "Text to match in the description."), opt("user_email", "string", nil, "Only transactions with this person."),
				{Name: "direction", Type: "string", Description: "Only sent or received transactions.", Constraints: []string{"value in ['sent', 'received']"}}}, paging()...),
			Success: []any{map[string]any{"transaction_id": 1, "sender_email": "string", "receiver_email": "string", "amount": 1.0, "description": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				q := transactionCols + ` WHERE lower(t.description) LIKE ?2 AND `
				switch c.str("direction") {
				case "sent":
					q += `t.sender_id=?1`
				case "received":
					q += `t.receiver_id=?1`
				case "":
					q += `(t.sender_id=?1 OR t.receiver_id=?1)`
				default:
					return nil, failf(422, "direction must be 'sent' or 'received'.")
				}
				if c.has("user_email") {
					q += ` AND (lower(a.email)=lower(?3) OR lower(b.email)=lower(?3))`
				}
				rs, err := c.rows(q+` ORDER BY t.created_at DESC, t.id DESC`, c.user, like(c.str("query")), strings.TrimSpace(c.str("user_email")))
				return c.page(rs), err
			}},
		&API{Name: "show_transaction", Method: "GET", Path: "/venmo/transactions/{transaction_id}", Auth: true,
			Description: "Show one of your transactions.", Params: []Param{p("transaction_id", "integer", "The transaction's id.")},
			handler: func(c *Call) (any, error) {
				return c.one("Transaction", transactionCols+` WHERE t.id=? AND (t.sender_id=? OR t.receiver_id=?)`, c.int("transaction_id"), c.user, c.user)
			}},
		&API{Name: "create_transaction", Method: "POST", Path: "/venmo/transactions", Auth: true,
			Description: "Send money from your venmo balance to another person.",
			Params:      []Param{p("receiver_email", "string", "The receiver's e-mail."), p("amount", "number", "How much, > 0."), opt("description", "string", "", "What it is for.")},
			Success:     map[string]any{"message": "string", "transaction_id": 1},
			handler: func(c *Call) (any, error) {
				to, err := c.personByEmail(c.str("receiver_email"))
				if err != nil {
					return nil, err
				}
				id, err := c.transfer(c.user, to, round2(c.num("amount")), c.str("description"))
				return map[string]any{"message": "Sent money.", "transaction_id": id}, err
			}},
		&API{Name: "create_payment_request", Method: "POST", Path: "/venmo/payment_requests", Auth: true,
			Description: "Ask another person to pay you.",
			Params:      []Param{p("user_email", "string", "Who should pay."), p("amount", "number", "How much, > 0."), opt("description", "string", "", "What it is for.")},
			Success:     map[string]any{"message": "string", "payment_request_id": 1},
			handler: func(c *Call) (any, error) {
				payer, err := c.personByEmail(c.str("user_email"))
				if err != nil {
					return nil, err
				}
				if c.num("amount") <= 0 || payer == c.user {
					return nil, failf(422, "amount must be > 0 and the payer someone else.")
				}
				id, err := c.insert(`INSERT INTO payment_requests(requester_id, payer_id, amount, description, status, created_at, updated_at) VALUES(?,?,?,?,'pending',?,?)`,
					c.user, payer, round2(c.num("amount")), c.str("description"), c.now(), c.now())
				return map[string]any{"message": "Payment request created.", "payment_request_id": id}, err
			}},
		&API{Name: "show_received_payment_requests", Method: "GET", Path: "/venmo/payment_requests/received", Auth: true,
			Description: "List the payment requests others sent you, newest first, optionally by status.",
			Params:      reqFilters, Success: reqSchema,
			handler: func(c *Call) (any, error) { return showRequests(c, "r.payer_id") }},
		&API{Name: "show_sent_payment_requests", Method: "GET", Path: "/venmo/payment_requests/sent", Auth: true,
			Description: "List the payment requests you sent, newest first, optionally by status.",
			Params:      reqFilters, Success: reqSchema,
			handler: func(c *Call) (any, error) { return showRequests(c, "r.requester_id") }},
		&API{Name: "update_transaction", Method: "PATCH", Path: "/venmo/transactions/{transaction_id}", Auth: true,
			Description: "Change the description of a transaction you sent.",
			Params:      []Param{p("transaction_id", "integer", "The transaction's id."), opt("description", "string", nil, "The new description.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.one("Transaction", `SELECT id FROM wallet_transactions WHERE id=? AND sender_id=?`, c.int("transaction_id"), c.user); err != nil {
					return nil, err
				}
				return map[string]any{"message": "Transaction updated."}, c.patch("wallet_transactions", c.int("transaction_id"), "description")
			}},
		&API{Name: "update_payment_request", Method: "PATCH", Path: "/venmo/payment_requests/{payment_request_id}", Auth: true,
			Description: "Change the amount or description of a pending request you sent.",
			Params:      []Param{reqID, opt("amount", "number", nil, "The new amount, > 0."), opt("description", "string", nil, "The new description.")},
			handler: func(c *Call) (any, error) {
				r, err := c.request(c.int("payment_request_id"), "requester")
				if err != nil {
					return nil, err
				}
				if r["status"] != "pending" {
					return nil, failf(409, "The request is already %s.", r["status"])
				}
				if c.has("amount") {
					if c.num("amount") <= 0 {
						return nil, failf(422, "amount must be > 0.")
					}
					c.args["amount"] = round2(c.num("amount"))
				}
				if err := c.patch("payment_requests", c.int("payment_request_id"), "amount", "description"); err != nil {
					return nil, err
				}
				_, err = c.exec(`UPDATE payment_requests SET updated_at=? WHERE id=?`, c.now(), c.int("payment_request_id"))
				return map[string]any{"message": "Payment request updated."}, err
			}},
		&API{Name: "remind_payment_request", Method: "POST", Path: "/venmo/payment_requests/{payment_request_id}/remind", Auth: true,
			Description: "Remind the payer of a pending request you sent.", Params: []Param{reqID},
			handler: func(c *Call) (any, error) {
				r, err := c.request(c.int("payment_request_id"), "requester")
				if err != nil {
					return nil, err
				}
				if r["status"] != "pending" {
					return nil, failf(409, "The request is already %s.", r["status"])
				}
				return map[string]any{"message": "Reminder sent."}, nil
			}},
		&API{Name: "approve_payment_request", Method: "POST", Path: "/venmo/payment_requests/{payment_request_id}/approve", Auth: true,
			Description: "Pay a pending request made to you from your venmo balance.", Params: []Param{reqID},
			handler: func(c *Call) (any, error) { return c.settleRequest("payer", "approved") }},
		&API{Name: "deny_payment_request", Method: "POST", Path: "/venmo/payment_requests/{payment_request_id}/deny", Auth: true,
			Description: "Deny a pending request made to you.", Params: []Param{reqID},
			handler: func(c *Call) (any, error) { return c.settleRequest("payer", "denied") }},
		&API{Name: "delete_payment_request", Method: "DELETE", Path: "/venmo/payment_requests/{payment_request_id}", Auth: true,
			Description: "Delete a pending request you sent.", Params: []Param{reqID},
			handler: func(c *Call) (any, error) { return c.settleRequest("requester", "deleted") }},
	)...)
}
