package tasks

import (
	"strings"
)

// The challenge scenarios all use the venmo app, which no train, dev or
// test_normal scenario uses.
func init() {
	add(
		&Scenario{Name: "wallet_send_contact", Split: "test_challenge", Apps: []string{"phone", "venmo"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				o := s.Other(14)
				s.B.AddContact(s.Sup, o, "friend", s.At(20, 0))
				s.B.SetBalance(s.Sup, 500)
				amount := float64(10 + s.R.IntN(90))
				desc := []string{"Concert ticket", "Birthday gift", "Taxi home"}[s.Variant-1]
				return Variant{
					Instruction: f("Send $%.2f to my contact %s on venmo with the description %q.", amount, o.Name(), desc),
					Solution: []string{f(`apis.venmo.create_transaction(access_token=tokens["venmo"], receiver_email=find_contact(%q)["email"], amount=%v, description=%q)
apis.supervisor.complete_task()`, o.Name(), amount, desc)},
					Check: func(c *Check) {
						c.OnlyTables("wallet_transactions", "wallets")
						a := c.Added("wallet_transactions")
						c.Require("one transaction to the contact with amount and description", len(a) == 1 && a[0]["sender_id"] == s.Sup.ID && a[0]["receiver_id"] == o.ID &&
							Num(a[0], "amount") == amount && Str(a[0], "description") == desc, "added %v", a)
						c.Require("exactly the two wallets changed", len(c.Updated("wallets")) == 2, "updated %d", len(c.Updated("wallets")))
						b := c.Query(`SELECT balance FROM wallets WHERE person_id=?`, s.Sup.ID)
						c.Require("the supervisor's balance dropped by the amount", len(b) == 1 && abs(Num(b[0], "balance")-(500-amount)) < 0.005, "balance %v", b)
					}}
			}},
		&Scenario{Name: "wallet_approve_from", Split: "test_challenge", Apps: []string{"phone", "venmo"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				o := s.Other(15)
				s.B.AddContact(s.Sup, o, "sibling", s.At(20, 0))
				s.B.SetBalance(s.Sup, 1000)
				var ids []int64
				for i := range 1 + s.Variant {
					ids = append(ids, s.B.AddRequest(o, s.Sup, float64(10*(i+1)), f("Share %d", i+1), "pending", s.At(3, i)))
				}
				s.B.AddRequest(o, s.Sup, 99, "Old", "denied", s.At(9, 0))
				s.B.AddRequest(s.Other(16), s.Sup, 42, "Someone else", "pending", s.At(2, 0))
				return Variant{
					Instruction: f("Approve every pending venmo payment request that %s sent me.", o.Name()),
					Solution: []string{f(`email = find_contact(%q)["email"]
for r in all_pages(apis.venmo.show_received_payment_requests, access_token=tokens["venmo"], status="pending"):
    if r["sender_email"] == email:
        apis.venmo.approve_payment_request(access_token=tokens["venmo"], payment_request_id=r["payment_request_id"])
apis.supervisor.complete_task()`, o.Name())},
					Check: func(c *Check) {
						c.OnlyTables("payment_requests", "wallet_transactions", "wallets")
						rows, only := UpdatedIDs(c.Updated("payment_requests"), "status", "updated_at")
						ok := SameIDs(rows, ids) && only
						for _, r := range rows {
							ok = ok && Str(r, "status") == "approved"
						}
						c.Require("exactly that person's pending requests are approved", ok, "updated %v", rows)
						c.Count("added", "wallet_transactions", len(ids))
					}}
			}},
		&Scenario{Name: "wallet_balance", Split: "test_challenge", Apps: []string{"venmo"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				bal := float64(100+s.R.IntN(5000)) + 0.25*float64(s.Variant)
				s.B.SetBalance(s.Sup, bal)
				return Variant{
					Instruction: "What is my venmo balance? Answer with a number.",
					Solution:    []string{`apis.supervisor.complete_task(answer=apis.venmo.show_venmo_balance(access_token=tokens["venmo"])["venmo_balance"])`},
					Check:       func(c *Check) { c.NoChanges(); c.Answer(bal) }}
			}},
		&Scenario{Name: "wallet_settle_group", Split: "test_challenge", Apps: []string{"splitwise", "venmo"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				name := []string{"Sailing club", "Dinner duo", "Tennis pair"}[s.Variant-1]
				o := s.Other(17)
				g := s.B.AddGroup(name, []world_Person{s.Sup, o}, s.At(20, 0))
				amt := float64(20+2*s.R.IntN(100)) + 0.5
				s.B.AddExpense(g, "Booking", amt, o, []world_Person{s.Sup, o}, s.At(10, 0))
				s.B.SetBalance(s.Sup, 1000)
				owe := split2(amt)
				return Variant{
					Instruction: f("In my splitwise group %q I owe the other member money. Pay them exactly what I owe on venmo, then record the payment on splitwise.", name),
					Solution: []string{f(`g = [g for g in all_pages(apis.splitwise.show_groups, access_token=tokens["splitwise"]) if g["name"] == %q][0]
bals = apis.splitwise.show_group_balance(access_token=tokens["splitwise"], group_id=g["group_id"])
me = [b for b in bals if b["email"] == profile["email"]][0]
other = [b for b in bals if b["email"] != profile["email"]][0]`, name), `apis.venmo.create_transaction(access_token=tokens["venmo"], receiver_email=other["email"], amount=-me["balance"])
apis.splitwise.record_payment(access_token=tokens["splitwise"], group_id=g["group_id"], payer_email=profile["email"], receiver_email=other["email"], amount=-me["balance"])
apis.supervisor.complete_task()`},
					Check: func(c *Check) {
						c.OnlyTables("settlements", "wallet_transactions", "wallets")
						t := c.Added("wallet_transactions")
						c.Require("one wallet payment of the amount owed to the member", len(t) == 1 && t[0]["receiver_id"] == o.ID && abs(Num(t[0], "amount")-owe) < 0.005, "added %v", t)
						st := c.Added("settlements")
						c.Require("one settlement of the amount in the group", len(st) == 1 && st[0]["group_id"] == g && st[0]["payee_id"] == o.ID && abs(Num(st[0], "amount")-owe) < 0.005, "added %v", st)
					}}
			}},
		&Scenario{Name: "wallet_request_housemates", Split: "test_challenge", Apps: []string{"phone", "venmo"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				rel := []string{"housemate", "flatmate", "lodger"}[s.Variant-1]
				var ids []int64
				for i := range 2 + s.Variant%2 {
					o := s.Other(18 + i)
					s.B.AddContact(s.Sup, o, rel, s.At(30, i))
					ids = append(ids, o.ID)
				}
				amount := float64(100 + 25*s.R.IntN(20))
				return Variant{
					Instruction: f("Request $%.2f with the description 'Rent' on venmo from each of my contacts whose relationship is %s.", amount, rel),
					Solution: []string{f(`for c in all_pages(apis.phone.search_contacts, access_token=tokens["phone"], relationship=%q):
    apis.venmo.create_payment_request(access_token=tokens["venmo"], user_email=c["email"], amount=%v, description="Rent")
apis.supervisor.complete_task()`, rel, amount)},
					Check: func(c *Check) {
						c.OnlyTables("payment_requests")
						got := map[int64]bool{}
						ok := true
						for _, r := range c.Added("payment_requests") {
							got[r["payer_id"].(int64)] = true
							ok = ok && r["requester_id"] == s.Sup.ID && Num(r, "amount") == amount && Str(r, "description") == "Rent" && Str(r, "status") == "pending"
						}
						all := len(got) == len(ids) && len(c.Added("payment_requests")) == len(ids)
						for _, id := range ids {
							all = all && got[id]
						}
						c.Require("one request per "+rel, all, "payers %v", got)
						c.Require("the requests have the amount and description", ok, "wrong fields")
					}}
			}},
		&Scenario{Name: "wallet_decline_large", Split: "test_challenge", Apps: []string{"venmo"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				limit := float64(100 * s.Variant)
				var big []int64
				for i := range 4 {
					amt := limit - 30 + float64(20*i)
					id := s.B.AddRequest(s.Other(20+i), s.Sup, amt, f("Request %d", i), "pending", s.At(2, i))
					if amt > limit {
						big = append(big, id)
					}
				}
				return Variant{
					Instruction: f("Decline every pending venmo payment request to me for more than $%.0f.", limit),
					Solution: []string{f(`for r in all_pages(apis.venmo.show_received_payment_requests, access_token=tokens["venmo"], status="pending"):
    if r["amount"] > %v:
        apis.venmo.deny_payment_request(access_token=tokens["venmo"], payment_request_id=r["payment_request_id"])
apis.supervisor.complete_task()`, limit)},
					Check: func(c *Check) {
						c.OnlyTables("payment_requests")
						rows, only := UpdatedIDs(c.Updated("payment_requests"), "status", "updated_at")
						ok := SameIDs(rows, big) && only
						for _, r := range rows {
							ok = ok && Str(r, "status") == "denied"
						}
						c.Require("exactly the large pending requests are declined", ok, "updated %v", rows)
					}}
			}},
		&Scenario{Name: "wallet_log_note", Split: "test_challenge", Apps: []string{"venmo", "simple_note"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				o := s.B.AddPerson("Tobin", []string{"Quayle", "Ferrante", "Alcott"}[s.Variant-1])
				var amounts []string
				for i := range 2 + s.Variant {
					amt := float64(5 + 7*i)
					s.B.AddTransaction(o, s.Sup, amt, "thanks", s.At(10-i, 0))
					amounts = append([]string{f("%.2f", amt)}, amounts...)
				}
				return Variant{
					Instruction: f("Create a note titled 'Wallet log' listing the amounts I received from %s (%s) on venmo, newest first, one per line, each with two decimals.", o.Name(), o.Email),
					Solution: []string{f(`got = [t for t in all_pages(apis.venmo.show_transactions, access_token=tokens["venmo"], direction="received") if t["sender_email"] == %q]`, o.Email),
						`apis.simple_note.create_note(access_token=tokens["simple_note"], title="Wallet log", content="\n".join("%.2f" % t["amount"] for t in got))
apis.supervisor.complete_task()`},
					Check: func(c *Check) {
						c.OnlyTables("notes")
						a := c.Added("notes")
						c.Require("the note lists the amounts newest first", len(a) == 1 && Str(a[0], "title") == "Wallet log" && Str(a[0], "content") == strings.Join(amounts, "\n"), "added %v", a)
					}}
			}},
		&Scenario{Name: "wallet_reminder_tasks", Split: "test_challenge", Apps: []string{"venmo", "todoist"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				var want []string
				for i := range 1 + s.Variant {
					o := s.Other(24 + i)
					amt := float64(15 * (i + 1))
					s.B.AddRequest(s.Sup, o, amt, "Tickets", "pending", s.At(4, i))
					want = append(want, f("Remind %s to pay $%.2f", o.FirstName, amt))
				}
				s.B.AddRequest(s.Sup, s.Other(30), 77, "Paid already", "approved", s.At(8, 0))
				return Variant{
					Instruction: "Create a to-do project named 'Money' and, for each pending venmo payment request I sent, add a task to it titled 'Remind <first name> to pay $<amount with two decimals>'.",
					Solution: []string{`pid = apis.todoist.create_project(access_token=tokens["todoist"], name="Money")["project_id"]
reqs = all_pages(apis.venmo.show_sent_payment_requests, access_token=tokens["venmo"], status="pending")`,
						`for r in reqs:
    who = r["receiver_email"].split("@")[0].split(".")[0].capitalize()
    apis.todoist.create_task(access_token=tokens["todoist"], project_id=pid, title="Remind %s to pay $%.2f" % (who, r["amount"]))
apis.supervisor.complete_task()`},
					Check: func(c *Check) {
						c.OnlyTables("todo_projects", "todo_tasks")
						p := c.Added("todo_projects")
						c.Require("the Money project is created", len(p) == 1 && Str(p[0], "name") == "Money", "added %v", p)
						got := map[string]bool{}
						ok := true
						for _, t := range c.Added("todo_tasks") {
							got[Str(t, "title")] = true
							ok = ok && len(p) == 1 && t["project_id"] == p[0]["id"]
						}
						all := len(got) == len(want) && len(c.Added("todo_tasks")) == len(want)
						for _, w := range want {
							all = all && got[w]
						}
						c.Require("one reminder task per pending request", all, "tasks %v", got)
						c.Require("the tasks are in the Money project", ok, "wrong project")
					}}
			}},
	)
}

// split2 is the first share of an amount split equally in cents between two.
func split2(amount float64) float64 {
	cents := int64(amount*100 + 0.5)
	return float64(cents/2+cents%2) / 100
}
