// Package bulletin writes the supervision bulletin (督查通报): for a period,
// how the plans' tasks stand by coordination area and unit, the red and
// yellow tasks, late and missing progress reports, inspection findings and
// their rectification, sections other capabilities add (the scorecard
// ranking), and the good practice the coordination office writes up. A
// draft is generated from live data whenever it is read; publishing freezes
// what it said, and a published bulletin changes only by a correction that
// keeps the earlier record.
package bulletin

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/i18n"
)

// Service is the bulletins' store. Providers add sections (e.g. the
// scorecard ranking); the application wires them in, so this package
// depends on none of them.
type Service struct {
	DB        *db.DB
	Clock     clock.Clock
	Alliance  *alliance.Service
	Providers []SectionProvider
}

// Status is where a bulletin is: a draft, or published and frozen.
type Status string

const (
	Draft     Status = "draft"
	Published Status = "published"
)

// Bulletin is a bulletin's record. A published one carries its frozen
// document in Document.
type Bulletin struct {
	ID          int64       `json:"id"`
	Title       string      `json:"title"`
	Number      string      `json:"number"` // document number, e.g. 辽沿海办督〔2026〕3号
	Issuer      string      `json:"issuer"`
	Lang        string      `json:"lang"`
	PeriodFrom  clock.Date  `json:"period_from"`
	PeriodTo    clock.Date  `json:"period_to"`
	Notes       string      `json:"notes"` // good practice, one note a line
	Status      Status      `json:"status"`
	IssuedOn    *clock.Date `json:"issued_on"`
	PublishedBy string      `json:"published_by"`
	Revision    int         `json:"revision"` // corrections made after publishing
	Document    *Document   `json:"document,omitempty"`
	CreatedBy   string      `json:"created_by"`
	Version     int         `json:"version"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// Input is what the office sets on a bulletin.
type Input struct {
	Title      string     `json:"title"`
	Number     string     `json:"number"`
	Issuer     string     `json:"issuer"`
	Lang       string     `json:"lang"`
	PeriodFrom clock.Date `json:"period_from"`
	PeriodTo   clock.Date `json:"period_to"`
	Notes      string     `json:"notes"`
}

// Revision is a published bulletin as it was before a correction.
type Revision struct {
	Number     int       `json:"number"`
	Reason     string    `json:"reason"`
	Previous   Bulletin  `json:"previous"`
	RecordedBy string    `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

const columns = `id, title, number, issuer, lang, period_from, period_to, notes, status, issued_on, content, published_by, revision, created_by, version, created_at, updated_at`

func scan(row db.Scanner) (Bulletin, error) {
	var b Bulletin
	var content string
	if err := row.Scan(&b.ID, &b.Title, &b.Number, &b.Issuer, &b.Lang, &b.PeriodFrom, &b.PeriodTo, &b.Notes, &b.Status, &b.IssuedOn,
		&content, &b.PublishedBy, &b.Revision, &b.CreatedBy, &b.Version, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return b, err
	}
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	if content != "" {
		b.Document = &Document{}
		return b, json.Unmarshal([]byte(content), b.Document)
	}
	return b, nil
}

func get(ctx context.Context, q db.Querier, id int64) (Bulletin, error) {
	b, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM bulletins WHERE id = $1`, id))
	return b, errs.NotFoundIf(err, "bulletin")
}

// Bulletin returns one bulletin.
func (s *Service) Bulletin(ctx context.Context, id int64) (Bulletin, error) {
	if err := access.FromContext(ctx).Check(access.ViewBulletins, 0); err != nil {
		return Bulletin{}, err
	}
	return get(ctx, s.DB.R, id)
}

// Bulletins lists bulletins, the latest period first, without documents.
func (s *Service) Bulletins(ctx context.Context) ([]Bulletin, error) {
	if err := access.FromContext(ctx).Check(access.ViewBulletins, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scan, `SELECT `+strings.Replace(columns, "content", "'' AS content", 1)+` FROM bulletins ORDER BY period_to DESC, id DESC`)
}

func (in *Input) validate() error {
	var v errs.Validation
	in.check(&v)
	return v.Err()
}

func (in *Input) check(v *errs.Validation) {
	v.Text("title", in.Title, true, 200)
	v.Text("number", in.Number, false, 60)
	v.Text("issuer", in.Issuer, true, 200)
	v.Text("notes", in.Notes, false, 20000)
	if !i18n.Valid(in.Lang) {
		v.Add("lang", "error.choice")
	}
	switch {
	case in.PeriodFrom.IsZero():
		v.Add("period_from", "error.required")
	case in.PeriodTo.IsZero():
		v.Add("period_to", "error.required")
	case in.PeriodTo.Before(in.PeriodFrom):
		v.Add("period_to", "error.bulletin.period_order")
	case in.PeriodFrom.DaysUntil(in.PeriodTo) > 366:
		v.Add("period_to", "error.bulletin.period_long")
	}
}

// Create records a draft bulletin.
func (s *Service) Create(ctx context.Context, in Input) (Bulletin, error) {
	if err := access.FromContext(ctx).Check(access.ManageBulletins, 0); err != nil {
		return Bulletin{}, err
	}
	if err := in.validate(); err != nil {
		return Bulletin{}, err
	}
	var b Bulletin
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO bulletins (title, number, issuer, lang, period_from, period_to, notes, status, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,'draft',$8,$9,$9) RETURNING id`,
			in.Title, in.Number, in.Issuer, in.Lang, in.PeriodFrom, in.PeriodTo, in.Notes, access.FromContext(ctx).LoginOrSystem(), now).Scan(&id); err != nil {
			return err
		}
		var err error
		if b, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "bulletin.create", ObjectType: "bulletin", ObjectID: id, After: b})
	})
	return b, err
}

