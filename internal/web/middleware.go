package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/plans"
)

// reqInfo is what middleware learns about a request.
type reqInfo struct {
	id     string
	addr   string
	lang   string
	csrf   string // the session's anti-forgery token, for forms
	actor  *access.Actor
	secure bool
	read   bool // a GET or HEAD, which changes nothing
	// dir is the alliance's directory as this read found it (allianceDir).
	dir *alliance.Directory
}

type infoKey struct{}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{lang: i18n.Default}
}

func requestID(r *http.Request) string { return info(r).id }
func langOf(r *http.Request) string    { return info(r).lang }
func actorOf(r *http.Request) *access.Actor {
	return info(r).actor
}

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// base wraps every request: request id, client address, language, security
// headers, recovery from panics (never a stack trace to the client), logs
// and metrics.
func (s *Server) base(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: r.Header.Get("X-Request-ID"), addr: s.clientAddr(r), secure: r.TLS != nil,
			read: r.Method == http.MethodGet || r.Method == http.MethodHead}
		if !safeRequestID.MatchString(ri.id) {
			ri.id = newID()
		}
		if s.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https" {
			ri.secure = true
		}
		ri.lang = i18n.Negotiate(r.Header.Get("Accept-Language"))
		if c, err := r.Cookie(langCookie); err == nil && i18n.Valid(c.Value) {
			ri.lang = c.Value
		}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, ri))
		h := w.Header()
		h.Set("X-Request-ID", ri.id)
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if ri.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "panic", p, "request_id", ri.id, "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.fail(sw, r, errs.New(errs.Internal, "error.internal"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			s.metrics.observe(route, r.Method, sw.status, time.Since(start))
			s.Log.Info("request", "request_id", ri.id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"ms", float64(time.Since(start).Microseconds())/1000, "user", loginOf(ri.actor), "addr", ri.addr)
		}()
		next.ServeHTTP(sw, r)
	})
}

func loginOf(a *access.Actor) string {
	if a == nil {
		return ""
	}
	return a.Login
}

func (s *Server) clientAddr(r *http.Request) string {
	if s.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

const (
	sessionCookie = "concord_session"
	langCookie    = "concord_lang"
)

// authenticate finds the actor from a bearer token or the session cookie.
// It reports whether the session cookie was used (so CSRF applies).
func (s *Server) authenticate(r *http.Request) (viaCookie bool, err error) {
	ri := info(r)
	token := ""
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || t == "" {
			return false, errs.New(errs.Unauthorized, "error.unauthorized")
		}
		token = t
	} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		token, viaCookie = c.Value, true
	} else {
		return false, nil
	}
	a, csrf, err := s.Accounts.Authenticate(r.Context(), token)
	if err != nil {
		return viaCookie, err
	}
	a.RequestID, a.ClientAddr = ri.id, ri.addr
	ri.actor, ri.csrf = a, csrf
	// A language chosen in this browser wins; otherwise the user's own choice.
	if _, err := r.Cookie(langCookie); err != nil {
		if a.Language != "" {
			ri.lang = a.Language
		}
	}
	return viaCookie, nil
}

// admit waits for a slot to serve a read (a GET or HEAD of a page or the
// API), and reports false if the client gave up meanwhile. Reads are what
// a crowd sends; past a few per CPU more at once only share the cores
// more thinly, so that a costly page served beside fifty others takes
// fifty times as long as alone. Waiting readers are let in first come,
// first served (a channel queues its senders in order), so each waits
// about as long as the queue, whatever it asks for. Writes are not held
// back: they are few, and an upload may take the client's time.
func (s *Server) admit(r *http.Request) bool {
	select {
	case s.reads <- struct{}{}:
		return true
	case <-r.Context().Done():
		return false
	}
}

// wrap applies admission, authentication, CSRF and the route's permission
// rule.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info(r).read {
			if !s.admit(r) {
				return
			}
			defer func() { <-s.reads }()
		}
		ri := info(r)
		ri.actor = &access.Actor{RequestID: ri.id, ClientAddr: ri.addr}
		viaCookie, err := s.authenticate(r)
		if err != nil && rt.Action != access.Public {
			s.deny(w, r, rt, err)
			return
		}
		ctx := access.WithActor(r.Context(), ri.actor)
		r = r.WithContext(ctx)
		// CSRF protects a signed-in session; a stale cookie on a public route
		// (signing in again) has no session to protect.
		if viaCookie && ri.actor.UserID != 0 && !safeMethod(r.Method) && !s.validCSRF(r) {
			s.deny(w, r, rt, errs.New(errs.Forbidden, "error.csrf"))
			return
		}
		if rt.Action != access.Public {
			if ri.actor.UserID == 0 {
				s.deny(w, r, rt, errs.New(errs.Unauthorized, "error.unauthorized"))
				return
			}
			unit := int64(0)
			if rt.Scope != nil {
				if unit, err = rt.Scope(s, r); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			if err := ri.actor.Check(rt.Action, unit); err != nil {
				s.deny(w, r, rt, err)
				return
			}
		}
		rt.Handler(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// validCSRF accepts the session's token from the X-CSRF-Token header (htmx,
// fetch) or the csrf form field, and insists the request comes from our own
// origin when the browser says where it comes from.
func (s *Server) validCSRF(r *http.Request) bool {
	want := info(r).csrf
	if want == "" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return false
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	ct := r.Header.Get("Content-Type")
	if got == "" && (strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")) {
		// Forms with files post as multipart even without JavaScript, so
		// the body is read here: capped at the largest upload (an evidence
		// file) plus room for the form's fields.
		r.Body = http.MaxBytesReader(nil, r.Body, plans.MaxAttachment+1<<20)
		got = r.FormValue("csrf")
	}
	return got == want
}

// deny answers a refused request, recording permission denials on the audit
// trail. UI routes send anonymous users to the sign-in page.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, rt Route, err error) {
	if !rt.API && errs.Is(err, errs.Unauthorized) {
		if c, e := r.Cookie(sessionCookie); e == nil && c.Value != "" {
			http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
		}
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	s.fail(w, r, err)
}

// fail answers with an error: JSON for the API, an error page for the UI.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.apiFail(w, r, err)
		return
	}
	s.recordIfDenied(r, err)
	status, body := s.describe(r, err)
	s.renderStatus(w, r, status, "error", pageData{Title: i18n.T(langOf(r), "page.error"), Data: body})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func (s *Server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	secure := s.CookieSecure == "always" || s.CookieSecure == "auto" && info(r).secure
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database unreachable"})
		return
	}
	if err := s.DB.CheckSchema(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "schema behind"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	// Best effort, so the page shows the signed-in header; an invalid
	// session just leaves the visitor anonymous.
	s.authenticate(r)
	s.fail(w, r, errs.New(errs.NotFound, "error.no_route"))
}
