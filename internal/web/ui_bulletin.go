package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/i18n"
)

// ---- the list of bulletins ----

type bulletinsData struct {
	Bulletins []bulletin.Bulletin
	Defaults  url.Values // the new bulletin's form: last month, the office
}

func (s *Server) bulletinsPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &bulletinsData{}
	p := s.newPage(r, "bulletin.ui.page.bulletins", d)
	p.Form = f
	var err error
	if d.Bulletins, err = s.Bulletins.Bulletins(ctx); err != nil {
		return "", p, err
	}
	if p.Can("bulletin.manage") {
		al, err := s.Alliance.Get(ctx)
		if err != nil {
			return "", p, err
		}
		today := clock.Today(clock.System).Time()
		first := time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC)
		from := clock.DayOf(first)
		d.Defaults = url.Values{"lang": {p.Lang}, "period_from": {from.String()}, "period_to": {from.MonthEnd().String()},
			"issuer": {p.T("bulletin.ui.default_issuer", al.Name.In(p.Lang))},
			"title":  {p.T("bulletin.ui.default_title", first.Year(), int(first.Month()))}}
	}
	return "bulletins", p, nil
}

// BulletinBadge shows whether a bulletin is a draft or published.
func (p pageData) BulletinBadge(st bulletin.Status) badge {
	class := map[bulletin.Status]string{bulletin.Draft: "light-not_started", bulletin.Published: "light-closed"}[st]
	return badge{Class: class, Text: p.T("bulletin.status." + string(st))}
}

// BulletinLanguages are the languages a bulletin can be written in.
func (p pageData) BulletinLanguages() []option {
	out := make([]option, len(i18n.Languages))
	for i, l := range i18n.Languages {
		out[i] = option{l, p.T("lang." + l)}
	}
	return out
}

// bulletinInput reads a bulletin's form.
func bulletinInput(f *formIn) bulletin.Input {
	return bulletin.Input{Title: f.text("title"), Number: f.text("number"), Issuer: f.text("issuer"), Lang: f.text("lang"),
		PeriodFrom: f.date("period_from"), PeriodTo: f.date("period_to"), Notes: f.vals.Get("notes")}
}

func (s *Server) submitCreateBulletin(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := bulletinInput(f)
	err := f.err()
	var b bulletin.Bulletin
	if err == nil {
		b, err = s.Bulletins.Create(r.Context(), in)
	}
	s.finish(w, r, err, "bulletin", s.bulletinsPage, "/bulletins/"+itoa(b.ID))
}

// ---- one bulletin ----

type bulletinData struct {
	Bulletin  bulletin.Bulletin
	Body      template.HTML
	Revisions []bulletin.Revision
	Formats   []string
}

// Values fill the edit and correction forms from the bulletin.
func (d *bulletinData) Values() url.Values {
	b := d.Bulletin
	return url.Values{"title": {b.Title}, "number": {b.Number}, "issuer": {b.Issuer}, "lang": {b.Lang},
		"period_from": {b.PeriodFrom.String()}, "period_to": {b.PeriodTo.String()}, "notes": {b.Notes}}
}

func (s *Server) bulletinPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &bulletinData{Formats: []string{"html", "pdf", "docx", "xlsx"}}
	p := s.newPage(r, "bulletin.ui.page.bulletin", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	b, doc, err := s.Bulletins.Document(ctx, id)
	if err != nil {
		return "", p, err
	}
	d.Bulletin = b
	p.Title = b.Title
	var buf bytes.Buffer
	if err := doc.Article(&buf); err != nil {
		return "", p, err
	}
	// The article comes from the bulletin's own template, which escapes
	// every value.
	d.Body = template.HTML(buf.String())
	if d.Revisions, err = s.Bulletins.Revisions(ctx, id); err != nil {
		return "", p, err
	}
	return "bulletin", p, nil
}

// Chromium reports whether PDFs can be printed on this server.
func (d *bulletinData) Chromium() bool { return bulletin.Chromium() != "" }

func (s *Server) bulletinAction(formID string, apply func(r *http.Request, f *formIn, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := readForm(w, r)
		id, err := pathID(r, "id")
		if err == nil {
			err = apply(r, f, id)
		}
		s.finish(w, r, err, formID, s.bulletinPage, "/bulletins/"+itoa(id))
	}
}

func (s *Server) editBulletin(r *http.Request, f *formIn, id int64) error {
	in, version := bulletinInput(f), f.version()
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Bulletins.Update(r.Context(), id, in, version)
	return err
}

func (s *Server) publishBulletin(r *http.Request, f *formIn, id int64) error {
	version := f.version()
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Bulletins.Publish(r.Context(), id, version)
	return err
}

func (s *Server) correctBulletin(r *http.Request, f *formIn, id int64) error {
	c := bulletin.Correction{Title: f.text("title"), Number: f.text("number"), Issuer: f.text("issuer"), Notes: f.vals.Get("notes"), Reason: f.text("reason")}
	version := f.version()
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Bulletins.Correct(r.Context(), id, c, version)
	return err
}
