package tasks

import (
	"fmt"
	"strings"
)

var f = fmt.Sprintf

var (
	items     = []string{"oat milk", "basil", "lemons", "rye bread", "coffee beans", "eggs", "spinach", "olive oil", "rice", "honey"}
	codeWords = []string{"MAPLE", "HARBOR", "COMET", "THISTLE", "QUARTZ", "LANTERN"}
)

func pickN(s *Setup, list []string, n int) []string {
	idx := s.R.Perm(len(list))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

func pyList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = f("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func init() {
	add(
		&Scenario{Name: "notes_create_list", Split: "train", Apps: []string{"simple_note"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				what := []string{"market", "picnic", "camping trip"}[s.Variant-1]
				list := pickN(s, items, 3+s.Variant%2)
				title := "Shopping for " + what
				return Variant{
					Instruction: f("Create a note titled %q listing %s, one item per line, tagged 'shopping'.", title, strings.Join(list, ", ")),
					Solution: []string{f(`apis.simple_note.create_note(access_token=tokens["simple_note"], title=%q, content="\n".join(%s), tags=["shopping"])
apis.supervisor.complete_task()`, title, pyList(list))},
					Check: func(c *Check) {
						c.OnlyTables("notes")
						c.Count("added", "notes", 1)
						if a := c.Added("notes"); len(a) == 1 {
							c.Require("the note has the title", Str(a[0], "title") == title, "title %q", Str(a[0], "title"))
							c.Require("the note lists the items one per line", Str(a[0], "content") == strings.Join(list, "\n"), "content %q", Str(a[0], "content"))
							c.Require("the note is tagged shopping", Str(a[0], "tags") == "shopping", "tags %q", Str(a[0], "tags"))
							c.Require("the note belongs to the supervisor", a[0]["owner_id"] == s.Sup.ID, "owner %v", a[0]["owner_id"])
						}
					}}
			}},
		&Scenario{Name: "notes_count_tag", Split: "train", Apps: []string{"simple_note"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				tag := []string{"recipes", "poems", "dreams"}[s.Variant-1]
				n := 2 + s.R.IntN(4)
				for i := range n {
					s.B.AddNote(s.Sup, f("%s #%d", strings.ToUpper(tag[:1])+tag[1:], i+1), "...", tag+",personal", false, s.At(3+i, 0))
				}
				s.B.AddNote(s.Other(0), "Not mine", "...", tag, false, s.At(2, 0))
				return Variant{
					Instruction: f("How many of my notes are tagged %q?", tag),
					Solution: []string{f(`notes = all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], tags=[%q])
apis.supervisor.complete_task(answer=len(notes))`, tag)},
					Check: func(c *Check) { c.NoChanges(); c.Answer(n) }}
			}},
		&Scenario{Name: "notes_delete_drafts", Split: "train", Apps: []string{"simple_note"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				var ids []int64
				for i := range 1 + s.Variant {
					ids = append(ids, s.B.AddNote(s.Sup, f("Draft %d of the speech", i+1), "...", "work", false, s.At(5+i, 0)))
				}
				s.B.AddNote(s.Sup, "Final speech", "draft history kept elsewhere", "work", false, s.At(1, 0))
				return Variant{
					Instruction: "Delete all my notes whose title contains the word 'Draft'.",
					Solution: []string{`for n in all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], query="draft"):
    if "draft" in n["title"].lower():
        apis.simple_note.delete_note(access_token=tokens["simple_note"], note_id=n["note_id"])
apis.supervisor.complete_task()`},
					Check: func(c *Check) {
						c.OnlyTables("notes")
						c.Require("exactly the draft notes are deleted", SameIDs(c.Removed("notes"), ids), "removed %d note(s)", len(c.Removed("notes")))
						c.Count("added", "notes", 0)
						c.Count("updated", "notes", 0)
					}}
			}},
		&Scenario{Name: "phone_add_contact", Split: "train", Apps: []string{"phone"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				first := []string{"Odalys", "Perrin", "Quill"}[s.Variant-1]
				last := []string{"Marsh", "Fenwick", "Arden"}[s.Variant-1]
				phone := f("55590%05d", 100+s.R.IntN(90000))
				rel := []string{"coworker", "neighbor", "friend"}[s.Variant-1]
				email := strings.ToLower(first) + "@post.example"
				return Variant{
					Instruction: f("Add %s %s to my phone contacts as a %s: phone number %s, e-mail %s.", first, last, rel, phone, email),
					Solution: []string{f(`apis.phone.add_contact(access_token=tokens["phone"], first_name=%q, last_name=%q, phone_number=%q, email=%q, relationships=[%q])
apis.supervisor.complete_task()`, first, last, phone, email, rel)},
					Check: func(c *Check) {
						c.OnlyTables("contacts")
						c.Count("added", "contacts", 1)
						if a := c.Added("contacts"); len(a) == 1 {
							r := a[0]
							c.Require("the contact has the given details", Str(r, "first_name") == first && Str(r, "last_name") == last && Str(r, "phone_number") == phone &&
								Str(r, "email") == email && Str(r, "relationship") == rel && r["owner_id"] == s.Sup.ID, "contact %v", r)
						}
					}}
			}},
		&Scenario{Name: "phone_text_relationship", Split: "train", Apps: []string{"phone"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				rel := []string{"cousin", "teammate", "classmate"}[s.Variant-1]
				n := 2 + s.Variant%2
				var nums []string
				for i := range n {
					o := s.Other(i)
					s.B.AddContact(s.Sup, o, rel, s.At(10, i))
					nums = append(nums, o.Phone)
				}
				msg := []string{"Family dinner moved to Sunday at 6.", "Practice is cancelled tonight.", "Reunion photos are online!"}[s.Variant-1]
				return Variant{
					Instruction: f("Send the text message %q to every contact of mine whose relationship is %s.", msg, rel),
					Solution: []string{f(`for c in all_pages(apis.phone.search_contacts, access_token=tokens["phone"], relationship=%q):
    apis.phone.send_text_message(access_token=tokens["phone"], phone_number=c["phone_number"], message=%q)
apis.supervisor.complete_task()`, rel, msg)},
					Check: func(c *Check) {
						c.OnlyTables("text_messages")
						c.Count("added", "text_messages", n)
						got := map[string]bool{}
						okText := true
						for _, r := range c.Added("text_messages") {
							got[Str(r, "receiver_number")] = true
							okText = okText && Str(r, "message") == msg && Str(r, "sender_number") == s.Sup.Phone
						}
						all := len(got) == n
						for _, p := range nums {
							all = all && got[p]
						}
						c.Require("every "+rel+" got one message", all, "receivers %v", got)
						c.Require("the messages have the text and come from the supervisor", okText, "wrong text or sender")
					}}
			}},
		&Scenario{Name: "phone_count_unread", Split: "train", Apps: []string{"phone"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				o := s.Other(1)
				s.B.AddContact(s.Sup, o, "friend", s.At(40, 0))
				n := 2 + s.R.IntN(4)
				for i := range n {
					s.B.AddMessage(o, s.Sup, f("Ping %d", i+1), s.At(1, i), false)
				}
				s.B.AddMessage(o, s.Sup, "Old news", s.At(2, 0), true)
				return Variant{
					Instruction: f("How many unread text messages do I have from %s?", o.Name()),
					Solution: []string{f(`c = find_contact(%q)
msgs = all_pages(apis.phone.search_text_messages, access_token=tokens["phone"], phone_number=c["phone_number"])
apis.supervisor.complete_task(answer=len([m for m in msgs if m["sender_number"] == c["phone_number"] and not m["is_read"]]))`, o.Name())},
					Check: func(c *Check) { c.NoChanges(); c.Answer(n) }}
			}},
		&Scenario{Name: "todo_create_task", Split: "train", Apps: []string{"todoist"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				title := []string{"Submit expense report", "Order birthday cake", "Renew passport"}[s.Variant-1]
				due := world_day(3 + s.Variant)
				return Variant{
					Instruction: f("Add a to-do task %q due %s with high priority to my Work project.", title, due),
					Solution: []string{f(`work = [p for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"]) if p["name"] == "Work"][0]
apis.todoist.create_task(access_token=tokens["todoist"], project_id=work["project_id"], title=%q, due_date=%q, priority="high")
apis.supervisor.complete_task()`, title, due)},
					Check: func(c *Check) {
						c.OnlyTables("todo_tasks")
						c.Count("added", "todo_tasks", 1)
						if a := c.Added("todo_tasks"); len(a) == 1 {
							proj := c.Query(`SELECT name FROM todo_projects WHERE id=?`, a[0]["project_id"])
							c.Require("the task is in the Work project", len(proj) == 1 && Str(proj[0], "name") == "Work", "project %v", proj)
							c.Require("the task has the title, due date and high priority", Str(a[0], "title") == title && Str(a[0], "due_date") == due && Num(a[0], "priority") == 1, "task %v", a[0])
						}
					}}
			}},
		&Scenario{Name: "todo_complete_overdue", Split: "train", Apps: []string{"todoist"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				proj := s.B.AddProject(s.Sup, "Errands", s.At(30, 0))
				var ids []int64
				for i := range 1 + s.Variant {
					ids = append(ids, s.B.AddTask(s.Sup, proj, f("Overdue chore %d", i+1), world_day(-2-i), 2, false, s.At(20, i)))
				}
				s.B.AddTask(s.Sup, proj, "Already done", world_day(-5), 2, true, s.At(20, 9))
				return Variant{
					Instruction: "Mark all my open to-do tasks that were due before today as completed.",
					Solution: []string{f(`for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"]):
    for t in apis.todoist.show_tasks(access_token=tokens["todoist"], project_id=p["project_id"], is_completed=False, max_due_date=%q):
        apis.todoist.update_task(access_token=tokens["todoist"], task_id=t["task_id"], is_completed=True)
apis.supervisor.complete_task()`, world_day(-1))},
					Check: func(c *Check) {
						c.OnlyTables("todo_tasks")
						rows, only := UpdatedIDs(c.Updated("todo_tasks"), "completed", "completed_at")
						c.Require("exactly the overdue open tasks are updated", SameIDs(rows, ids), "updated %d task(s)", len(rows))
						c.Require("only their completion changed", only, "other columns changed")
						done := true
						for _, r := range rows {
							done = done && Num(r, "completed") == 1
						}
						c.Require("they are completed", done, "not all completed")
					}}
			}},
		&Scenario{Name: "files_create", Split: "train", Apps: []string{"file_system"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				name := []string{"wifi", "locker", "garage"}[s.Variant-1]
				text := f("%s-%04d", codeWords[s.R.IntN(len(codeWords))], s.R.IntN(10000))
				path := "/documents/" + name + ".txt"
				return Variant{
					Instruction: f("Create the file %s containing exactly %q.", path, text),
					Solution: []string{f(`apis.file_system.create_file(access_token=tokens["file_system"], file_path=%q, content=%q)
apis.supervisor.complete_task()`, path, text)},
					Check: func(c *Check) {
						c.OnlyTables("files")
						c.Count("added", "files", 1)
						if a := c.Added("files"); len(a) == 1 {
							c.Require("the file has the path and content", Str(a[0], "path") == path && Str(a[0], "content") == text && a[0]["owner_id"] == s.Sup.ID, "file %v", a[0])
						}
					}}
			}},
		&Scenario{Name: "files_move_downloads", Split: "train", Apps: []string{"file_system"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				dir := "/documents/" + []string{"invoices", "manuals", "tickets"}[s.Variant-1]
				var ids []int64
				for i := range 2 + s.Variant%2 {
					ids = append(ids, s.B.AddFile(s.Sup, f("/downloads/doc%d.pdf.txt", i+1), f("pdf %d", i), s.At(3, i)))
				}
				s.B.AddFile(s.Sup, "/downloads/song.mp3.txt", "music", s.At(3, 9))
				return Variant{
					Instruction: f("Create the directory %s and move every file in /downloads whose name ends with .pdf.txt into it, keeping the names.", dir),
					Solution: []string{f(`fs = tokens["file_system"]
apis.file_system.create_directory(access_token=fs, directory_path=%q)
for p in apis.file_system.show_directory(access_token=fs, directory_path="/downloads"):
    if p.endswith(".pdf.txt"):
        apis.file_system.move_file(access_token=fs, source_file_path=p, destination_file_path=%q + "/" + p.split("/")[-1])
apis.supervisor.complete_task()`, dir, dir)},
					Check: func(c *Check) {
						c.OnlyTables("directories", "files")
						c.Require("the directory is created", len(c.Added("directories")) == 1 && Str(c.Added("directories")[0], "path") == dir, "added %v", c.Added("directories"))
						rows, only := UpdatedIDs(c.Updated("files"), "path", "updated_at")
						c.Require("exactly the pdf files moved", SameIDs(rows, ids), "moved %d file(s)", len(rows))
						ok := only
						for _, r := range rows {
							ok = ok && strings.HasPrefix(Str(r, "path"), dir+"/doc")
						}
						c.Require("they keep their names inside the new directory", ok, "paths %v", rows)
					}}
			}},
		&Scenario{Name: "expenses_add", Split: "train", Apps: []string{"splitwise"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"Ski weekend", "Book club", "Road trip"}[s.Variant-1]
				members := []any{s.Sup, s.Other(0), s.Other(1)}
				if s.Variant == 2 {
					members = append(members, s.Other(2))
				}
				g := s.B.AddGroup(name, persons(members), s.At(20, 0))
				amount := float64(30+s.R.IntN(200)) + 0.5
				desc := []string{"Cabin deposit", "Snacks", "Fuel"}[s.Variant-1]
				return Variant{
					Instruction: f("Add an expense %q of $%.2f that I paid to my splitwise group %q, split equally among all its members.", desc, amount, name),
					Solution: []string{f(`g = [g for g in all_pages(apis.splitwise.show_groups, access_token=tokens["splitwise"]) if g["name"] == %q][0]
members = [m["email"] for m in apis.splitwise.show_group(access_token=tokens["splitwise"], group_id=g["group_id"])["members"]]
apis.splitwise.record_expense(access_token=tokens["splitwise"], group_id=g["group_id"], description=%q, paid_amount=%v, payer_email=profile["email"], debtor_emails=members)
apis.supervisor.complete_task()`, name, desc, amount)},
					Check: func(c *Check) {
						c.OnlyTables("expenses", "expense_shares")
						c.Count("added", "expenses", 1)
						c.Count("added", "expense_shares", len(members))
						if a := c.Added("expenses"); len(a) == 1 {
							c.Require("the expense is in the group, paid by the supervisor, with the amount", a[0]["group_id"] == g && a[0]["paid_by"] == s.Sup.ID &&
								Num(a[0], "amount") == amount && Str(a[0], "description") == desc, "expense %v", a[0])
						}
						sum := 0.0
						for _, r := range c.Added("expense_shares") {
							sum += Num(r, "amount")
						}
						c.Require("the shares add up to the amount", abs(sum-amount) < 0.005, "shares sum to %.2f", sum)
					}}
			}},
		&Scenario{Name: "expenses_my_balance", Split: "train", Apps: []string{"splitwise"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"Flat 4B", "Choir tour", "Beach house"}[s.Variant-1]
				a, b := s.Other(3), s.Other(4)
				members := []any{s.Sup, a, b}
				g := s.B.AddGroup(name, persons(members), s.At(30, 0))
				x := float64(60 + 3*s.R.IntN(40))
				y := float64(30 + 3*s.R.IntN(30))
				s.B.AddExpense(g, "Rent share", x, s.Sup, persons(members), s.At(10, 0))
				s.B.AddExpense(g, "Groceries", y, a, persons(members), s.At(9, 0))
				want := x - x/3 - y/3
				return Variant{
					Instruction: f("What is my net balance in the splitwise group %q? Answer with a number, positive if the group owes me.", name),
					Solution: []string{f(`g = [g for g in all_pages(apis.splitwise.show_groups, access_token=tokens["splitwise"]) if g["name"] == %q][0]
bal = apis.splitwise.show_group_balance(access_token=tokens["splitwise"], group_id=g["group_id"], email=profile["email"])[0]
apis.supervisor.complete_task(answer=bal["balance"])`, name)},
					Check: func(c *Check) { c.NoChanges(); c.Answer(round2(want)) }}
			}},
		&Scenario{Name: "files_read_code", Split: "train", Apps: []string{"file_system"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				name := []string{"alarm_code", "bike_lock", "safe"}[s.Variant-1]
				code := f("%06d", s.R.IntN(1000000))
				s.B.AddFile(s.Sup, "/documents/"+name+".txt", "The code is "+code+".", s.At(50, 0))
				return Variant{
					Instruction: f("What is the code written in my file /documents/%s.txt? Answer with the digits only.", name),
					Solution: []string{f(`text = apis.file_system.show_file(access_token=tokens["file_system"], file_path="/documents/%s.txt")["content"]
apis.supervisor.complete_task(answer=text.split("The code is ")[1].rstrip("."))`, name)},
					Check: func(c *Check) { c.NoChanges(); c.Answer(code) }}
			}},
		&Scenario{Name: "phone_update_email", Split: "train", Apps: []string{"phone"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				o := s.Other(2)
				id := s.B.AddContact(s.Sup, o, "friend", s.At(30, 0))
				email := f("%s.new%d@inbox.example", strings.ToLower(o.FirstName), s.Variant)
				return Variant{
					Instruction: f("Change the e-mail address of my contact %s to %s.", o.Name(), email),
					Solution: []string{f(`c = find_contact(%q)
apis.phone.update_contact(access_token=tokens["phone"], contact_id=c["contact_id"], email=%q)
apis.supervisor.complete_task()`, o.Name(), email)},
					Check: func(c *Check) {
						c.OnlyTables("contacts")
						rows, only := UpdatedIDs(c.Updated("contacts"), "email")
						c.Require("exactly that contact is updated, only its e-mail", SameIDs(rows, []int64{id}) && only, "updated %v", rows)
						c.Require("the e-mail is the new one", len(rows) == 1 && Str(rows[0], "email") == email, "rows %v", rows)
					}}
			}},
	)
}
