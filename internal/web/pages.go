package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/errs"
	"concord/internal/i18n"
)

//go:embed templates
var templateFiles embed.FS

type pages struct{ byName map[string]*template.Template }

// parsePages parses the layout with each page once, at start-up, so a
// broken template stops the server from starting rather than a request.
func parsePages() (*pages, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"add":   func(a, b int) int { return a + b },
	"split": strings.Fields,
	"pretty": func(raw json.RawMessage) string {
		var buf bytes.Buffer
		if len(raw) == 0 || json.Indent(&buf, raw, "", "  ") != nil {
			return string(raw)
		}
		return buf.String()
	},
}

// form is the state of a submitted form shown again: its values, and the
// error of each field in the user's language.
type form struct {
	Values  url.Values
	Errors  map[string]string
	Message string // an error about the whole form
	ID      string // which form on the page it belongs to
}

// Get is a submitted value, or def when the form was not submitted.
func (f form) Get(name, def string) string {
	if f.Values == nil {
		return def
	}
	return f.Values.Get(name)
}

// pageData is what every template receives.
type pageData struct {
	Title    string
	Lang     string
	Actor    *access.Actor
	UserName string
	CSRF     string
	Path     string
	Alliance alliance.Names
	Flash    string
	Form     form
	Data     any
}

// T translates key into the page's language.
func (p pageData) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Can reports whether the viewer may do action on objects of unit 0/any.
func (p pageData) Can(action string) bool { return p.Actor.Can(access.Action(action), 0) }

// CanIn reports whether the viewer may do action on objects of unit.
func (p pageData) CanIn(action string, unit int64) bool {
	return p.Actor.Can(access.Action(action), unit)
}

// Name picks the name in the page's language.
func (p pageData) Name(n alliance.Names) string { return n.In(p.Lang) }

// Time formats a time for people, in China Standard Time.
func (p pageData) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

// Languages lists the UI languages with their own names.
func (p pageData) Languages() []string { return i18n.Languages }

// Roles lists every role.
func (p pageData) Roles() []access.Role { return access.Roles }

// Signed reports whether someone is signed in.
func (p pageData) Signed() bool { return p.Actor != nil && p.Actor.UserID != 0 }

// Err is the error of a form field, if any.
func (p pageData) Err(field string) string { return p.Form.Errors[field] }

var cst = time.FixedZone("CST", 8*3600)

func (s *Server) newPage(r *http.Request, titleKey string, data any) pageData {
	ri := info(r)
	p := pageData{Lang: ri.lang, Actor: ri.actor, CSRF: ri.csrf, Path: r.URL.Path, Data: data, Flash: r.URL.Query().Get("flash")}
	if p.Flash != "" && !strings.HasPrefix(p.Flash, "flash.") {
		p.Flash = ""
	}
	p.Title = p.T(titleKey)
	if dir, err := s.allianceDir(r.Context()); err == nil && dir.Alliance != nil {
		p.Alliance = dir.Alliance.Name
	}
	if p.Signed() {
		p.UserName = p.Actor.Login
	}
	return p
}

// render writes a page with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p pageData) {
	s.renderStatus(w, r, http.StatusOK, name, p)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, p pageData) {
	if p.Lang == "" {
		p = s.newPage(r, "page.error", p.Data)
	}
	t := s.pages.byName[name]
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout.html", p); err != nil {
		s.Log.Error("render", "page", name, "err", err, "request_id", requestID(r))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageBuffers are the buffers pages are drawn into, reused: grown afresh
// for every page (a dashboard is 100 KB) they were most of a page's
// allocations, and so of its garbage collection.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPageBuffer is the largest buffer kept for reuse, so that one huge
// page does not stay in memory.
const maxPageBuffer = 1 << 20

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPageBuffer {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// formFailed shows the page again with the form's errors (422), or fails
// the request when the error is not about the input.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, err error, formID string, show func(form) (string, pageData)) {
	e, ok := errs.As(err)
	if !ok || (e.Kind != errs.Invalid && e.Kind != errs.Conflict) {
		s.fail(w, r, err)
		return
	}
	_, body := s.describe(r, err)
	f := form{Values: r.PostForm, Errors: map[string]string{}, Message: body.Message, ID: formID}
	for _, fe := range body.Fields {
		f.Errors[fe.Field] = fe.Message
	}
	name, p := show(f)
	status := http.StatusUnprocessableEntity
	if e.Kind == errs.Conflict {
		status = http.StatusConflict
	}
	s.renderStatus(w, r, status, name, p)
}

// done redirects after a successful form (post/redirect/get).
func done(w http.ResponseWriter, r *http.Request, to, flash string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"flash="+url.QueryEscape(flash), http.StatusSeeOther)
}

