package world

import (
	"sort"
	"strings"
)

func sortStrings(s []string) { sort.Strings(s) }

const taskCols = `t.id AS task_id, t.project_id, p.name AS project_name, t.title, t.description, t.due_date, t.priority, t.completed AS is_completed, t.completed_at, t.created_at`

// priorities maps todoist's priority names to the stored levels.
var priorities = map[string]int64{"high": 1, "medium": 2, "low": 3}

func priorityName(v any) string {
	switch toFloat(v) {
	case 1:
		return "high"
	case 2:
		return "medium"
	}
	return "low"
}

func shapeTasks(rs []Row) []Row {
	for _, r := range shape(rs, []string{"is_completed"}, nil) {
		r["priority"] = priorityName(r["priority"])
	}
	return rs
}

func (c *Call) todoTask(id int64) (Row, error) {
	r, err := c.one("Task", `SELECT `+taskCols+` FROM todo_tasks t JOIN todo_projects p ON p.id=t.project_id WHERE t.id=? AND t.owner_id=?`, id, c.user)
	if err != nil {
		return nil, err
	}
	return shapeTasks([]Row{r})[0], nil
}

func (c *Call) ownProject(id int64) (Row, error) {
	return c.one("Project", `SELECT id AS project_id, name, created_at FROM todo_projects WHERE id=? AND owner_id=?`, id, c.user)
}

// checkTaskFields validates due_date and priority and turns the priority
// name into its stored level.
func checkTaskFields(c *Call) error {
	if c.has("due_date") && c.str("due_date") != "" && !dateRe.MatchString(c.str("due_date")) {
		return failf(422, "due_date must be YYYY-MM-DD.")
	}
	if c.has("priority") {
		level, ok := priorities[c.str("priority")]
		if !ok {
			return failf(422, "priority must be 'high', 'medium' or 'low'.")
		}
		c.args["priority"] = level
	}
	return nil
}

var priorityParam = Param{Name: "priority", Type: "string", Default: "medium", Description: "The task's priority.", Constraints: []string{"value in ['high', 'medium', 'low']"}}

