// Package audit keeps the append-only record of who changed what. A change
// and its audit entry are written in the same transaction.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/db"
)

// Entry is one audit record.
type Entry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    *int64          `json:"actor_id,omitempty"`
	ActorLogin string          `json:"actor_login"`
	UnitID     *int64          `json:"unit_id,omitempty"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	RequestID  string          `json:"request_id"`
	ClientAddr string          `json:"client_addr"`
	Detail     string          `json:"detail,omitempty"`
}

// Change describes what to record; Before and After are marshalled to JSON.
type Change struct {
	Action     string
	ObjectType string
	ObjectID   int64
	Before     any
	After      any
	Detail     string
	// Login names the actor when none is in the context (a failed login).
	Login string
}

func marshal(v any) string {
	if v == nil {
		return ""
	}
	// Without HTML escaping, so that a search for "R&D" or "<" finds the
	// value as it was entered rather than missing its \u0026 form.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%q", err.Error())
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Record writes one entry through q (normally the change's transaction),
// taking the actor, request id and address from ctx.
func Record(ctx context.Context, q db.Querier, c Change) error {
	return RecordAll(ctx, q, []Change{c})
}

// RecordAll writes several entries at once, as Record does each: for batch
// work such as an import, where one statement per entry would be most of
// the cost.
func RecordAll(ctx context.Context, q db.Querier, cs []Change) error {
	a := access.FromContext(ctx)
	var actorID, unitID *int64
	reqID, addr := "", ""
	if a != nil {
		if a.UserID != 0 {
			actorID, unitID = &a.UserID, &a.UnitID
		}
		reqID, addr = a.RequestID, a.ClientAddr
	}
	now := db.Now()
	rows := make([][]any, len(cs))
	for i, c := range cs {
		login := c.Login
		if a != nil && a.Login != "" {
			login = a.Login
		}
		objID := ""
		if c.ObjectID != 0 {
			objID = strconv.FormatInt(c.ObjectID, 10)
		}
		rows[i] = []any{now, actorID, login, unitID, c.Action, c.ObjectType, objID, marshal(c.Before), marshal(c.After), reqID, addr, c.Detail}
	}
	err := db.InsertRows(ctx, q, `INSERT INTO audit_log
		(at, actor_id, actor_login, unit_id, action, object_type, object_id, before_json, after_json, request_id, client_addr, detail) VALUES `,
		"($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", rows)
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// Filter narrows a search; zero fields match everything.
type Filter struct {
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	From, To   time.Time // To is exclusive
	Text       string    // in before/after/detail
}

func (f Filter) where() (string, []any) {
	var w db.Where
	add := w.Add
	if f.Actor != "" {
		add("actor_login = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.Text != "" {
		add(`(lower(before_json) LIKE ? ESCAPE '\' OR lower(after_json) LIKE ? ESCAPE '\' OR lower(detail) LIKE ? ESCAPE '\')`, db.Contains(f.Text))
	}
	return w.SQL(), w.Args
}

// Store reads the audit trail.
type Store struct{ DB *db.DB }

const columns = `id, at, actor_id, actor_login, unit_id, action, object_type, object_id, before_json, after_json, request_id, client_addr, detail`

func scan(rows *sql.Rows) (Entry, error) {
	var e Entry
	var before, after string
	err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorLogin, &e.UnitID, &e.Action, &e.ObjectType, &e.ObjectID, &before, &after, &e.RequestID, &e.ClientAddr, &e.Detail)
	e.At = e.At.UTC()
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return e, err
}

// Search returns one page of entries, newest first, and the total count.
func (s *Store) Search(ctx context.Context, f Filter, limit, offset int) ([]Entry, int, error) {
	where, args := f.where()
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT count(*) FROM audit_log"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	args = append(args, limit, offset)
	q := fmt.Sprintf("SELECT %s FROM audit_log%s ORDER BY id DESC LIMIT $%d OFFSET $%d", columns, where, n+1, n+2)
	var out []Entry
	err := s.each(ctx, q, args, func(e Entry) error { out = append(out, e); return nil })
	return out, total, err
}

// Each streams every entry matching f, oldest first (for exports).
func (s *Store) Each(ctx context.Context, f Filter, fn func(Entry) error) error {
	where, args := f.where()
	return s.each(ctx, "SELECT "+columns+" FROM audit_log"+where+" ORDER BY id", args, fn)
}

func (s *Store) each(ctx context.Context, q string, args []any, fn func(Entry) error) error {
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// History is every entry about one object, oldest first.
func (s *Store) History(ctx context.Context, objectType string, objectID int64) ([]Entry, error) {
	var out []Entry
	err := s.Each(ctx, Filter{ObjectType: objectType, ObjectID: strconv.FormatInt(objectID, 10)},
		func(e Entry) error { out = append(out, e); return nil })
	return out, err
}