// change is one field that differs between an audit entry's before and after.
type change struct{ Field, Before, After string }

// diff lists the top-level (and one nested level of) fields that changed.
func diff(before, after json.RawMessage) []change {
	flat := func(raw json.RawMessage) map[string]string {
		out := map[string]string{}
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			return out
		}
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				for k2, v2 := range sub {
					out[k+"."+k2] = show(v2)
				}
				continue
			}
			out[k] = show(v)
		}
		return out
	}
	b, a := flat(before), flat(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []change
	for k := range keys {
		if k == "updated_at" || k == "version" || b[k] == a[k] {
			continue
		}
		out = append(out, change{k, b[k], a[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Val is a form field's value: as submitted when formID is the form being
// shown again, otherwise def.
func (p pageData) Val(formID, name, def string) string {
	if p.Form.ID == formID && p.Form.Values != nil {
		return p.Form.Values.Get(name)
	}
	return def
}

// ErrIn is a field's error in form formID.
func (p pageData) ErrIn(formID, field string) string {
	if p.Form.ID != formID {
		return ""
	}
	return p.Form.Errors[field]
}

// MsgIn is the whole-form error of form formID.
func (p pageData) MsgIn(formID string) string {
	if p.Form.ID != formID {
		return ""
	}
	return p.Form.Message
}

// unitForm is the create or edit form of a unit, with values resolved.
type unitForm struct {
	P                  pageData
	ID, Action         string
	Code, Kind, Parent string
	ZhHans, ZhHant, En string
	Active             bool
	Version            int
	Units              []alliance.Unit
	Kinds              []alliance.UnitKind
}

// UnitForm builds the unit form; unit is nil for a new unit.
func (p pageData) UnitForm(formID, action string, unit any, units []alliance.Unit) unitForm {
	f := unitForm{P: p, ID: formID, Action: action, Units: units, Kinds: alliance.UnitKinds, Active: true, Kind: string(alliance.City)}
	if u, ok := unit.(alliance.Unit); ok {
		f.Code, f.Kind, f.ZhHans, f.ZhHant, f.En, f.Active, f.Version = u.Code, string(u.Kind), u.Name.ZhHans, u.Name.ZhHant, u.Name.En, u.Active, u.Version
		if u.ParentID != nil {
			f.Parent = itoa(*u.ParentID)
		}
	}
	f.Code = p.Val(formID, "code", f.Code)
	f.Kind = p.Val(formID, "kind", f.Kind)
	f.Parent = p.Val(formID, "parent_id", f.Parent)
	f.ZhHans = p.Val(formID, "name.zh_hans", f.ZhHans)
	f.ZhHant = p.Val(formID, "name.zh_hant", f.ZhHant)
	f.En = p.Val(formID, "name.en", f.En)
	f.Active = p.Val(formID, "active", map[bool]string{true: "true", false: "false"}[f.Active]) != "false"
	return f
}

// Selected reports whether unit id is the chosen parent.
func (u unitForm) Selected(id int64) bool { return u.Parent == itoa(id) }

type tokenTable struct {
	P      pageData
	Tokens []accounts.Token
	Back   string
}

// TokenTable is the list of tokens with revoke buttons returning to back.
func (p pageData) TokenTable(tokens []accounts.Token, back string) tokenTable {
	return tokenTable{P: p, Tokens: tokens, Back: back}
}

// FieldLabel names a recorded field (such as "name.zh_hans") in the page's
// language, or shows the key itself when the catalogue has no label.
func (p pageData) FieldLabel(key string) string {
	k := "field." + strings.ReplaceAll(key, ".", "_")
	if i18n.Has(p.Lang, k) {
		return p.T(k)
	}
	return key
}
