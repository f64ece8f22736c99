package tasks

import (
	"strings"
)

func init() {
	add(
		&Scenario{Name: "notes_append_line", Split: "test_normal", Apps: []string{"simple_note"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				title := []string{"Reading list", "Bucket list", "Questions for the doctor"}[s.Variant-1]
				id := s.B.AddNote(s.Sup, title, "first entry", "personal", false, s.At(12, 0))
				line := []string{"The Left Hand of Darkness", "See the northern lights", "Ask about the knee"}[s.Variant-1]
				return Variant{
					Instruction: f("Append the line %q to my note titled %q.", line, title),
					Solution: []string{f(`n = [n for n in all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], query=%q) if n["title"] == %q][0]
apis.simple_note.add_content_to_note(access_token=tokens["simple_note"], note_id=n["note_id"], append_or_prepend="append", added_content=%q)
apis.supervisor.complete_task()`, title, title, line)},
					Check: func(c *Check) {
						c.OnlyTables("notes")
						rows, only := UpdatedIDs(c.Updated("notes"), "content", "updated_at")
						c.Require("only that note's content changed", SameIDs(rows, []int64{id}) && only, "updated %v", rows)
						c.Require("the line is appended", len(rows) == 1 && Str(rows[0], "content") == "first entry\n"+line, "rows %v", rows)
					}}
			}},
		&Scenario{Name: "todo_raise_priority", Split: "test_normal", Apps: []string{"todoist"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				word := []string{"invoice", "recital", "visa"}[s.Variant-1]
				target := []string{"Finance", "Music", "Travel"}[s.Variant-1]
				tp := s.B.AddProject(s.Sup, target, s.At(30, 1))
				var ids []int64
				for i := range 2 + s.Variant%2 {
					ids = append(ids, s.B.AddTask(s.Sup, tp, f("Handle %s %d", word, i+1), "", 2, false, s.At(20, i)))
				}
				s.B.AddTask(s.Sup, tp, "Something else", "", 3, false, s.At(20, 9))
				return Variant{
					Instruction: f("In my %q to-do project, give every task whose title contains %q high priority.", target, word),
					Solution: []string{f(`p = [p for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"]) if p["name"] == %q][0]
for t in apis.todoist.show_tasks(access_token=tokens["todoist"], project_id=p["project_id"]):
    if %q in t["title"].lower() and t["priority"] != "high":
        apis.todoist.update_task(access_token=tokens["todoist"], task_id=t["task_id"], priority="high")
apis.supervisor.complete_task()`, target, word)},
					Check: func(c *Check) {
						c.OnlyTables("todo_tasks")
						rows, only := UpdatedIDs(c.Updated("todo_tasks"), "priority")
						ok := SameIDs(rows, ids) && only
						for _, r := range rows {
							ok = ok && Num(r, "priority") == 1
						}
						c.Require("exactly the matching tasks have high priority", ok, "updated %v", rows)
					}}
			}},
		&Scenario{Name: "files_backup_copy", Split: "test_normal", Apps: []string{"file_system"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"thesis", "budget", "novel"}[s.Variant-1]
				content := f("%s v%d", strings.ToUpper(name), s.R.IntN(9)+1)
				s.B.AddFile(s.Sup, "/documents/"+name+".txt", content, s.At(8, 0))
				return Variant{
					Instruction: f("Create a directory /backup and copy /documents/%s.txt into it under the same name.", name),
					Solution: []string{f(`fs = tokens["file_system"]
apis.file_system.create_directory(access_token=fs, directory_path="/backup")
apis.file_system.copy_file(access_token=fs, source_file_path="/documents/%s.txt", destination_file_path="/backup/%s.txt")
apis.supervisor.complete_task()`, name, name)},
					Check: func(c *Check) {
						c.OnlyTables("directories", "files")
						c.Require("/backup is created", len(c.Added("directories")) == 1 && Str(c.Added("directories")[0], "path") == "/backup", "added %v", c.Added("directories"))
						a := c.Added("files")
						c.Require("the copy exists with the same content", len(a) == 1 && Str(a[0], "path") == "/backup/"+name+".txt" && Str(a[0], "content") == content, "added %v", a)
						c.Count("removed", "files", 0)
						c.Count("updated", "files", 0)
					}}
			}},
		&Scenario{Name: "expenses_group_from_contacts", Split: "test_normal", Apps: []string{"phone", "splitwise"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				a, b := s.Other(8), s.Other(9)
				s.B.AddContact(s.Sup, a, "friend", s.At(50, 0))
				s.B.AddContact(s.Sup, b, "friend", s.At(50, 1))
				name := []string{"Movie nights", "Climbing gym", "Board games"}[s.Variant-1]
				return Variant{
					Instruction: f("Create a splitwise group named %q with my contacts %s and %s.", name, a.Name(), b.Name()),
					Solution: []string{f(`emails = [find_contact(n)["email"] for n in [%q, %q]]
apis.splitwise.create_group(access_token=tokens["splitwise"], name=%q, member_emails=emails)
apis.supervisor.complete_task()`, a.Name(), b.Name(), name)},
					Check: func(c *Check) {
						c.OnlyTables("expense_groups", "expense_members")
						g := c.Added("expense_groups")
						c.Require("one group with the name is created", len(g) == 1 && Str(g[0], "name") == name, "groups %v", g)
						got := map[int64]bool{}
						for _, m := range c.Added("expense_members") {
							got[m["person_id"].(int64)] = true
						}
						c.Require("its members are the supervisor and the two contacts", len(got) == 3 && got[s.Sup.ID] && got[a.ID] && got[b.ID], "members %v", got)
					}}
			}},
		&Scenario{Name: "phone_birthday", Split: "test_normal", Apps: []string{"phone"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				o := s.Other(10)
				s.B.AddContact(s.Sup, o, "friend", s.At(50, 0))
				return Variant{
					Instruction: f("When is my contact %s's birthday? Answer as YYYY-MM-DD.", o.Name()),
					Solution:    []string{f(`apis.supervisor.complete_task(answer=find_contact(%q)["birthday"])`, o.Name())},
					Check:       func(c *Check) { c.NoChanges(); c.Answer(o.Birthday) }}
			}},
		&Scenario{Name: "todo_from_note", Split: "test_normal", Apps: []string{"simple_note", "todoist"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				list := pickN(s, taskIdeas, 2+s.Variant)
				title := []string{"Errands", "Weekend jobs", "Before the trip"}[s.Variant-1]
				s.B.AddNote(s.Sup, title, strings.Join(list, "\n"), "home", false, s.At(2, 0))
				return Variant{
					Instruction: f("My note %q lists jobs one per line. Add each as a to-do task with that title in my Home project.", title),
					Solution: []string{f(`n = [n for n in all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], query=%q) if n["title"] == %q][0]
home = [p for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"]) if p["name"] == "Home"][0]`, title, title), `for line in n["content"].split("\n"):
    if line.strip():
        apis.todoist.create_task(access_token=tokens["todoist"], project_id=home["project_id"], title=line.strip())
apis.supervisor.complete_task()`},
					Check: func(c *Check) {
						c.OnlyTables("todo_tasks")
						got := map[string]bool{}
						ok := true
						for _, r := range c.Added("todo_tasks") {
							got[Str(r, "title")] = true
							p := c.Query(`SELECT name FROM todo_projects WHERE id=?`, r["project_id"])
							ok = ok && len(p) == 1 && Str(p[0], "name") == "Home" && r["owner_id"] == s.Sup.ID
						}
						all := len(got) == len(list) && len(c.Added("todo_tasks")) == len(list)
						for _, l := range list {
							all = all && got[l]
						}
						c.Require("one task per line of the note", all, "added %v", got)
						c.Require("the tasks are in the Home project", ok, "wrong project")
					}}
			}},
		&Scenario{Name: "files_export_note", Split: "test_normal", Apps: []string{"simple_note", "file_system"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				title := []string{"Packing", "Recipes", "Contacts"}[s.Variant-1]
				content := strings.Join(pickN(s, items, 3), "\n")
				s.B.AddNote(s.Sup, title, content, "home", false, s.At(6, 0))
				path := "/documents/" + strings.ToLower(title) + ".txt"
				return Variant{
					Instruction: f("Save the content of my note %q into a new file %s.", title, path),
					Solution: []string{f(`n = [n for n in all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], query=%q) if n["title"] == %q][0]
apis.file_system.create_file(access_token=tokens["file_system"], file_path=%q, content=n["content"])
apis.supervisor.complete_task()`, title, title, path)},
					Check: func(c *Check) {
						c.OnlyTables("files")
						a := c.Added("files")
						c.Require("the file has the note's content", len(a) == 1 && Str(a[0], "path") == path && Str(a[0], "content") == content, "added %v", a)
					}}
			}},
		&Scenario{Name: "expenses_total", Split: "test_normal", Apps: []string{"splitwise"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"Festival crew", "Soccer team", "Chess club"}[s.Variant-1]
				members := []world_Person{s.Sup, s.Other(11), s.Other(12)}
				g := s.B.AddGroup(name, members, s.At(40, 0))
				total := 0.0
				for i := range 6 + s.Variant {
					amt := float64(5+s.R.IntN(80)) + float64(s.R.IntN(4))*0.25
					total += amt
					s.B.AddExpense(g, f("Item %d", i+1), amt, members[i%3], members, s.At(30-i, 0))
				}
				return Variant{
					Instruction: f("What is the total amount of all expenses in my splitwise group %q?", name),
					Solution: []string{f(`g = [g for g in all_pages(apis.splitwise.show_groups, access_token=tokens["splitwise"]) if g["name"] == %q][0]
exps = all_pages(apis.splitwise.show_group_expenses, access_token=tokens["splitwise"], group_id=g["group_id"])
apis.supervisor.complete_task(answer=round(sum(e["paid_amount"] for e in exps), 2))`, name)},
					Check: func(c *Check) { c.NoChanges(); c.Answer(round2(total)) }}
			}},
		&Scenario{Name: "phone_count_relationship", Split: "test_normal", Apps: []string{"phone"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				rel := []string{"bandmate", "godparent", "mentor"}[s.Variant-1]
				n := 1 + s.R.IntN(4)
				for i := range n {
					s.B.AddContact(s.Sup, s.Other(13+i), rel, s.At(70, i))
				}
				return Variant{
					Instruction: f("How many of my contacts have the relationship %q?", rel),
					Solution:    []string{f(`apis.supervisor.complete_task(answer=len(all_pages(apis.phone.search_contacts, access_token=tokens["phone"], relationship=%q)))`, rel)},
					Check:       func(c *Check) { c.NoChanges(); c.Answer(n) }}
			}},
		&Scenario{Name: "todo_delete_completed", Split: "test_normal", Apps: []string{"todoist"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"Kitchen remodel", "Job search", "Moving"}[s.Variant-1]
				proj := s.B.AddProject(s.Sup, name, s.At(40, 0))
				var done, comments []int64
				for i := range 2 + s.Variant%2 {
					t := s.B.AddTask(s.Sup, proj, f("Finished part %d", i+1), "", 2, true, s.At(10, i))
					done = append(done, t)
					if i == 0 {
						comments = append(comments, s.B.AddComment(t, s.Sup, "done!", s.At(9, 0)))
					}
				}
				s.B.AddTask(s.Sup, proj, "Still open", "", 2, false, s.At(10, 9))
				return Variant{
					Instruction: f("Delete all completed tasks in my to-do project %q.", name),
					Solution: []string{f(`p = [p for p in all_pages(apis.todoist.show_projects, access_token=tokens["todoist"]) if p["name"] == %q][0]
for t in apis.todoist.show_tasks(access_token=tokens["todoist"], project_id=p["project_id"], is_completed=True):
    apis.todoist.delete_task(access_token=tokens["todoist"], task_id=t["task_id"])
apis.supervisor.complete_task()`, name)},
					Check: func(c *Check) {
						c.OnlyTables("todo_tasks", "todo_comments")
						c.Require("exactly the completed tasks are deleted", SameIDs(c.Removed("todo_tasks"), done), "removed %v", c.Removed("todo_tasks"))
						c.Require("their comments are deleted", SameIDs(c.Removed("todo_comments"), comments), "removed %v", c.Removed("todo_comments"))
					}}
			}},
	)
}

var taskIdeas = []string{"Pick up dry cleaning", "Buy stamps", "Return library books", "Fix bike tire", "Get a haircut", "Drop off recycling", "Refill prescription"}
