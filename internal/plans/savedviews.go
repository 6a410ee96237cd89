package plans

import (
	"context"
	"database/sql"
	"net/url"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
)

// SavedView is a user's named set of list filters: the page and its query
// string.
type SavedView struct {
	ID        int64     `json:"id"`
	Page      string    `json:"page"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
}

// Pages whose filters can be saved.
var viewPages = map[string]bool{"tasks": true, "reports": true}

// SavedViews lists the actor's saved views of page.
func (s *Service) SavedViews(ctx context.Context, page string) ([]SavedView, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (SavedView, error) {
		var v SavedView
		err := row.Scan(&v.ID, &v.Page, &v.Name, &v.Query, &v.CreatedAt)
		v.CreatedAt = v.CreatedAt.UTC()
		return v, err
	}, `SELECT id, page, name, query, created_at FROM saved_views WHERE user_id = $1 AND page = $2 ORDER BY name`, a.UserID, page)
}

// SaveView keeps the actor's filters of page under name, replacing a view
// of the same name.
func (s *Service) SaveView(ctx context.Context, page, name, query string) (SavedView, error) {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return SavedView{}, err
	}
	var v errs.Validation
	if !viewPages[page] {
		v.Add("page", "error.choice")
	}
	v.Text("name", name, true, 100)
	if _, err := url.ParseQuery(query); err != nil || len(query) > 2000 {
		v.Add("query", "error.plan.view_query")
	}
	if err := v.Err(); err != nil {
		return SavedView{}, err
	}
	sv := SavedView{Page: page, Name: name, Query: query, CreatedAt: s.now()}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO saved_views (user_id, page, name, query, created_at) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (user_id, page, name) DO UPDATE SET query = excluded.query RETURNING id`, a.UserID, page, name, query, sv.CreatedAt).Scan(&sv.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "view.save", ObjectType: "saved_view", ObjectID: sv.ID, After: sv})
	})
	return sv, err
}

// DeleteView removes one of the actor's saved views.
func (s *Service) DeleteView(ctx context.Context, id int64) error {
	a := access.FromContext(ctx)
	if err := a.Check(access.Self, 0); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1 AND user_id = $2`, id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.NotFound, "error.not_found", "saved_view")
		}
		return audit.Record(ctx, tx, audit.Change{Action: "view.delete", ObjectType: "saved_view", ObjectID: id})
	})
}
