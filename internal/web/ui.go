package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/errs"
	"concord/internal/i18n"
)

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) {
	if actorOf(r).UserID != 0 {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, "page.login", nil)
	p.Form = form{Values: url.Values{"next": {r.URL.Query().Get("next")}}}
	s.render(w, r, "login", p)
}

func (s *Server) submitLogin(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	_, err := s.startSession(w, r, loginInput{Login: r.PostFormValue("login"), Password: r.PostFormValue("password")})
	if err != nil {
		if e, ok := errs.As(err); ok && (e.Kind == errs.Unauthorized || e.Kind == errs.Locked) {
			p := s.newPage(r, "page.login", nil)
			_, body := s.describe(r, err)
			r.PostForm.Del("password")
			p.Form = form{Values: r.PostForm, Message: body.Message}
			s.renderStatus(w, r, http.StatusUnauthorized, "login", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) submitLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.Accounts.Logout(r.Context(), sessionToken(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// submitLanguage switches the UI language for this browser and, when
// signed in, remembers it as the user's choice.
func (s *Server) submitLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		s.fail(w, r, &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "lang", Key: "error.choice"}}})
		return
	}
	if actorOf(r).UserID != 0 {
		if _, err := s.Accounts.SetOwnLanguage(r.Context(), lang); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, s.cookie(r, langCookie, lang, 365*24*3600))
	back := r.PostFormValue("back")
	http.Redirect(w, r, safeNext(back), http.StatusSeeOther)
}

// homeData is the home page of the administrators, who see no dashboard:
// the latest entries of the audit trail for the audit administrator, links
// to their work for the others.
type homeData struct {
	Recent []audit.Entry
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	d := homeData{}
	p := s.newPage(r, "page.home", &d)
	if actorOf(r).Can(access.SearchAudit, 0) {
		es, _, err := s.Audit.Search(r.Context(), audit.Filter{}, 10, 0)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Recent = es
	}
	s.render(w, r, "home", p)
}

// submitRenameAlliance changes the alliance's names (system administrator).
func (s *Server) submitRenameAlliance(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := unitInput(r) // the same three name fields as a unit's form
	if _, err := s.Alliance.Rename(r.Context(), in.Name, formVersion(r)); err != nil {
		s.formFailed(w, r, err, "alliance", func(f form) (string, pageData) { n, p, _ := s.unitsPage(r, f); return n, p })
		return
	}
	done(w, r, "/units", "flash.saved")
}

type unitsData struct {
	Alliance alliance.Alliance
	Units    []alliance.Unit
	Kinds    []alliance.UnitKind
	ByID     map[int64]alliance.Unit
}

func (s *Server) unitsData(r *http.Request) (*unitsData, error) {
	units, err := s.Alliance.Units(r.Context(), true)
	if err != nil {
		return nil, err
	}
	a, err := s.Alliance.Get(r.Context())
	if err != nil {
		return nil, err
	}
	d := &unitsData{Alliance: a, Units: units, Kinds: alliance.UnitKinds, ByID: map[int64]alliance.Unit{}}
	for _, u := range units {
		d.ByID[u.ID] = u
	}
	return d, nil
}

func (s *Server) pageUnits(w http.ResponseWriter, r *http.Request) { s.showUnits(w, r, form{}) }