// Update changes a draft.
func (s *Service) Update(ctx context.Context, id int64, in Input, version int) (Bulletin, error) {
	return s.rewrite(ctx, id, version, "bulletin.update", func(tx *sql.Tx, before Bulletin) error {
		if err := in.validate(); err != nil {
			return err
		}
		if before.Status != Draft {
			return errs.New(errs.Conflict, "error.bulletin.published")
		}
		return s.write(ctx, tx, id, in)
	})
}

// Publish freezes a draft: the document generated now from live data is
// stored and is what the bulletin says from then on.
func (s *Service) Publish(ctx context.Context, id int64, version int) (Bulletin, error) {
	return s.rewrite(ctx, id, version, "bulletin.publish", func(tx *sql.Tx, before Bulletin) error {
		if before.Status != Draft {
			return errs.New(errs.Conflict, "error.bulletin.published")
		}
		today := clock.Today(s.Clock)
		issued := before
		issued.Status, issued.IssuedOn = Published, &today
		doc, err := s.generate(ctx, tx, issued)
		if err != nil {
			return err
		}
		content, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE bulletins SET status = 'published', issued_on = $1, content = $2, published_by = $3, updated_at = $4 WHERE id = $5`,
			today, string(content), access.FromContext(ctx).LoginOrSystem(), s.Clock.Now(), id)
		return err
	})
}

// Correction is what a correction of a published bulletin may change: its
// heading and the good-practice notes. The figures stay as published, since
// they were the live data of their day.
type Correction struct {
	Title  string `json:"title"`
	Number string `json:"number"`
	Issuer string `json:"issuer"`
	Notes  string `json:"notes"`
	Reason string `json:"reason"`
}

// Correct changes a published bulletin, keeping it as it was as a numbered
// revision with the reason.
func (s *Service) Correct(ctx context.Context, id int64, c Correction, version int) (Bulletin, error) {
	return s.rewrite(ctx, id, version, "bulletin.correct", func(tx *sql.Tx, before Bulletin) error {
		in := Input{Title: c.Title, Number: c.Number, Issuer: c.Issuer, Lang: before.Lang, PeriodFrom: before.PeriodFrom, PeriodTo: before.PeriodTo, Notes: c.Notes}
		var v errs.Validation
		in.check(&v)
		v.Text("reason", c.Reason, true, 1000)
		if err := v.Err(); err != nil {
			return err
		}
		if before.Status != Published {
			return errs.New(errs.Conflict, "error.bulletin.not_published")
		}
		prev, err := json.Marshal(before)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bulletin_revisions (bulletin_id, number, reason, previous, recorded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
			id, before.Revision+1, c.Reason, string(prev), access.FromContext(ctx).LoginOrSystem(), s.Clock.Now()); err != nil {
			return err
		}
		doc := *before.Document
		doc.Head = Head{Title: in.Title, Number: in.Number, Issuer: in.Issuer, IssuedOn: doc.IssuedOn, PeriodFrom: doc.PeriodFrom, PeriodTo: doc.PeriodTo, Lang: doc.Lang}
		doc.Sections = slices.Clone(doc.Sections)
		doc.Sections[len(doc.Sections)-1] = practiceSection(in.Lang, in.Notes)
		content, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bulletins SET title=$1, number=$2, issuer=$3, notes=$4, content=$5, revision = revision + 1, updated_at=$6 WHERE id=$7`,
			in.Title, in.Number, in.Issuer, in.Notes, string(content), s.Clock.Now(), id); err != nil {
			return err
		}
		return nil
	})
}

