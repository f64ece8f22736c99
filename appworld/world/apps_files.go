package world

import (
	"path"
	"strings"
)

func cleanPath(s string) (string, error) {
	if !strings.HasPrefix(s, "/") {
		return "", failf(422, "Paths must be absolute (start with /): %q.", s)
	}
	return path.Clean(s), nil
}

func (c *Call) pathArg(name string) (string, error) { return cleanPath(c.str(name)) }

func (c *Call) dirExists(p string) (bool, error) {
	if p == "/" {
		return true, nil
	}
	rs, err := c.rows(`SELECT id FROM directories WHERE owner_id=? AND path=?`, c.user, p)
	return len(rs) > 0, err
}

func (c *Call) fileRow(p string) (Row, error) {
	return c.one("File "+p, `SELECT id, path, content, created_at, updated_at FROM files WHERE owner_id=? AND path=?`, c.user, p)
}

// newFile writes a file at p, whose parent must exist and which must not.
func (c *Call) newFile(p, content string) (int64, error) {
	ok, err := c.dirExists(path.Dir(p))
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, failf(404, "Directory %s not found.", path.Dir(p))
	}
	if isDir, err := c.dirExists(p); err != nil || isDir {
		if err == nil {
			err = failf(409, "%s is a directory.", p)
		}
		return 0, err
	}
	rs, err := c.rows(`SELECT id FROM files WHERE owner_id=? AND path=?`, c.user, p)
	if err != nil {
		return 0, err
	}
	if len(rs) > 0 {
		return 0, failf(409, "File %s already exists.", p)
	}
	return c.insert(`INSERT INTO files(owner_id, path, content, created_at, updated_at) VALUES(?,?,?,?,?)`, c.user, p, content, c.now(), c.now())
}

func under(dir string) string {
	if dir == "/" {
		return "/%"
	}
	return dir + "/%"
}

