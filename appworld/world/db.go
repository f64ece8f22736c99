package world

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// schema holds every app's tables. Each table has an integer primary key
// "id", which is what the evaluation's diff uses to pair old and new rows.
const schema = `
CREATE TABLE people (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE, phone_number TEXT NOT NULL UNIQUE, birthday TEXT NOT NULL, city TEXT NOT NULL);
CREATE TABLE accounts (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, app TEXT NOT NULL,
  username TEXT NOT NULL, password TEXT NOT NULL, UNIQUE(app, username));
CREATE TABLE contacts (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, first_name TEXT NOT NULL,
  last_name TEXT NOT NULL, phone_number TEXT NOT NULL, email TEXT NOT NULL DEFAULT '',
  relationship TEXT NOT NULL DEFAULT '', birthday TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE TABLE text_messages (id INTEGER PRIMARY KEY, sender_number TEXT NOT NULL, receiver_number TEXT NOT NULL,
  message TEXT NOT NULL, sent_at TEXT NOT NULL, is_read INTEGER NOT NULL DEFAULT 0);
CREATE TABLE alarms (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, time TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '', repeat_days TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE directories (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, path TEXT NOT NULL,
  created_at TEXT NOT NULL, UNIQUE(owner_id, path));
CREATE TABLE files (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, path TEXT NOT NULL,
  content TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE(owner_id, path));
CREATE TABLE notes (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, title TEXT NOT NULL,
  content TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '', pinned INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE todo_projects (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, name TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE todo_tasks (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
  title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', due_date TEXT NOT NULL DEFAULT '',
  priority INTEGER NOT NULL DEFAULT 2, completed INTEGER NOT NULL DEFAULT 0, completed_at TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL);
CREATE TABLE todo_comments (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
  content TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE expense_groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_by INTEGER NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE expense_members (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
  UNIQUE(group_id, person_id));
CREATE TABLE expenses (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, description TEXT NOT NULL,
  amount REAL NOT NULL, paid_by INTEGER NOT NULL, created_by INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE expense_shares (id INTEGER PRIMARY KEY, expense_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
  amount REAL NOT NULL);
CREATE TABLE settlements (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, payer_id INTEGER NOT NULL,
  payee_id INTEGER NOT NULL, amount REAL NOT NULL, note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE TABLE wallets (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL UNIQUE, balance REAL NOT NULL);
CREATE TABLE wallet_transactions (id INTEGER PRIMARY KEY, sender_id INTEGER NOT NULL, receiver_id INTEGER NOT NULL,
  amount REAL NOT NULL, description TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE TABLE payment_requests (id INTEGER PRIMARY KEY, requester_id INTEGER NOT NULL, payer_id INTEGER NOT NULL,
  amount REAL NOT NULL, description TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'pending',
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
`

// Row is one database row, column name to value.
type Row map[string]any

// Store is one world's database: an in-memory SQLite database on a single
// connection, so that it can be saved to and restored from bytes.
type Store struct {
	db   *sql.DB
	conn *sql.Conn
}

// NewStore opens an empty database, loading image when it is not nil and
// creating the schema otherwise.
func NewStore(image []byte) (*Store, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, conn: conn}
	if image != nil {
		err = s.load(image)
	} else {
		_, err = conn.ExecContext(context.Background(), schema+spotifySchema+gmailSchema+amazonSchema)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) load(image []byte) error {
	return s.conn.Raw(func(dc any) error {
		d, ok := dc.(interface{ Deserialize([]byte) error })
		if !ok {
			return fmt.Errorf("sqlite driver cannot load a database image")
		}
		return d.Deserialize(image)
	})
}

// Image returns the database as bytes (an SQLite file image).
func (s *Store) Image() ([]byte, error) {
	var out []byte
	err := s.conn.Raw(func(dc any) error {
		d, ok := dc.(interface{ Serialize() ([]byte, error) })
		if !ok {
			return fmt.Errorf("sqlite driver cannot save a database image")
		}
		var err error
		out, err = d.Serialize()
		return err
	})
	return out, err
}

// Close releases the database.
func (s *Store) Close() error {
	if s.conn != nil {
		s.conn.Close()
	}
	return s.db.Close()
}

// Conn is the store's single connection.
func (s *Store) Conn() *sql.Conn { return s.conn }

// Tables lists the user tables, sorted.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// Query runs a query and returns its rows as maps.
func (s *Store) Query(ctx context.Context, query string, args ...any) ([]Row, error) {
	return queryRows(ctx, s.conn, query, args...)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryRows(ctx context.Context, q querier, query string, args ...any) ([]Row, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []Row{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := Row{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TableDiff is how one table changed between two states.
type TableDiff struct {
	Added   []Row    `json:"added,omitempty"`
	Removed []Row    `json:"removed,omitempty"`
	Updated [][2]Row `json:"updated,omitempty"` // old, new
}

// Empty reports whether nothing changed.
func (d TableDiff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Updated) == 0 }

// Diff maps a table name to its changes; unchanged tables are absent.
type Diff map[string]TableDiff

// Tables lists the changed tables, sorted.
func (d Diff) Tables() []string {
	names := make([]string, 0, len(d))
	for n := range d {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Compare computes how end differs from start, table by table, pairing rows
// by their id.
func Compare(ctx context.Context, start, end *Store) (Diff, error) {
	tables, err := end.Tables(ctx)
	if err != nil {
		return nil, err
	}
	d := Diff{}
	for _, t := range tables {
		q := "SELECT * FROM " + t + " ORDER BY id"
		before, err := start.Query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("reading start table %s: %w", t, err)
		}
		after, err := end.Query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("reading end table %s: %w", t, err)
		}
		if td := diffRows(before, after); !td.Empty() {
			d[t] = td
		}
	}
	return d, nil
}

func diffRows(before, after []Row) TableDiff {
	old := map[any]Row{}
	for _, r := range before {
		old[r["id"]] = r
	}
	var td TableDiff
	seen := map[any]bool{}
	for _, r := range after {
		o, ok := old[r["id"]]
		seen[r["id"]] = true
		switch {
		case !ok:
			td.Added = append(td.Added, r)
		case !sameRow(o, r):
			td.Updated = append(td.Updated, [2]Row{o, r})
		}
	}
	for _, r := range before {
		if !seen[r["id"]] {
			td.Removed = append(td.Removed, r)
		}
	}
	return td
}

func sameRow(a, b Row) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if fmt.Sprint(v) != fmt.Sprint(b[k]) {
			return false
		}
	}
	return true
}

// Changed lists the columns whose values differ between two versions of a row.
func Changed(old, new Row) []string {
	var cols []string
	for k, v := range new {
		if fmt.Sprint(v) != fmt.Sprint(old[k]) {
			cols = append(cols, k)
		}
	}
	sort.Strings(cols)
	return cols
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