func (s *Server) showUnits(w http.ResponseWriter, r *http.Request, f form) {
	name, p, err := s.unitsPage(r, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderStatus(w, r, statusFor(f), name, p)
}

func statusFor(f form) int {
	if f.Message != "" {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func (s *Server) unitsPage(r *http.Request, f form) (string, pageData, error) {
	d, err := s.unitsData(r)
	p := s.newPage(r, "page.units", d)
	p.Form = f
	return "units", p, err
}

// unitInput reads a unit form.
func unitInput(r *http.Request) alliance.UnitInput {
	in := alliance.UnitInput{
		Code: strings.TrimSpace(r.PostFormValue("code")),
		Name: alliance.Names{ZhHans: strings.TrimSpace(r.PostFormValue("name.zh_hans")), ZhHant: strings.TrimSpace(r.PostFormValue("name.zh_hant")), En: strings.TrimSpace(r.PostFormValue("name.en"))},
		Kind: alliance.UnitKind(r.PostFormValue("kind")),
	}
	if p, err := strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64); err == nil && p > 0 {
		in.ParentID = &p
	}
	active := r.PostFormValue("active") != "false"
	in.Active = &active
	return in
}

// formVersion is the version a form was filled against.
func formVersion(r *http.Request) int {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	return v
}

func (s *Server) submitCreateUnit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	u, err := s.Alliance.CreateUnit(r.Context(), unitInput(r))
	if err != nil {
		s.formFailed(w, r, err, "create", func(f form) (string, pageData) { n, p, _ := s.unitsPage(r, f); return n, p })
		return
	}
	done(w, r, "/units/"+itoa(u.ID), "flash.saved")
}

type unitData struct {
	Unit    alliance.Unit
	Units   []alliance.Unit
	Kinds   []alliance.UnitKind
	Members []accounts.User
}

func (s *Server) unitPage(r *http.Request, f form) (string, pageData, error) {
	id, _ := pathID(r, "id")
	u, err := s.Alliance.Unit(r.Context(), id)
	if err != nil {
		return "", pageData{}, err
	}
	units, err := s.Alliance.Units(r.Context(), true)
	if err != nil {
		return "", pageData{}, err
	}
	d := &unitData{Unit: u, Units: units, Kinds: alliance.UnitKinds}
	if actorOf(r).Can(access.ListUsers, u.ID) {
		if d.Members, _, err = s.Accounts.Users(r.Context(), accounts.UserFilter{UnitID: u.ID}, 200, 0); err != nil {
			return "", pageData{}, err
		}
	}
	p := s.newPage(r, "page.unit", d)
	p.Title = u.Name.In(p.Lang)
	p.Form = f
	return "unit", p, nil
}

func (s *Server) pageUnit(w http.ResponseWriter, r *http.Request) {
	name, p, err := s.unitPage(r, form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, name, p)
}

func (s *Server) submitUpdateUnit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := pathID(r, "id")
	_, err := s.Alliance.UpdateUnit(r.Context(), id, unitInput(r), formVersion(r))
	if err != nil {
		s.formFailed(w, r, err, "edit", func(f form) (string, pageData) {
			n, p, e := s.unitPage(r, f)
			if e != nil {
				return "error", s.newPage(r, "page.error", nil)
			}
			return n, p
		})
		return
	}
	done(w, r, "/units/"+itoa(id), "flash.saved")
}

func (s *Server) areasPage(r *http.Request, f form) (string, pageData) {
	areas, err := s.Alliance.Areas(r.Context())
	p := s.newPage(r, "page.areas", areas)
	if err != nil {
		f.Message = err.Error()
	}
	p.Form = f
	return "areas", p
}

func (s *Server) pageAreas(w http.ResponseWriter, r *http.Request) {
	name, p := s.areasPage(r, form{})
	s.render(w, r, name, p)
}

func areaInput(r *http.Request) alliance.AreaInput {
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	active := r.PostFormValue("active") != "false"
	return alliance.AreaInput{
		Code:     strings.TrimSpace(r.PostFormValue("code")),
		Name:     alliance.Names{ZhHans: strings.TrimSpace(r.PostFormValue("name.zh_hans")), ZhHant: strings.TrimSpace(r.PostFormValue("name.zh_hant")), En: strings.TrimSpace(r.PostFormValue("name.en"))},
		Position: pos, Active: &active,
	}
}

func (s *Server) submitCreateArea(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if _, err := s.Alliance.CreateArea(r.Context(), areaInput(r)); err != nil {
		s.formFailed(w, r, err, "create", func(f form) (string, pageData) { return s.areasPage(r, f) })
		return
	}
	done(w, r, "/areas", "flash.saved")
}

func (s *Server) submitUpdateArea(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := pathID(r, "id")
	if _, err := s.Alliance.UpdateArea(r.Context(), id, areaInput(r), formVersion(r)); err != nil {
		s.formFailed(w, r, err, "area-"+itoa(id), func(f form) (string, pageData) { return s.areasPage(r, f) })
		return
	}
	done(w, r, "/areas", "flash.saved")
}

type usersData struct {
	Users  []accounts.User
	Units  []alliance.Unit
	ByID   map[int64]alliance.Unit
	Filter accounts.UserFilter
	Pager  pager
}

// pager is what a paginated page needs to link to its neighbours.
type pager struct {
	Page, PerPage, Total int
	Query                url.Values
}