// Revisions lists a published bulletin's earlier records, the first first.
func (s *Service) Revisions(ctx context.Context, id int64) ([]Revision, error) {
	if err := access.FromContext(ctx).Check(access.ViewBulletins, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, func(row db.Scanner) (Revision, error) {
		var r Revision
		var prev string
		if err := row.Scan(&r.Number, &r.Reason, &prev, &r.RecordedBy, &r.CreatedAt); err != nil {
			return r, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		return r, json.Unmarshal([]byte(prev), &r.Previous)
	}, `SELECT number, reason, previous, recorded_by, created_at FROM bulletin_revisions WHERE bulletin_id = $1 ORDER BY number`, id)
}

// Document is what a bulletin says: the frozen document of a published
// one, or a draft's generated from live data now.
func (s *Service) Document(ctx context.Context, id int64) (Bulletin, Document, error) {
	b, err := s.Bulletin(ctx, id)
	if err != nil || b.Document != nil {
		return b, *orEmpty(b.Document), err
	}
	today := clock.Today(s.Clock)
	b.IssuedOn = &today
	doc, err := s.generate(ctx, s.DB.R, b)
	return b, doc, err
}

func orEmpty(d *Document) *Document {
	if d == nil {
		return &Document{}
	}
	return d
}

// rewrite claims the bulletin's version, applies change and records it with
// the bulletin before and after.
func (s *Service) rewrite(ctx context.Context, id int64, version int, action string, change func(*sql.Tx, Bulletin) error) (Bulletin, error) {
	if err := access.FromContext(ctx).Check(access.ManageBulletins, 0); err != nil {
		return Bulletin{}, err
	}
	var after Bulletin
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE bulletins SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.StaleVersion(before)
		}
		if err := change(tx, before); err != nil {
			return err
		}
		if after, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "bulletin", ObjectID: id, Before: before, After: after})
	})
	return after, err
}

func (s *Service) write(ctx context.Context, tx *sql.Tx, id int64, in Input) error {
	_, err := tx.ExecContext(ctx, `UPDATE bulletins SET title=$1, number=$2, issuer=$3, lang=$4, period_from=$5, period_to=$6, notes=$7, updated_at=$8 WHERE id=$9`,
		in.Title, in.Number, in.Issuer, in.Lang, in.PeriodFrom, in.PeriodTo, in.Notes, s.Clock.Now(), id)
	return err
}
