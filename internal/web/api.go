package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/errs"
)

type loginInput struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// startSession signs in and sets the session cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, in loginInput) (accounts.Session, error) {
	sess, err := s.Accounts.Login(r.Context(), in.Login, in.Password)
	if err != nil {
		return sess, err
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, sess.Token, 0))
	return sess, nil
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	var in loginInput
	if err := decode(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	sess, err := s.startSession(w, r, in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": sess.Token, "csrf_token": sess.CSRF, "user": sess.User})
}

// sessionToken is the token the caller signed in with.
func sessionToken(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.Accounts.Logout(r.Context(), sessionToken(r)); err != nil {
		s.apiFail(w, r, err)
		return
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u, err := s.Accounts.User(r.Context(), actorOf(r).UserID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	unit, err := s.Alliance.Unit(r.Context(), u.UnitID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "login": u.Login, "name": u.Name, "unit": unit, "roles": u.Roles, "language": u.Language})
}

type passwordInput struct {
	OldPassword string `json:"old_password"`
	Password    string `json:"password"`
}

func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) {
	var in passwordInput
	if err := decode(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := s.Accounts.ChangeOwnPassword(r.Context(), in.OldPassword, in.Password)
	respond(s, w, r, u, u.Version, err)
}

func (s *Server) apiSetLanguage(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Language string `json:"language"`
	}
	if err := decode(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := s.Accounts.SetOwnLanguage(r.Context(), in.Language)
	respond(s, w, r, u, u.Version, err)
}

func (s *Server) apiMyTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Accounts.Tokens(r.Context(), actorOf(r).UserID)
	respond(s, w, r, ts, 0, err)
}

func (s *Server) apiUserTokens(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	ts, err := s.Accounts.Tokens(r.Context(), id)
	respond(s, w, r, ts, 0, err)
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	t, err := s.Accounts.CreateToken(r.Context(), in.Name)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Accounts.RevokeToken(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// respond writes v (with its ETag when version > 0) or the error.
func respond(s *Server, w http.ResponseWriter, r *http.Request, v any, version int, err error) {
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if version > 0 {
		w.Header().Set("ETag", etag(version))
	}
	writeJSON(w, http.StatusOK, v)
}

// created writes a newly created object with 201, its ETag and Location.
func created(w http.ResponseWriter, location string, v any, version int) {
	w.Header().Set("ETag", etag(version))
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}

// update decodes a body into in, reads If-Match and calls apply.
func update[In, Out any](s *Server, w http.ResponseWriter, r *http.Request, apply func(id int64, in In, version int) (Out, error), versionOf func(Out) int) {
	var in In
	id, err := pathID(r, "id")
	if err == nil {
		err = decode(r, &in)
	}
	version := 0
	if err == nil {
		version, err = ifMatch(r)
	}
	var out Out
	if err == nil {
		out, err = apply(id, in, version)
	}
	respond(s, w, r, out, versionOf(out), err)
}

// create decodes a body into in and calls apply; location names the result.
func create[In, Out any](s *Server, w http.ResponseWriter, r *http.Request, apply func(in In) (Out, error), where func(Out) (string, int)) {
	var in In
	if err := decode(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	out, err := apply(in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	loc, version := where(out)
	created(w, loc, out, version)
}

func (s *Server) apiAlliance(w http.ResponseWriter, r *http.Request) {
	a, err := s.Alliance.Get(r.Context())
	respond(s, w, r, a, a.Version, err)
}

func (s *Server) apiRenameAlliance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name alliance.Names `json:"name"`
	}
	err := decode(r, &in)
	version := 0
	if err == nil {
		version, err = ifMatch(r)
	}
	var a alliance.Alliance
	if err == nil {
		a, err = s.Alliance.Rename(r.Context(), in.Name, version)
	}
	respond(s, w, r, a, a.Version, err)
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	us, err := s.Alliance.Units(r.Context(), r.URL.Query().Get("retired") == "true")
	respond(s, w, r, us, 0, err)
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u, err := s.Alliance.Unit(r.Context(), id)
	respond(s, w, r, u, u.Version, err)
}

func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in alliance.UnitInput) (alliance.Unit, error) { return s.Alliance.CreateUnit(r.Context(), in) },
		func(u alliance.Unit) (string, int) { return "/api/v1/units/" + itoa(u.ID), u.Version })
}

