package world

import "strings"

const noteCols = `id AS note_id, title, content, tags, pinned, created_at, updated_at`

func (c *Call) note(id int64) (Row, error) {
	r, err := c.one("Note", `SELECT `+noteCols+` FROM notes WHERE id=? AND owner_id=?`, id, c.user)
	if err != nil {
		return nil, err
	}
	return shape([]Row{r}, []string{"pinned"}, []string{"tags"})[0], nil
}

func init() {
	noteID := p("note_id", "integer", "The note's id.")
	register("simple_note", "The simple note app: your notes with titles, tags and pins.", append(accountAPIs("simple_note"),
		&API{Name: "search_notes", Method: "GET", Path: "/simple_note/notes", Auth: true,
			Description: "Search your notes by text in title or content, tags or pin; pinned notes first, then the most recently updated.",
			Params: append([]Param{opt("query", "string", "", "Text to match in title or content."), opt("tags", "list[string]", nil, "Only notes with all of these tags."),
				opt("pinned", "boolean", nil, "Only pinned (True) or unpinned (False) notes."),
				opt("dont_reorder_pinned", "boolean", false, "Do not put the pinned notes first.")}, paging()...),
			Success: []any{map[string]any{"note_id": 1, "title": "string", "content": "string", "tags": []any{"string"}, "pinned": true, "created_at": "string", "updated_at": "string"}},
			handler: func(c *Call) (any, error) {
				q := `SELECT ` + noteCols + ` FROM notes WHERE owner_id=? AND (lower(title) LIKE ? OR lower(content) LIKE ?)`
				args := []any{c.user, like(c.str("query")), like(c.str("query"))}
				for _, tag := range c.strs("tags") {
					q += ` AND (',' || lower(tags) || ',') LIKE ?`
					args = append(args, "%,"+strings.ToLower(strings.TrimSpace(tag))+",%")
				}
				if c.has("pinned") {
					q += ` AND pinned=?`
					args = append(args, dbValue(c.flag("pinned")))
				}
				order := ` ORDER BY pinned DESC, updated_at DESC, id DESC`
				if c.flag("dont_reorder_pinned") {
					order = ` ORDER BY updated_at DESC, id DESC`
				}
				rs, err := c.rows(q+order, args...)
				return shape(c.page(rs), []string{"pinned"}, []string{"tags"}), err
			}},
		&API{Name: "show_note", Method: "GET", Path: "/simple_note/notes/{note_id}", Auth: true,
			Description: "Show one note.", Params: []Param{noteID},
			handler: func(c *Call) (any, error) { return c.note(c.int("note_id")) }},
		&API{Name: "create_note", Method: "POST", Path: "/simple_note/notes", Auth: true,
			Description: "Create a note.",
			Params: []Param{p("title", "string", "The title."), opt("content", "string", "", "The text."),
				opt("tags", "list[string]", []any{}, "Tags."), opt("pinned", "boolean", false, "Pin it.")},
			Success: map[string]any{"message": "string", "note_id": 1},
			handler: func(c *Call) (any, error) {
				if strings.TrimSpace(c.str("title")) == "" {
					return nil, failf(422, "title must not be empty.")
				}
				id, err := c.insert(`INSERT INTO notes(owner_id, title, content, tags, pinned, created_at, updated_at) VALUES(?,?,?,?,?,?,?)`,
					c.user, c.str("title"), c.str("content"), strings.ToLower(dbValue(c.args["tags"]).(string)), dbValue(c.flag("pinned")), c.now(), c.now())
				return map[string]any{"message": "Note created.", "note_id": id}, err
			}},
		&API{Name: "update_note", Method: "PATCH", Path: "/simple_note/notes/{note_id}", Auth: true,
			Description: "Update a note's title, content, tags or pin; only the fields passed change.",
			Params: []Param{noteID, opt("title", "string", nil, "New title."), opt("content", "string", nil, "New text."),
				opt("tags", "list[string]", nil, "New tags (replace the old ones)."), opt("pinned", "boolean", nil, "Pin (True) or unpin (False).")},
			handler: func(c *Call) (any, error) {
				n, err := c.note(c.int("note_id"))
				if err != nil {
					return nil, err
				}
				if c.has("pinned") && !c.has("title") && !c.has("content") && !c.has("tags") && n["pinned"].(bool) == c.flag("pinned") {
					return map[string]any{"message": "Nothing to change."}, nil
				}
				if err := c.patch("notes", c.int("note_id"), "title", "content", "tags", "pinned"); err != nil {
					return nil, err
				}
				if c.has("title") || c.has("content") || c.has("tags") {
					_, err = c.exec(`UPDATE notes SET updated_at=?, tags=lower(tags) WHERE id=?`, c.now(), c.int("note_id"))
				}
				return map[string]any{"message": "Note updated."}, err
			}},
		&API{Name: "add_content_to_note", Method: "PATCH", Path: "/simple_note/notes/{note_id}/content", Auth: true,
			Description: "Add text to the end (append) or the start (prepend) of a note's content, on its own line.",
			Params: []Param{noteID, {Name: "append_or_prepend", Type: "string", Required: true, Description: "Where the text goes.", Constraints: []string{"value in ['append', 'prepend']"}},
				p("added_content", "string", "The text to add.")},
			handler: func(c *Call) (any, error) {
				n, err := c.note(c.int("note_id"))
				if err != nil {
					return nil, err
				}
				text, add := n["content"].(string), c.str("added_content")
				switch {
				case c.str("append_or_prepend") != "append" && c.str("append_or_prepend") != "prepend":
					return nil, failf(422, "append_or_prepend must be 'append' or 'prepend'.")
				case text == "":
					text = add
				case c.str("append_or_prepend") == "append":
					text += "\n" + add
				default:
					text = add + "\n" + text
				}
				_, err = c.exec(`UPDATE notes SET content=?, updated_at=? WHERE id=?`, text, c.now(), c.int("note_id"))
				return map[string]any{"message": "Note updated."}, err
			}},
		&API{Name: "delete_note", Method: "DELETE", Path: "/simple_note/notes/{note_id}", Auth: true,
			Description: "Delete a note.", Params: []Param{noteID},
			handler: func(c *Call) (any, error) { return deleteOwned(c, "notes", "Note", c.int("note_id")) }},
	)...)
}