func init() {
	dirParam := func(desc string) Param { return p("directory_path", "string", desc) }
	fileParam := func(desc string) Param { return p("file_path", "string", desc) }
	register("file_system", "The file system app: your directories and text files.", append(accountAPIs("file_system"),
		&API{Name: "show_directory", Method: "GET", Path: "/file_system/directory", Auth: true,
			Description: "List a directory's entries as absolute paths; directories end with '/'.",
			Params: []Param{opt("directory_path", "string", "/", "The directory."), opt("substring", "string", "", "Only entries whose name contains this text."),
				{Name: "entry_type", Type: "string", Default: "all", Description: "Which entries to list.", Constraints: []string{"value in ['all', 'files', 'directories']"}},
				opt("recursive", "boolean", false, "Also list the entries of subdirectories.")},
			Success: []any{"string"},
			handler: func(c *Call) (any, error) {
				dir, err := c.pathArg("directory_path")
				if err != nil {
					return nil, err
				}
				if k := c.str("entry_type"); k != "all" && k != "files" && k != "directories" {
					return nil, failf(422, "entry_type must be 'all', 'files' or 'directories'.")
				}
				if ok, err := c.dirExists(dir); err != nil || !ok {
					if err == nil {
						err = failf(404, "Directory %s not found.", dir)
					}
					return nil, err
				}
				ds, err := c.rows(`SELECT path || '/' AS p FROM directories WHERE owner_id=? AND path LIKE ? UNION ALL SELECT path AS p FROM files WHERE owner_id=? AND path LIKE ? ORDER BY p`, c.user, under(dir), c.user, under(dir))
				out := []string{}
				for _, r := range ds {
					e := r["p"].(string)
					rest := strings.TrimSuffix(strings.TrimPrefix(e, strings.TrimSuffix(dir, "/")+"/"), "/")
					isDir := strings.HasSuffix(e, "/")
					kind := c.str("entry_type")
					if (c.flag("recursive") || !strings.Contains(rest, "/")) && strings.Contains(strings.ToLower(path.Base(e)), strings.ToLower(c.str("substring"))) &&
						(kind == "all" || (kind == "files") != isDir) {
						out = append(out, e)
					}
				}
				return out, err
			}},
		&API{Name: "create_directory", Method: "POST", Path: "/file_system/directory", Auth: true,
			Description: "Create a directory; its parent must exist unless recursive=True, which creates the missing parents too.",
			Params: []Param{dirParam("The new directory's path."), opt("recursive", "boolean", false, "Create missing parent directories."),
				opt("allow_if_exists", "boolean", false, "Succeed without change when the directory exists.")},
			handler: func(c *Call) (any, error) {
				dir, err := c.pathArg("directory_path")
				if err != nil {
					return nil, err
				}
				return map[string]any{"message": "Directory created."}, c.makeDir(dir, c.flag("recursive"), c.flag("allow_if_exists"))
			}},
		&API{Name: "delete_directory", Method: "DELETE", Path: "/file_system/directory", Auth: true,
			Description: "Delete a directory with everything inside it.",
			Params:      []Param{dirParam("The directory.")},
			handler: func(c *Call) (any, error) {
				dir, err := c.pathArg("directory_path")
				if err != nil {
					return nil, err
				}
				if dir == "/" {
					return nil, failf(422, "The root directory cannot be deleted.")
				}
				if ok, err := c.dirExists(dir); err != nil || !ok {
					if err == nil {
						err = failf(404, "Directory %s not found.", dir)
					}
					return nil, err
				}
				for _, q := range []string{`DELETE FROM files WHERE owner_id=? AND path LIKE ?`, `DELETE FROM directories WHERE owner_id=? AND path LIKE ?`} {
					if _, err := c.exec(q, c.user, under(dir)); err != nil {
						return nil, err
					}
				}
				_, err = c.exec(`DELETE FROM directories WHERE owner_id=? AND path=?`, c.user, dir)
				return map[string]any{"message": "Directory deleted."}, err
			}},
		&API{Name: "show_file", Method: "GET", Path: "/file_system/file", Auth: true,
			Description: "Show a file's content and times.",
			Params:      []Param{fileParam("The file.")},
			Success:     map[string]any{"file_id": 1, "path": "string", "content": "string", "created_at": "string", "updated_at": "string"},
			handler: func(c *Call) (any, error) {
				f, err := c.pathArg("file_path")
				if err != nil {
					return nil, err
				}
				r, err := c.fileRow(f)
				if err != nil {
					return nil, err
				}
				r["file_id"] = r["id"]
				delete(r, "id")
				return r, nil
			}},
		&API{Name: "create_file", Method: "POST", Path: "/file_system/file", Auth: true,
			Description: "Create a text file; its directory must exist, and the file must not unless overwrite=True.",
			Params:      []Param{fileParam("The new file's path."), opt("content", "string", "", "The file's text."), opt("overwrite", "boolean", false, "Replace an existing file.")},
			Success:     map[string]any{"message": "string", "file_id": 1},
			handler: func(c *Call) (any, error) {
				f, err := c.pathArg("file_path")
				if err != nil {
					return nil, err
				}
				if c.flag("overwrite") {
					if old, err := c.rows(`SELECT id FROM files WHERE owner_id=? AND path=?`, c.user, f); err != nil || len(old) > 0 {
						if err == nil {
							_, err = c.exec(`UPDATE files SET content=?, updated_at=? WHERE id=?`, c.str("content"), c.now(), old[0]["id"])
							return map[string]any{"message": "File created.", "file_id": old[0]["id"]}, err
						}
						return nil, err
					}
				}
				id, err := c.newFile(f, c.str("content"))
				return map[string]any{"message": "File created.", "file_id": id}, err
			}},
		&API{Name: "update_file", Method: "PATCH", Path: "/file_system/file", Auth: true,
			Description: "Replace a file's content.",
			Params:      []Param{fileParam("The file."), p("content", "string", "The new text.")},
			handler: func(c *Call) (any, error) {
				f, err := c.pathArg("file_path")
				if err != nil {
					return nil, err
				}
				r, err := c.fileRow(f)
				if err != nil {
					return nil, err
				}
				_, err = c.exec(`UPDATE files SET content=?, updated_at=? WHERE id=?`, c.str("content"), c.now(), r["id"])
				return map[string]any{"message": "File updated."}, err
			}},
		&API{Name: "delete_file", Method: "DELETE", Path: "/file_system/file", Auth: true,
			Description: "Delete a file.",
			Params:      []Param{fileParam("The file.")},
			handler: func(c *Call) (any, error) {
				f, err := c.pathArg("file_path")
				if err != nil {
					return nil, err
				}
				r, err := c.fileRow(f)
				if err != nil {
					return nil, err
				}
				_, err = c.exec(`DELETE FROM files WHERE id=?`, r["id"])
				return map[string]any{"message": "File deleted."}, err
			}},
		&API{Name: "move_file", Method: "POST", Path: "/file_system/file/move", Auth: true,
			Description: "Move or rename a file; the destination's directory must exist and the destination must not.",
			Params:      []Param{p("source_file_path", "string", "The file."), p("destination_file_path", "string", "Where it goes (a full file path).")},
			handler:     func(c *Call) (any, error) { return copyFile(c, true) }},
		&API{Name: "copy_file", Method: "POST", Path: "/file_system/file/copy", Auth: true,
			Description: "Copy a file; the destination's directory must exist and the destination must not.",
			Params:      []Param{p("source_file_path", "string", "The file."), p("destination_file_path", "string", "The copy's full file path.")},
			handler:     func(c *Call) (any, error) { return copyFile(c, false) }},
		&API{Name: "file_exists", Method: "GET", Path: "/file_system/file/exists", Auth: true,
			Description: "Whether a file exists.",
			Params:      []Param{fileParam("The file.")},
			Success:     map[string]any{"exists": true},
			handler: func(c *Call) (any, error) {
				f, err := c.pathArg("file_path")
				if err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT id FROM files WHERE owner_id=? AND path=?`, c.user, f)
				return map[string]any{"exists": len(rs) > 0}, err
			}},
		&API{Name: "directory_exists", Method: "GET", Path: "/file_system/directory/exists", Auth: true,
			Description: "Whether a directory exists.",
			Params:      []Param{dirParam("The directory.")},
			Success:     map[string]any{"exists": true},
			handler: func(c *Call) (any, error) {
				d, err := c.pathArg("directory_path")
				if err != nil {
					return nil, err
				}
				ok, err := c.dirExists(d)
				return map[string]any{"exists": ok}, err
			}},
		&API{Name: "copy_directory", Method: "POST", Path: "/file_system/directory/copy", Auth: true,
			Description: "Copy a directory with everything inside; the destination's parent must exist and the destination must not.",
			Params:      []Param{p("source_directory_path", "string", "The directory."), p("destination_directory_path", "string", "The copy's full path.")},
			handler:     func(c *Call) (any, error) { return copyDir(c, false) }},
		&API{Name: "move_directory", Method: "POST", Path: "/file_system/directory/move", Auth: true,
			Description: "Move or rename a directory with everything inside; the destination's parent must exist and the destination must not.",
			Params:      []Param{p("source_directory_path", "string", "The directory."), p("destination_directory_path", "string", "Where it goes (a full path).")},
			handler:     func(c *Call) (any, error) { return copyDir(c, true) }},
	)...)
}

func copyFile(c *Call, move bool) (any, error) {
	src, err := c.pathArg("source_file_path")
	if err != nil {
		return nil, err
	}
	dst, err := c.pathArg("destination_file_path")
	if err != nil {
		return nil, err
	}
	r, err := c.fileRow(src)
	if err != nil {
		return nil, err
	}
	if move {
		if ok, err := c.dirExists(path.Dir(dst)); err != nil || !ok {
			if err == nil {
				err = failf(404, "Directory %s not found.", path.Dir(dst))
			}
			return nil, err
		}
		if rs, err := c.rows(`SELECT id FROM files WHERE owner_id=? AND path=?`, c.user, dst); err != nil || len(rs) > 0 {
			if err == nil {
				err = failf(409, "File %s already exists.", dst)
			}
			return nil, err
		}
		_, err = c.exec(`UPDATE files SET path=?, updated_at=? WHERE id=?`, dst, c.now(), r["id"])
		return map[string]any{"message": "File moved."}, err
	}
	id, err := c.newFile(dst, r["content"].(string))
	return map[string]any{"message": "File copied.", "file_id": id}, err
}

// makeDir creates dir, and with recursive its missing parents; with
// allowIfExists an existing directory is no error.
func (c *Call) makeDir(dir string, recursive, allowIfExists bool) error {
	if ok, err := c.dirExists(dir); err != nil || ok {
		if err == nil && !allowIfExists {
			err = failf(409, "Directory %s already exists.", dir)
		}
		return err
	}
	if ok, err := c.dirExists(path.Dir(dir)); err != nil || !ok {
		if err == nil && !recursive {
			err = failf(404, "Directory %s not found.", path.Dir(dir))
		}
		if err != nil {
			return err
		}
		if err := c.makeDir(path.Dir(dir), true, true); err != nil {
			return err
		}
	}
	_, err := c.insert(`INSERT INTO directories(owner_id, path, created_at) VALUES(?,?,?)`, c.user, dir, c.now())
	return err
}

// copyDir copies (or moves) a directory tree to a new path.
func copyDir(c *Call, move bool) (any, error) {
	src, err := c.pathArg("source_directory_path")
	if err != nil {
		return nil, err
	}
	dst, err := c.pathArg("destination_directory_path")
	if err != nil {
		return nil, err
	}
	if ok, err := c.dirExists(src); err != nil || !ok || src == "/" {
		if err == nil {
			err = failf(404, "Directory %s not found.", src)
		}
		return nil, err
	}
	if dst == src || strings.HasPrefix(dst, src+"/") {
		return nil, failf(422, "The destination cannot be inside the source.")
	}
	if ok, err := c.dirExists(path.Dir(dst)); err != nil || !ok {
		if err == nil {
			err = failf(404, "Directory %s not found.", path.Dir(dst))
		}
		return nil, err
	}
	if taken, err := c.rows(`SELECT id FROM directories WHERE owner_id=?1 AND path=?2 UNION ALL SELECT id FROM files WHERE owner_id=?1 AND path=?2`, c.user, dst); err != nil || len(taken) > 0 {
		if err == nil {
			err = failf(409, "%s already exists.", dst)
		}
		return nil, err
	}
	for _, table := range []string{"directories", "files"} {
		q := `UPDATE ` + table + ` SET path=?1 || substr(path, length(?2)+1) WHERE owner_id=?3 AND (path=?2 OR path LIKE ?4)`
		if !move {
			cols := "owner_id, path, created_at"
			vals := "owner_id, ?1 || substr(path, length(?2)+1), ?5"
			if table == "files" {
				cols += ", content, updated_at"
				vals += ", content, ?5"
			}
			q = `INSERT INTO ` + table + `(` + cols + `) SELECT ` + vals + ` FROM ` + table + ` WHERE owner_id=?3 AND (path=?2 OR path LIKE ?4) ORDER BY id`
		}
		if _, err := c.exec(q, dst, src, c.user, under(src), c.now()); err != nil {
			return nil, err
		}
	}
	return map[string]any{"message": map[bool]string{true: "Directory moved.", false: "Directory copied."}[move]}, nil
}