func (p pager) Pages() int { return (p.Total + p.PerPage - 1) / p.PerPage }

// Link is the URL query for page n.
func (p pager) Link(n int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return "?" + q.Encode()
}

func (s *Server) usersPage(r *http.Request, f form) (string, pageData, error) {
	pg, err := pageOf(r)
	if err != nil {
		return "", pageData{}, err
	}
	filter, err := userFilter(r)
	if err != nil {
		return "", pageData{}, err
	}
	users, total, err := s.Accounts.Users(r.Context(), filter, pg.PerPage, pg.offset())
	if err != nil {
		return "", pageData{}, err
	}
	ud, err := s.unitsData(r)
	if err != nil {
		return "", pageData{}, err
	}
	d := &usersData{Users: users, Units: ud.Units, ByID: ud.ByID, Filter: filter, Pager: pager{pg.Page, pg.PerPage, total, r.URL.Query()}}
	p := s.newPage(r, "page.users", d)
	p.Form = f
	return "users", p, nil
}

func (s *Server) pageUsers(w http.ResponseWriter, r *http.Request) {
	name, p, err := s.usersPage(r, form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, name, p)
}

func userInput(r *http.Request) accounts.UserInput {
	unit, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	in := accounts.UserInput{
		Login: strings.TrimSpace(r.PostFormValue("login")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Email: strings.TrimSpace(r.PostFormValue("email")), UnitID: unit, Language: r.PostFormValue("language"),
		Disabled: r.PostFormValue("disabled") == "true", Password: r.PostFormValue("password"),
	}
	for _, role := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(role))
	}
	return in
}

func (s *Server) submitCreateUser(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	u, err := s.Accounts.CreateUser(r.Context(), userInput(r))
	if err != nil {
		r.PostForm.Del("password")
		s.formFailed(w, r, err, "create", func(f form) (string, pageData) {
			n, p, e := s.usersPage(r, f)
			if e != nil {
				return "error", s.newPage(r, "page.error", nil)
			}
			return n, p
		})
		return
	}
	done(w, r, "/users/"+itoa(u.ID), "flash.saved")
}

type userData struct {
	User   accounts.User
	Unit   alliance.Unit
	Units  []alliance.Unit
	Tokens []accounts.Token
}

func (s *Server) userPage(r *http.Request, f form) (string, pageData, error) {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	u, err := s.Accounts.User(ctx, id)
	if err != nil {
		return "", pageData{}, err
	}
	d := &userData{User: u}
	if d.Unit, err = s.Alliance.Unit(ctx, u.UnitID); err != nil {
		return "", pageData{}, err
	}
	if d.Units, err = s.Alliance.Units(ctx, false); err != nil {
		return "", pageData{}, err
	}
	if actorOf(r).Can(access.ManageTokens, 0) {
		if d.Tokens, err = s.Accounts.Tokens(ctx, id); err != nil {
			return "", pageData{}, err
		}
	}
	p := s.newPage(r, "page.user", d)
	p.Title = u.Name + " (" + u.Login + ")"
	p.Form = f
	return "user", p, nil
}

func (s *Server) pageUser(w http.ResponseWriter, r *http.Request) {
	name, p, err := s.userPage(r, form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, name, p)
}

// userFormDone finishes one of the forms on a user's page.
func (s *Server) userFormDone(w http.ResponseWriter, r *http.Request, formID string, err error) {
	if err != nil {
		r.PostForm.Del("password")
		s.formFailed(w, r, err, formID, func(f form) (string, pageData) {
			n, p, e := s.userPage(r, f)
			if e != nil {
				return "error", s.newPage(r, "page.error", nil)
			}
			return n, p
		})
		return
	}
	done(w, r, "/users/"+r.PathValue("id"), "flash.saved")
}

func (s *Server) submitUpdateUser(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := pathID(r, "id")
	_, err := s.Accounts.UpdateUser(r.Context(), id, userInput(r), formVersion(r))
	s.userFormDone(w, r, "edit", err)
}

func (s *Server) submitSetRoles(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := pathID(r, "id")
	_, err := s.Accounts.SetRoles(r.Context(), id, userInput(r).Roles, formVersion(r))
	s.userFormDone(w, r, "roles", err)
}

