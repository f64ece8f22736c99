package tasks

import (
	"strings"
)

func init() {
	add(
		&Scenario{Name: "notes_pin_tag", Split: "dev", Apps: []string{"simple_note"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				tag := []string{"urgent", "keep", "reference"}[s.Variant-1]
				var ids []int64
				for i := range 2 + s.Variant%2 {
					ids = append(ids, s.B.AddNote(s.Sup, f("Item %d", i+1), "...", tag, false, s.At(4, i)))
				}
				s.B.AddNote(s.Sup, "Already pinned", "...", tag, true, s.At(4, 9))
				return Variant{
					Instruction: f("Pin all my notes tagged %q.", tag),
					Solution: []string{f(`for n in all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], tags=[%q], pinned=False):
    apis.simple_note.update_note(access_token=tokens["simple_note"], note_id=n["note_id"], pinned=True)
apis.supervisor.complete_task()`, tag)},
					Check: func(c *Check) {
						c.OnlyTables("notes")
						rows, only := UpdatedIDs(c.Updated("notes"), "pinned")
						c.Require("exactly the unpinned notes with the tag are pinned", SameIDs(rows, ids) && only, "updated %v", rows)
					}}
			}},
		&Scenario{Name: "todo_count_open", Split: "dev", Apps: []string{"todoist"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				name := []string{"Garden", "Thesis", "Wedding"}[s.Variant-1]
				proj := s.B.AddProject(s.Sup, name, s.At(40, 0))
				open := 2 + s.R.IntN(5)
				for i := range open {
					s.B.AddTask(s.Sup, proj, f("Step %d", i+1), "", 3, false, s.At(30, i))
				}
				for i := range 2 {
					s.B.AddTask(s.Sup, proj, f("Done step %d", i+1), "", 3, true, s.At(30, 20+i))
				}
				return Variant{
					Instruction: f("How many open (not completed) tasks are in my to-do project %q?", name),
					Solution: []string{f(`p = [p for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"]) if p["name"] == %q][0]
open_tasks = apis.todoist.show_tasks(access_token=tokens["todoist"], project_id=p["project_id"], is_completed=False)
apis.supervisor.complete_task(answer=len(open_tasks))`, name)},
					Check: func(c *Check) { c.NoChanges(); c.Answer(open) }}
			}},
		&Scenario{Name: "phone_alarm_create", Split: "dev", Apps: []string{"phone"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				hhmm := f("%02d:%02d", 6+s.Variant, 15*s.R.IntN(4))
				label := []string{"Gym", "Meds", "Walk the dog"}[s.Variant-1]
				days := []string{"saturday", "sunday"}
				return Variant{
					Instruction: f("Set an alarm at %s labelled %q that repeats on Saturdays and Sundays.", hhmm, label),
					Solution: []string{f(`apis.phone.create_alarm(access_token=tokens["phone"], time=%q, label=%q, repeat_days=["saturday", "sunday"])
apis.supervisor.complete_task()`, hhmm, label)},
					Check: func(c *Check) {
						c.OnlyTables("alarms")
						c.Count("added", "alarms", 1)
						if a := c.Added("alarms"); len(a) == 1 {
							c.Require("the alarm has the time, label and days", Str(a[0], "time") == hhmm && Str(a[0], "label") == label &&
								Str(a[0], "repeat_days") == strings.Join(days, ",") && Num(a[0], "enabled") == 1 && a[0]["owner_id"] == s.Sup.ID, "alarm %v", a[0])
						}
					}}
			}},
		&Scenario{Name: "files_delete_dir", Split: "dev", Apps: []string{"file_system"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				dir := "/" + []string{"old_taxes", "tmp_scans", "archive_2019"}[s.Variant-1]
				dirs := []int64{s.B.AddDir(s.Sup, dir, s.At(90, 0)), s.B.AddDir(s.Sup, dir+"/inner", s.At(90, 1))}
				files := []int64{s.B.AddFile(s.Sup, dir+"/a.txt", "a", s.At(90, 2)), s.B.AddFile(s.Sup, dir+"/inner/b.txt", "b", s.At(90, 3))}
				s.B.AddFile(s.Sup, "/documents"+dir+"_summary.txt", "keep me", s.At(90, 4))
				return Variant{
					Instruction: f("Delete the directory %s with everything in it.", dir),
					Solution: []string{f(`apis.file_system.delete_directory(access_token=tokens["file_system"], directory_path=%q)
apis.supervisor.complete_task()`, dir)},
					Check: func(c *Check) {
						c.OnlyTables("directories", "files")
						c.Require("exactly the directory and its subdirectory are removed", SameIDs(c.Removed("directories"), dirs), "removed %v", c.Removed("directories"))
						c.Require("exactly the files inside are removed", SameIDs(c.Removed("files"), files), "removed %v", c.Removed("files"))
					}}
			}},
		&Scenario{Name: "expenses_settlement", Split: "dev", Apps: []string{"splitwise"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"Lake cabin", "Pottery class", "Studio rent"}[s.Variant-1]
				o := s.Other(5)
				g := s.B.AddGroup(name, []world_Person{s.Sup, o, s.Other(6)}, s.At(20, 0))
				amount := float64(10 + 5*s.R.IntN(20))
				note := []string{"cabin", "clay", "april"}[s.Variant-1]
				return Variant{
					Instruction: f("In my splitwise group %q, record that I paid %s back $%.2f with the note %q.", name, o.Name(), amount, note),
					Solution: []string{f(`g = [g for g in all_pages(apis.splitwise.show_groups, access_token=tokens["splitwise"]) if g["name"] == %q][0]
m = [m for m in apis.splitwise.show_group(access_token=tokens["splitwise"], group_id=g["group_id"])["members"] if m["first_name"] + " " + m["last_name"] == %q][0]
apis.splitwise.record_payment(access_token=tokens["splitwise"], group_id=g["group_id"], payer_email=profile["email"], receiver_email=m["email"], amount=%v, description=%q)
apis.supervisor.complete_task()`, name, o.Name(), amount, note)},
					Check: func(c *Check) {
						c.OnlyTables("settlements")
						c.Count("added", "settlements", 1)
						if a := c.Added("settlements"); len(a) == 1 {
							c.Require("the settlement is from the supervisor to the member, with amount and note", a[0]["group_id"] == g && a[0]["payer_id"] == s.Sup.ID &&
								a[0]["payee_id"] == o.ID && Num(a[0], "amount") == amount && Str(a[0], "note") == note, "settlement %v", a[0])
						}
					}}
			}},
		&Scenario{Name: "notes_from_messages", Split: "dev", Apps: []string{"phone", "simple_note"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				o := s.B.AddPerson("Wren", []string{"Calloway", "Ostrander", "Pellham"}[s.Variant-1])
				s.B.AddContact(s.Sup, o, "friend", s.At(60, 0))
				var texts []string
				for i := range 2 + s.Variant {
					t := f("Idea %d: %s", i+1, items[(i+s.Variant)%len(items)])
					texts = append(texts, t)
					s.B.AddMessage(o, s.Sup, t, s.At(5-i, 0), true)
				}
				title := "Messages from " + o.FirstName
				return Variant{
					Instruction: f("Create a note titled %q whose content is the text of every message %s sent me, oldest first, one per line.", title, o.Name()),
					Solution: []string{f(`c = find_contact(%q)
msgs = all_pages(apis.phone.search_text_messages, access_token=tokens["phone"], phone_number=c["phone_number"])
mine = [m for m in msgs if m["sender_number"] == c["phone_number"]]
mine.sort(key=lambda m: (m["sent_at"], m["text_message_id"]))`, o.Name()), f(`apis.simple_note.create_note(access_token=tokens["simple_note"], title=%q, content="\n".join(m["message"] for m in mine))
apis.supervisor.complete_task()`, title)},
					Check: func(c *Check) {
						c.OnlyTables("notes")
						c.Count("added", "notes", 1)
						if a := c.Added("notes"); len(a) == 1 {
							c.Require("the note has the title", Str(a[0], "title") == title, "title %q", Str(a[0], "title"))
							c.Require("the note has the messages oldest first", Str(a[0], "content") == strings.Join(texts, "\n"), "content %q", Str(a[0], "content"))
						}
					}}
			}},
		&Scenario{Name: "todo_comment", Split: "dev", Apps: []string{"todoist"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				title := []string{"Fix the fence", "Draft the newsletter", "Sort the attic"}[s.Variant-1]
				proj := s.B.AddProject(s.Sup, "Chores", s.At(10, 0))
				task := s.B.AddTask(s.Sup, proj, title, world_day(5), 2, false, s.At(9, 0))
				comment := []string{"Bought the nails.", "First section written.", "Boxes labelled."}[s.Variant-1]
				return Variant{
					Instruction: f("Add the comment %q to my to-do task %q.", comment, title),
					Solution: []string{f(`t = [t for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"])
     for t in apis.todoist.show_tasks(access_token=tokens["todoist"], project_id=p["project_id"]) if t["title"] == %q][0]
apis.todoist.post_task_comment(access_token=tokens["todoist"], task_id=t["task_id"], content=%q)
apis.supervisor.complete_task()`, title, comment)},
					Check: func(c *Check) {
						c.OnlyTables("todo_comments")
						c.Count("added", "todo_comments", 1)
						if a := c.Added("todo_comments"); len(a) == 1 {
							c.Require("the comment is on the task, by the supervisor", a[0]["task_id"] == task && a[0]["author_id"] == s.Sup.ID && Str(a[0], "content") == comment, "comment %v", a[0])
						}
					}}
			}},
		&Scenario{Name: "phone_delete_spam", Split: "dev", Apps: []string{"phone"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				spammer := world_Person{FirstName: "Spam", LastName: "Bot", Phone: f("555000%04d", 1000+s.Variant)}
				var ids []int64
				for i := range 2 + s.Variant {
					ids = append(ids, s.B.AddMessage(spammer, s.Sup, f("You won prize #%d! Reply now.", i), s.At(i, 0), false))
				}
				return Variant{
					Instruction: f("Delete every text message I received from the number %s.", spammer.Phone),
					Solution: []string{f(`for m in all_pages(apis.phone.search_text_messages, access_token=tokens["phone"], phone_number=%q):
    if m["sender_number"] == %q:
        apis.phone.delete_text_message(access_token=tokens["phone"], text_message_id=m["text_message_id"])
apis.supervisor.complete_task()`, spammer.Phone, spammer.Phone)},
					Check: func(c *Check) {
						c.OnlyTables("text_messages")
						c.Require("exactly the messages from that number are deleted", SameIDs(c.Removed("text_messages"), ids), "removed %d", len(c.Removed("text_messages")))
						c.Count("added", "text_messages", 0)
					}}
			}},
	)
}
