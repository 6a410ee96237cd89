package plans

import (
	"context"
	"database/sql"
	"strings"

	"concord/internal/access"
	"concord/internal/db"
)

// indexText keeps the searchable text of a task or report. SQLite indexes
// it with FTS5 trigrams and PostgreSQL with pg_trgm, both of which find
// Chinese text, which has no spaces to split words at.
func indexText(ctx context.Context, tx *sql.Tx, kind string, refID, taskID int64, parts ...string) error {
	body := strings.Join(parts, "\n")
	_, err := tx.ExecContext(ctx, `INSERT INTO search_docs (kind, ref_id, task_id, body) VALUES ($1,$2,$3,$4)
		ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body, task_id = excluded.task_id`, kind, refID, taskID, body)
	return err
}

// Hit is a search result: a task, or a report on a task.
type Hit struct {
	Kind    string `json:"kind"` // task or report
	RefID   int64  `json:"ref_id"`
	TaskID  int64  `json:"task_id"`
	Snippet string `json:"snippet"`
}

// Search finds text in task titles, descriptions, targets and deliverables
// and in report narratives, problems, help asked and next steps.
func (s *Service) Search(ctx context.Context, q string, limit int) ([]Hit, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	match, arg := textMatch(s.DB.Engine, q)
	match = strings.ReplaceAll(match, "?", "$1")
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Hit, error) {
		var h Hit
		var body string
		err := row.Scan(&h.Kind, &h.RefID, &h.TaskID, &body)
		h.Snippet = snippet(body, q, 40)
		return h, err
	}, `SELECT d.kind, d.ref_id, d.task_id, d.body FROM search_docs d WHERE `+match+` ORDER BY d.kind DESC, d.id DESC LIMIT `+itoa(limit), arg)
}

// snippet is the text around the first match of q in body, about width
// characters either side.
func snippet(body, q string, width int) string {
	rs := []rune(body)
	i := strings.Index(strings.ToLower(body), strings.ToLower(q))
	if i < 0 {
		i = 0
	}
	at := len([]rune(body[:i]))
	from, to := max(at-width, 0), min(at+len([]rune(q))+width, len(rs))
	out := strings.ReplaceAll(string(rs[from:to]), "\n", " ")
	if from > 0 {
		out = "…" + out
	}
	if to < len(rs) {
		out += "…"
	}
	return out
}