func init() {
	taskID := p("task_id", "integer", "The task's id.")
	projectID := p("project_id", "integer", "The project's id.")
	optPriority := priorityParam
	optPriority.Default = nil
	register("todoist", "The todoist app: projects with tasks, due dates, priorities and comments.", append(accountAPIs("todoist"),
		searchUsersAPI("todoist"),
		&API{Name: "show_projects", Method: "GET", Path: "/todoist/projects", Auth: true,
			Description: "List your projects, oldest first, optionally those whose name contains the query.",
			Params:      append([]Param{opt("query", "string", "", "Text to match in the project's name.")}, paging()...),
			Success:     []any{map[string]any{"project_id": 1, "name": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT id AS project_id, name, created_at FROM todo_projects WHERE owner_id=? AND lower(name) LIKE ? ORDER BY id`, c.user, like(c.str("query")))
				return c.page(rs), err
			}},
		&API{Name: "show_project", Method: "GET", Path: "/todoist/projects/{project_id}", Auth: true,
			Description: "Show a project with its number of open and completed tasks.", Params: []Param{projectID},
			Success: map[string]any{"project_id": 1, "name": "string", "created_at": "string", "num_open_tasks": 1, "num_completed_tasks": 1},
			handler: func(c *Call) (any, error) {
				r, err := c.ownProject(c.int("project_id"))
				if err != nil {
					return nil, err
				}
				n, err := c.one("Counts", `SELECT COALESCE(SUM(completed=0),0) AS open, COALESCE(SUM(completed=1),0) AS done FROM todo_tasks WHERE project_id=?`, c.int("project_id"))
				if err != nil {
					return nil, err
				}
				r["num_open_tasks"], r["num_completed_tasks"] = n["open"], n["done"]
				return r, nil
			}},
		&API{Name: "create_project", Method: "POST", Path: "/todoist/projects", Auth: true,
			Description: "Create a project.", Params: []Param{p("name", "string", "The project's name.")},
			Success: map[string]any{"message": "string", "project_id": 1},
			handler: func(c *Call) (any, error) {
				if err := c.uniqueProject(c.str("name")); err != nil {
					return nil, err
				}
				id, err := c.insert(`INSERT INTO todo_projects(owner_id, name, created_at) VALUES(?,?,?)`, c.user, c.str("name"), c.now())
				return map[string]any{"message": "Project created.", "project_id": id}, err
			}},
		&API{Name: "update_project", Method: "PATCH", Path: "/todoist/projects/{project_id}", Auth: true,
			Description: "Rename a project.", Params: []Param{projectID, opt("name", "string", nil, "The new name.")},
			handler: func(c *Call) (any, error) {
				if _, err := c.ownProject(c.int("project_id")); err != nil {
					return nil, err
				}
				if c.has("name") {
					if err := c.uniqueProject(c.str("name")); err != nil {
						return nil, err
					}
				}
				return map[string]any{"message": "Project updated."}, c.patch("todo_projects", c.int("project_id"), "name")
			}},
		&API{Name: "delete_project", Method: "DELETE", Path: "/todoist/projects/{project_id}", Auth: true,
			Description: "Delete a project with its tasks and their comments.", Params: []Param{projectID},
			handler: func(c *Call) (any, error) {
				if _, err := c.ownProject(c.int("project_id")); err != nil {
					return nil, err
				}
				for _, q := range []string{`DELETE FROM todo_comments WHERE task_id IN (SELECT id FROM todo_tasks WHERE project_id=?)`,
					`DELETE FROM todo_tasks WHERE project_id=?`, `DELETE FROM todo_projects WHERE id=?`} {
					if _, err := c.exec(q, c.int("project_id")); err != nil {
						return nil, err
					}
				}
				return map[string]any{"message": "Project deleted."}, nil
			}},
		&API{Name: "show_tasks", Method: "GET", Path: "/todoist/projects/{project_id}/tasks", Auth: true,
			Description: "List a project's tasks, ordered by due date (tasks without one last), then id.",
			Params: []Param{projectID, opt("priority", "string", nil, "Only tasks of this priority ('high', 'medium' or 'low')."),
				opt("is_completed", "boolean", nil, "Only completed (True) or open (False) tasks."),
				opt("min_due_date", "string", nil, "Only tasks due on or after this date, YYYY-MM-DD."),
				opt("max_due_date", "string", nil, "Only tasks due on or before this date, YYYY-MM-DD.")},
			Success: []any{map[string]any{"task_id": 1, "project_id": 1, "project_name": "string", "title": "string", "description": "string", "due_date": "string", "priority": "medium", "is_completed": false, "completed_at": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				if _, err := c.ownProject(c.int("project_id")); err != nil {
					return nil, err
				}
				if err := checkTaskFields(c); err != nil {
					return nil, err
				}
				q := `SELECT ` + taskCols + ` FROM todo_tasks t JOIN todo_projects p ON p.id=t.project_id WHERE t.owner_id=? AND t.project_id=?`
				args := []any{c.user, c.int("project_id")}
				if c.has("priority") {
					q += ` AND t.priority=?`
					args = append(args, c.args["priority"])
				}
				if c.has("is_completed") {
					q += ` AND t.completed=?`
					args = append(args, dbValue(c.flag("is_completed")))
				}
				if c.has("min_due_date") {
					q += ` AND t.due_date<>'' AND t.due_date>=?`
					args = append(args, c.str("min_due_date"))
				}
				if c.has("max_due_date") {
					q += ` AND t.due_date<>'' AND t.due_date<=?`
					args = append(args, c.str("max_due_date"))
				}
				rs, err := c.rows(q+` ORDER BY t.due_date='' , t.due_date, t.id`, args...)
				return shapeTasks(rs), err
			}},
		&API{Name: "show_task", Method: "GET", Path: "/todoist/tasks/{task_id}", Auth: true,
			Description: "Show one task.", Params: []Param{taskID},
			handler: func(c *Call) (any, error) { return c.todoTask(c.int("task_id")) }},
		&API{Name: "create_task", Method: "POST", Path: "/todoist/projects/{project_id}/tasks", Auth: true,
			Description: "Create a task in a project.",
			Params: []Param{projectID, p("title", "string", "The title."), opt("description", "string", "", "Details."),
				opt("due_date", "string", "", "Due date, YYYY-MM-DD."), priorityParam},
			Success: map[string]any{"message": "string", "task_id": 1},
			handler: func(c *Call) (any, error) {
				if _, err := c.ownProject(c.int("project_id")); err != nil {
					return nil, err
				}
				if err := checkTaskFields(c); err != nil {
					return nil, err
				}
				if strings.TrimSpace(c.str("title")) == "" {
					return nil, failf(422, "title must not be empty.")
				}
				id, err := c.insert(`INSERT INTO todo_tasks(owner_id, project_id, title, description, due_date, priority, completed, completed_at, created_at) VALUES(?,?,?,?,?,?,0,'',?)`,
					c.user, c.int("project_id"), c.str("title"), c.str("description"), c.str("due_date"), c.args["priority"], c.now())
				return map[string]any{"message": "Task created.", "task_id": id}, err
			}},
		&API{Name: "update_task", Method: "PATCH", Path: "/todoist/tasks/{task_id}", Auth: true,
			Description: "Update a task, or mark it completed or open again; only the fields passed change.",
			Params: []Param{taskID, opt("title", "string", nil, "Title."), opt("description", "string", nil, "Details."), opt("due_date", "string", nil, "YYYY-MM-DD, or '' for none."),
				opt("is_completed", "boolean", nil, "Mark completed (True) or open (False)."), optPriority},
			handler: func(c *Call) (any, error) {
				t, err := c.todoTask(c.int("task_id"))
				if err != nil {
					return nil, err
				}
				if err := checkTaskFields(c); err != nil {
					return nil, err
				}
				if c.has("is_completed") && t["is_completed"].(bool) != c.flag("is_completed") {
					at := ""
					if c.flag("is_completed") {
						at = c.now()
					}
					if _, err := c.exec(`UPDATE todo_tasks SET completed=?, completed_at=? WHERE id=?`, dbValue(c.flag("is_completed")), at, c.int("task_id")); err != nil {
						return nil, err
					}
				}
				if !c.has("title") && !c.has("description") && !c.has("due_date") && !c.has("priority") {
					if !c.has("is_completed") {
						return nil, failf(422, "Nothing to update: pass at least one of title, description, due_date, is_completed, priority.")
					}
					return map[string]any{"message": "Task updated."}, nil
				}
				return map[string]any{"message": "Task updated."}, c.patch("todo_tasks", c.int("task_id"), "title", "description", "due_date", "priority")
			}},
		&API{Name: "delete_task", Method: "DELETE", Path: "/todoist/tasks/{task_id}", Auth: true,
			Description: "Delete a task and its comments.", Params: []Param{taskID},
			handler: func(c *Call) (any, error) {
				if _, err := c.todoTask(c.int("task_id")); err != nil {
					return nil, err
				}
				if _, err := c.exec(`DELETE FROM todo_comments WHERE task_id=?`, c.int("task_id")); err != nil {
					return nil, err
				}
				_, err := c.exec(`DELETE FROM todo_tasks WHERE id=?`, c.int("task_id"))
				return map[string]any{"message": "Task deleted."}, err
			}},
		&API{Name: "post_task_comment", Method: "POST", Path: "/todoist/tasks/{task_id}/comments", Auth: true,
			Description: "Comment on a task.", Params: []Param{taskID, p("content", "string", "The comment.")},
			Success: map[string]any{"message": "string", "comment_id": 1},
			handler: func(c *Call) (any, error) {
				if _, err := c.todoTask(c.int("task_id")); err != nil {
					return nil, err
				}
				id, err := c.insert(`INSERT INTO todo_comments(task_id, author_id, content, created_at) VALUES(?,?,?,?)`, c.int("task_id"), c.user, c.str("content"), c.now())
				return map[string]any{"message": "Comment added.", "comment_id": id}, err
			}},
		&API{Name: "show_task_comments", Method: "GET", Path: "/todoist/tasks/{task_id}/comments", Auth: true,
			Description: "List a task's comments, oldest first.", Params: append([]Param{taskID}, paging()...),
			Success: []any{map[string]any{"comment_id": 1, "content": "string", "created_at": "string"}},
			handler: func(c *Call) (any, error) {
				if _, err := c.todoTask(c.int("task_id")); err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT id AS comment_id, content, created_at FROM todo_comments WHERE task_id=? ORDER BY id`, c.int("task_id"))
				return c.page(rs), err
			}},
		&API{Name: "show_task_comment", Method: "GET", Path: "/todoist/comments/{task_comment_id}", Auth: true,
			Description: "Show one comment on one of your tasks.", Params: []Param{p("task_comment_id", "integer", "The comment's id.")},
			handler: func(c *Call) (any, error) {
				return c.one("Comment", `SELECT k.id AS comment_id, k.task_id, k.content, k.created_at FROM todo_comments k JOIN todo_tasks t ON t.id=k.task_id WHERE k.id=? AND t.owner_id=?`, c.int("task_comment_id"), c.user)
			}},
	)...)
}

func (c *Call) uniqueProject(name string) error {
	rs, err := c.rows(`SELECT id FROM todo_projects WHERE owner_id=? AND lower(name)=lower(?)`, c.user, name)
	if err != nil {
		return err
	}
	if len(rs) > 0 {
		return failf(409, "A project named %q already exists.", name)
	}
	return nil
}