func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in alliance.UnitInput, v int) (alliance.Unit, error) {
		return s.Alliance.UpdateUnit(r.Context(), id, in, v)
	}, func(u alliance.Unit) int { return u.Version })
}

func (s *Server) apiAreas(w http.ResponseWriter, r *http.Request) {
	as, err := s.Alliance.Areas(r.Context())
	respond(s, w, r, as, 0, err)
}

func (s *Server) apiArea(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var a alliance.Area
	if err == nil {
		a, err = s.Alliance.Area(r.Context(), id)
	}
	respond(s, w, r, a, a.Version, err)
}

func (s *Server) apiCreateArea(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in alliance.AreaInput) (alliance.Area, error) { return s.Alliance.CreateArea(r.Context(), in) },
		func(a alliance.Area) (string, int) { return "/api/v1/areas/" + itoa(a.ID), a.Version })
}

func (s *Server) apiUpdateArea(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in alliance.AreaInput, v int) (alliance.Area, error) {
		return s.Alliance.UpdateArea(r.Context(), id, in, v)
	}, func(a alliance.Area) int { return a.Version })
}

func userFilter(r *http.Request) (accounts.UserFilter, error) {
	f := accounts.UserFilter{Query: r.URL.Query().Get("q")}
	if v := r.URL.Query().Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return f, &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "unit_id", Key: "error.number"}}}
		}
		f.UnitID = id
	}
	return f, nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	var f accounts.UserFilter
	if err == nil {
		f, err = userFilter(r)
	}
	var us []accounts.User
	total := 0
	if err == nil {
		us, total, err = s.Accounts.Users(r.Context(), f, p.PerPage, p.offset())
	}
	respond(s, w, r, newList(us, total, p), 0, err)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u, err := s.Accounts.User(r.Context(), id)
	respond(s, w, r, u, u.Version, err)
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in accounts.UserInput) (accounts.User, error) { return s.Accounts.CreateUser(r.Context(), in) },
		func(u accounts.User) (string, int) { return "/api/v1/users/" + itoa(u.ID), u.Version })
}

func userVersion(u accounts.User) int { return u.Version }

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in accounts.UserInput, v int) (accounts.User, error) {
		return s.Accounts.UpdateUser(r.Context(), id, in, v)
	}, userVersion)
}

type rolesInput struct {
	Roles []access.Role `json:"roles"`
}

func (s *Server) apiSetRoles(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in rolesInput, v int) (accounts.User, error) {
		return s.Accounts.SetRoles(r.Context(), id, in.Roles, v)
	}, userVersion)
}

type resetInput struct {
	Password string `json:"password"`
}

func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in resetInput, v int) (accounts.User, error) {
		return s.Accounts.ResetPassword(r.Context(), id, in.Password, v)
	}, userVersion)
}

// auditFilter reads the audit search parameters; dates are YYYY-MM-DD (in
// UTC, "to" inclusive) or RFC 3339 times.
func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Text: q.Get("q")}
	var v errs.Validation
	parse := func(field string, end bool) time.Time {
		s := q.Get(field)
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			return t
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			v.Add(field, "error.date")
		}
		return t
	}
	f.From, f.To = parse("from", false), parse("to", true)
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		v.Add("to", "error.date_order")
	}
	return f, v.Err()
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	var f audit.Filter
	if err == nil {
		f, err = auditFilter(r)
	}
	var es []audit.Entry
	total := 0
	if err == nil {
		es, total, err = s.Audit.Search(r.Context(), f, p.PerPage, p.offset())
	}
	respond(s, w, r, newList(es, total, p), 0, err)
}

func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	es, err := s.Audit.History(r.Context(), r.PathValue("type"), id)
	if es == nil {
		es = []audit.Entry{}
	}
	respond(s, w, r, es, 0, err)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