func (s *Server) submitResetPassword(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := pathID(r, "id")
	_, err := s.Accounts.ResetPassword(r.Context(), id, r.PostFormValue("password"), formVersion(r))
	s.userFormDone(w, r, "password", err)
}

type auditData struct {
	Entries []audit.Entry
	Pager   pager
	Query   url.Values
}

func (s *Server) pageAudit(w http.ResponseWriter, r *http.Request) {
	pg, err := pageOf(r)
	var f audit.Filter
	if err == nil {
		f, err = auditFilter(r)
	}
	d := &auditData{Query: r.URL.Query()}
	p := s.newPage(r, "page.audit", d)
	if err != nil {
		_, body := s.describe(r, err)
		p.Form = form{Values: r.URL.Query(), Errors: map[string]string{}, Message: body.Message}
		for _, fe := range body.Fields {
			p.Form.Errors[fe.Field] = fe.Message
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "audit", p)
		return
	}
	es, total, err := s.Audit.Search(r.Context(), f, pg.PerPage, pg.offset())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Entries, d.Pager = es, pager{pg.Page, pg.PerPage, total, r.URL.Query()}
	p.Form = form{Values: r.URL.Query()}
	s.render(w, r, "audit", p)
}

type historyEntry struct {
	audit.Entry
	Changes []change
}

type historyData struct {
	Type    string
	ID      int64
	Entries []historyEntry
}

func (s *Server) pageHistory(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	typ := r.PathValue("type")
	es, err := s.Audit.History(r.Context(), typ, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &historyData{Type: typ, ID: id}
	for _, e := range es {
		d.Entries = append(d.Entries, historyEntry{e, diff(e.Before, e.After)})
	}
	p := s.newPage(r, "page.history", d)
	p.Title = p.T("page.history") + " · " + p.T("object."+typ) + " #" + itoa(id)
	s.render(w, r, "history", p)
}

type profileData struct {
	User     accounts.User
	Unit     alliance.Unit
	Tokens   []accounts.Token
	NewToken string
}

func (s *Server) profilePage(r *http.Request, f form, newToken string) (string, pageData, error) {
	ctx := r.Context()
	a := actorOf(r)
	u, err := s.Accounts.User(ctx, a.UserID)
	if err != nil {
		return "", pageData{}, err
	}
	d := &profileData{User: u, NewToken: newToken}
	if d.Unit, err = s.Alliance.Unit(ctx, u.UnitID); err != nil {
		return "", pageData{}, err
	}
	if d.Tokens, err = s.Accounts.Tokens(ctx, a.UserID); err != nil {
		return "", pageData{}, err
	}
	p := s.newPage(r, "page.profile", d)
	p.Form = f
	return "profile", p, nil
}

func (s *Server) pageProfile(w http.ResponseWriter, r *http.Request) {
	name, p, err := s.profilePage(r, form{}, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, name, p)
}

func (s *Server) profileFailed(w http.ResponseWriter, r *http.Request, formID string, err error) {
	r.PostForm.Del("old_password")
	r.PostForm.Del("password")
	s.formFailed(w, r, err, formID, func(f form) (string, pageData) {
		n, p, e := s.profilePage(r, f, "")
		if e != nil {
			return "error", s.newPage(r, "page.error", nil)
		}
		return n, p
	})
}

func (s *Server) submitChangePassword(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		s.profileFailed(w, r, "password", &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "password2", Key: "error.password.mismatch"}}})
		return
	}
	if _, err := s.Accounts.ChangeOwnPassword(r.Context(), r.PostFormValue("old_password"), r.PostFormValue("password")); err != nil {
		s.profileFailed(w, r, "password", err)
		return
	}
	// Changing the password ends every session, this one too: sign in again.
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	done(w, r, "/login", "flash.password_changed")
}

func (s *Server) submitCreateToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	t, err := s.Accounts.CreateToken(r.Context(), strings.TrimSpace(r.PostFormValue("name")))
	if err != nil {
		s.profileFailed(w, r, "token", err)
		return
	}
	// The secret is shown once, on this response, and never stored in clear.
	name, p, err := s.profilePage(r, form{}, t.Secret)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderStatus(w, r, http.StatusCreated, name, p)
}

func (s *Server) submitRevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Accounts.RevokeToken(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	done(w, r, back, "flash.revoked")
}
