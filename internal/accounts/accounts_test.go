package accounts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
)

const pw = "Secret-pass-1" // every fixture user's password

// clock is the services' clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a store with units and one user of each kind the tests need.
type fixture struct {
	d                  *db.DB
	s                  *accounts.Service
	dir                *alliance.Service
	clock              *clock
	unitA, unitB, old  alliance.Unit
	sec, sys, aud      accounts.User // the three administrators, in unit A
	leaderA, reporterA accounts.User
	leaderB, viewerB   accounts.User
	byLogin            map[string]accounts.User
	settings           accounts.Settings
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{d: d, clock: &clock{t: time.Now().UTC()}, dir: &alliance.Service{DB: d}, byLogin: map[string]accounts.User{}}
	f.settings = accounts.Settings{MaxFailedLogins: 3, LockoutFor: 10 * time.Minute, SessionIdle: 30 * time.Minute, SessionMax: 2 * time.Hour}
	f.s = &accounts.Service{DB: d, Settings: f.settings, Now: f.clock.Now}
	// The system administrator who sets up units need not be a stored user.
	sysCtx := access.WithActor(context.Background(), &access.Actor{UserID: 999, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	unit := func(code string, active bool) alliance.Unit {
		u, err := f.dir.CreateUnit(sysCtx, alliance.UnitInput{Code: code, Name: alliance.Names{ZhHans: code}, Kind: alliance.City, Active: &active})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.unitA, f.unitB, f.old = unit("unit-a", true), unit("unit-b", true), unit("retired", false)
	user := func(login string, unit alliance.Unit, roles ...access.Role) accounts.User {
		u, err := f.s.Bootstrap(context.Background(), accounts.UserInput{Login: login, Name: "User " + login, UnitID: unit.ID, Password: pw, Roles: roles})
		if err != nil {
			t.Fatalf("Bootstrap %s: %v", login, err)
		}
		f.byLogin[login] = u
		return u
	}
	f.sec = user("sec", f.unitA, access.SecAdmin)
	f.sys = user("sys", f.unitA, access.SysAdmin)
	f.aud = user("aud", f.unitA, access.AuditAdmin)
	f.leaderA = user("leader-a", f.unitA, access.UnitLeader)
	f.reporterA = user("reporter-a", f.unitA, access.Reporter)
	f.leaderB = user("leader-b", f.unitB, access.UnitLeader)
	f.viewerB = user("viewer-b", f.unitB, access.Viewer)
	return f
}

func as(u accounts.User) context.Context {
	return access.WithActor(context.Background(), &access.Actor{UserID: u.ID, Login: u.Login, UnitID: u.UnitID, Roles: u.Roles})
}

var anonymous = context.Background()

// fresh reads a user as it is now (for its current version).
func (f *fixture) fresh(t *testing.T, u accounts.User) accounts.User {
	t.Helper()
	got, err := f.s.User(as(f.sec), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *fixture) auditCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.R.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// audited runs fn and checks it wrote exactly one audit entry with action
// about object; it returns the entry.
func (f *fixture) audited(t *testing.T, action, objectType string, objectID int64, fn func()) audit.Entry {
	t.Helper()
	n := f.auditCount(t)
	fn()
	if got := f.auditCount(t) - n; got != 1 {
		t.Fatalf("%s: %d audit entries written, want 1", action, got)
	}
	es, _, err := (&audit.Store{DB: f.d}).Search(context.Background(), audit.Filter{}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	e := es[0]
	wantID := ""
	if objectID != 0 {
		wantID = strconv.FormatInt(objectID, 10)
	}
	if e.Action != action || e.ObjectType != objectType || e.ObjectID != wantID {
		t.Fatalf("audit entry %s %s %s, want %s %s %s", e.Action, e.ObjectType, e.ObjectID, action, objectType, wantID)
	}
	return e
}

// unaudited runs fn and checks it wrote nothing to the audit trail.
func (f *fixture) unaudited(t *testing.T, what string, fn func()) {
	t.Helper()
	n := f.auditCount(t)
	fn()
	if got := f.auditCount(t) - n; got != 0 {
		t.Errorf("%s: %d audit entries written, want none", what, got)
	}
}

func decodeUser(t *testing.T, raw json.RawMessage) accounts.User {
	t.Helper()
	var u accounts.User
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return u
}

func noSecrets(t *testing.T, e audit.Entry) {
	t.Helper()
	for _, s := range []string{"argon2", "password_hash", pw} {
		if strings.Contains(string(e.Before)+string(e.After)+e.Detail, s) {
			t.Errorf("audit entry %s holds %q: %s %s", e.Action, s, e.Before, e.After)
		}
	}
}

func (f *fixture) login(t *testing.T, login, password string) accounts.Session {
	t.Helper()
	sess, err := f.s.Login(context.Background(), login, password)
	if err != nil {
		t.Fatalf("Login %s: %v", login, err)
	}
	return sess
}

func TestCreateUser(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		sec := as(f.sec)
		valid := accounts.UserInput{Login: "carol", Name: "Carol", Email: "carol@example.org", UnitID: f.unitB.ID, Language: "zh-Hant", Password: "Another-pass-2", Roles: []access.Role{access.Reporter, access.Inspector}}
		with := func(fn func(*accounts.UserInput)) accounts.UserInput {
			in := valid
			fn(&in)
			return in
		}
		cases := []struct {
			name       string
			in         accounts.UserInput
			field, key string
		}{
			{"no login", with(func(in *accounts.UserInput) { in.Login = "" }), "login", "error.login_format"},
			{"login of one character", with(func(in *accounts.UserInput) { in.Login = "c" }), "login", "error.login_format"},
			{"login in capitals", with(func(in *accounts.UserInput) { in.Login = "Carol" }), "login", "error.login_format"},
			{"login with a space", with(func(in *accounts.UserInput) { in.Login = "carol smith" }), "login", "error.login_format"},
			{"login starting with a dot", with(func(in *accounts.UserInput) { in.Login = ".carol" }), "login", "error.login_format"},
			{"login with @", with(func(in *accounts.UserInput) { in.Login = "carol@example.org" }), "login", "error.login_format"},
			{"login in Chinese", with(func(in *accounts.UserInput) { in.Login = "张三" }), "login", "error.login_format"},
			{"login of 41 characters", with(func(in *accounts.UserInput) { in.Login = strings.Repeat("c", 41) }), "login", "error.login_format"},
			{"no password", with(func(in *accounts.UserInput) { in.Password = "" }), "password", "error.password.length"},
			{"short password", with(func(in *accounts.UserInput) { in.Password = "abc123xyz" }), "password", "error.password.length"},
			{"password too long", with(func(in *accounts.UserInput) { in.Password = strings.Repeat("a1", 65) }), "password", "error.password.length"},
			{"password without digits", with(func(in *accounts.UserInput) { in.Password = "onlyletters-here" }), "password", "error.password.mix"},
			{"password without letters", with(func(in *accounts.UserInput) { in.Password = "1234567890-" }), "password", "error.password.mix"},
			{"bad email", with(func(in *accounts.UserInput) { in.Email = "not-an-email" }), "email", "error.email"},
			{"email without domain", with(func(in *accounts.UserInput) { in.Email = "carol@" }), "email", "error.email"},
			{"email too long", with(func(in *accounts.UserInput) { in.Email = strings.Repeat("c", 250) + "@example.org" }), "email", "error.too_long"},
			{"no name", with(func(in *accounts.UserInput) { in.Name = " " }), "name", "error.required"},
			{"name too long", with(func(in *accounts.UserInput) { in.Name = strings.Repeat("名", 101) }), "name", "error.too_long"},
			{"no unit", with(func(in *accounts.UserInput) { in.UnitID = 0 }), "unit_id", "error.required"},
			{"unknown unit", with(func(in *accounts.UserInput) { in.UnitID = 9999 }), "unit_id", "error.unit.unknown"},
			{"retired unit", with(func(in *accounts.UserInput) { in.UnitID = f.old.ID }), "unit_id", "error.unit.retired"},
			{"unknown language", with(func(in *accounts.UserInput) { in.Language = "fr" }), "language", "error.choice"},
			{"unknown role", with(func(in *accounts.UserInput) { in.Roles = []access.Role{"root"} }), "roles", "error.role.unknown"},
			{"admin with business role", with(func(in *accounts.UserInput) { in.Roles = []access.Role{access.AuditAdmin, access.Viewer} }), "roles", "error.role.admin_alone"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.unaudited(t, c.name, func() {
					_, err := f.s.CreateUser(sec, c.in)
					errstest.WantField(t, err, c.field, c.key)
				})
			})
		}
		if _, total, _ := f.s.Users(sec, accounts.UserFilter{}, 100, 0); total != 7 {
			t.Fatalf("refused creations left %d users, want 7", total)
		}
		// All problems at once.
		_, err := f.s.CreateUser(sec, accounts.UserInput{Login: "X", Password: "x", Email: "x", Language: "x"})
		if e := errstest.WantKind(t, err, errs.Invalid); len(e.Fields) != 6 {
			t.Errorf("want 6 field errors, got %v", e)
		}

		n := f.auditCount(t)
		u, err := f.s.CreateUser(sec, with(func(in *accounts.UserInput) { in.Login = "  carol  " }))
		if err != nil {
			t.Fatal(err)
		}
		if f.auditCount(t) != n+1 {
			t.Fatalf("CreateUser wrote %d audit entries", f.auditCount(t)-n)
		}
		if u.Login != "carol" || u.Name != "Carol" || u.Email != "carol@example.org" || u.UnitID != f.unitB.ID || u.Language != "zh-Hant" ||
			u.Disabled || u.Version != 1 || u.LockedUntil != nil || !slices.Equal(u.Roles, []access.Role{access.Reporter, access.Inspector}) {
			t.Errorf("created %+v", u)
		}
		es, _, _ := (&audit.Store{DB: d}).Search(context.Background(), audit.Filter{Action: "user.create", ObjectID: strconv.FormatInt(u.ID, 10)}, 10, 0)
		if len(es) != 1 || es[0].ActorLogin != "sec" || es[0].Before != nil {
			t.Fatalf("create audit %+v", es)
		}
		if got := decodeUser(t, es[0].After); !reflect.DeepEqual(got, u) {
			t.Errorf("audit after = %+v, want %+v", got, u)
		}
		noSecrets(t, es[0])
		if got := f.fresh(t, u); !reflect.DeepEqual(got, u) {
			t.Errorf("User = %+v, want %+v", got, u)
		}
		// The password works.
		f.login(t, "carol", "Another-pass-2")

		// Duplicate login.
		f.unaudited(t, "duplicate", func() {
			_, err := f.s.CreateUser(sec, with(func(in *accounts.UserInput) { in.Name = "Another Carol" }))
			e := errstest.WantKind(t, err, errs.Conflict)
			if len(e.Fields) != 1 || e.Fields[0].Field != "login" || e.Fields[0].Key != "error.duplicate" {
				t.Errorf("duplicate login: %v", e)
			}
		})

		// The limits themselves are allowed.
		for _, in := range []accounts.UserInput{
			{Login: "ab", Name: strings.Repeat("名", 100), UnitID: f.unitA.ID, Password: "a123456789"},
			{Login: strings.Repeat("x", 40), Name: "X", UnitID: f.unitA.ID, Password: strings.Repeat("a1", 64), Email: "x@y.cn", Language: "en"},
			{Login: "a.b_c-9", Name: "Y", UnitID: f.unitA.ID, Password: "密码密码密码密码12", Roles: []access.Role{access.SysAdmin}},
		} {
			if _, err := f.s.CreateUser(sec, in); err != nil {
				t.Errorf("valid input %q: %v", in.Login, err)
			}
		}
	})
}

// TestAdministratorSeparation: none of the three administrators can do
// another's duty, nor a business user an administrator's (三员分立).
func TestAdministratorSeparation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tok, err := f.s.CreateToken(as(f.reporterA), "ci")
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		calls := map[string]func(ctx context.Context) error{
			"create user": func(ctx context.Context) error {
				i++
				_, err := f.s.CreateUser(ctx, accounts.UserInput{Login: fmt.Sprintf("new%d", i), Name: "N", UnitID: f.unitA.ID, Password: "Password-123"})
				return err
			},
			"update user": func(ctx context.Context) error {
				u := f.fresh(t, f.viewerB)
				_, err := f.s.UpdateUser(ctx, u.ID, accounts.UserInput{Name: u.Name + "!", UnitID: u.UnitID}, u.Version)
				return err
			},
			"set roles": func(ctx context.Context) error {
				u := f.fresh(t, f.viewerB)
				_, err := f.s.SetRoles(ctx, u.ID, []access.Role{access.Viewer}, u.Version)
				return err
			},
			"reset password": func(ctx context.Context) error {
				u := f.fresh(t, f.viewerB)
				_, err := f.s.ResetPassword(ctx, u.ID, "Password-456", u.Version)
				return err
			},
			"list users": func(ctx context.Context) error {
				_, _, err := f.s.Users(ctx, accounts.UserFilter{}, 10, 0)
				return err
			},
			"view user": func(ctx context.Context) error {
				_, err := f.s.User(ctx, f.viewerB.ID)
				return err
			},
			"list another's tokens": func(ctx context.Context) error {
				_, err := f.s.Tokens(ctx, f.reporterA.ID)
				return err
			},
			"create unit": func(ctx context.Context) error {
				i++
				_, err := f.dir.CreateUnit(ctx, alliance.UnitInput{Code: fmt.Sprintf("u%d", i), Name: alliance.Names{ZhHans: "u"}, Kind: alliance.City})
				return err
			},
			"edit unit": func(ctx context.Context) error {
				u, _ := f.dir.Unit(context.Background(), f.unitB.ID)
				_, err := f.dir.UpdateUnit(ctx, u.ID, alliance.UnitInput{Code: u.Code, Name: u.Name, Kind: u.Kind}, u.Version)
				return err
			},
			"create area": func(ctx context.Context) error {
				i++
				_, err := f.dir.CreateArea(ctx, alliance.AreaInput{Code: fmt.Sprintf("a%d", i), Name: alliance.Names{ZhHans: "a"}})
				return err
			},
		}
		// What each may do; everything else is forbidden.
		allowed := map[string][]string{
			"sec":        {"create user", "update user", "set roles", "reset password", "list users", "view user", "list another's tokens"},
			"sys":        {"create unit", "edit unit", "create area"},
			"aud":        {},
			"leader-a":   {"list users"},              // their own unit's
			"reporter-a": {"list another's tokens"},   // they are their own
			"leader-b":   {"list users", "view user"}, // viewer-b is in unit B
			"viewer-b":   {"view user"},               // themselves
		}
		for login, may := range allowed {
			u := f.byLogin[login]
			for name, call := range calls {
				err := call(as(u))
				if slices.Contains(may, name) {
					if err != nil {
						t.Errorf("%s: %s = %v, want allowed", login, name, err)
					}
				} else if !errs.Is(err, errs.Forbidden) {
					t.Errorf("%s: %s = %v, want forbidden", login, name, err)
				}
			}
		}
		for name, call := range calls {
			if err := call(anonymous); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("anonymous: %s = %v, want unauthorized", name, err)
			}
		}
		// Revoking another's token is the security administrator's alone.
		for _, u := range []accounts.User{f.sys, f.aud, f.leaderA} {
			if err := f.s.RevokeToken(as(u), tok.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s revokes another's token: %v", u.Login, err)
			}
		}
		// Reading the audit trail is the audit administrator's alone.
		for login, u := range f.byLogin {
			a := access.FromContext(as(u))
			if got, want := a.Can(access.SearchAudit, u.UnitID), login == "aud"; got != want {
				t.Errorf("%s may search the audit trail: %v, want %v", login, got, want)
			}
		}
	})
}

func TestLoginAndLockout(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		u := f.reporterA

		var sess accounts.Session
		e := f.audited(t, "login", "user", u.ID, func() { sess = f.login(t, "reporter-a", pw) })
		if e.ActorID == nil || *e.ActorID != u.ID || e.ActorLogin != "reporter-a" || e.UnitID == nil || *e.UnitID != f.unitA.ID {
			t.Errorf("login audit actor: %+v", e)
		}
		if sess.Token == "" || sess.CSRF == "" || sess.Token == sess.CSRF || sess.User.ID != u.ID || !slices.Equal(sess.User.Roles, u.Roles) {
			t.Errorf("session %+v", sess)
		}
		// Surrounding spaces in the login are forgiven, not in the password.
		f.login(t, " reporter-a ", pw)

		failed := func(login, password string, want errs.Kind, why string) {
			t.Helper()
			e := f.audited(t, "login.failed", "user", f.byLogin[login].ID, func() {
				_, err := f.s.Login(context.Background(), login, password)
				errstest.WantKind(t, err, want)
			})
			if e.ActorID != nil || e.ActorLogin != login || !strings.HasPrefix(e.Detail, why) {
				t.Errorf("failed login audit: %+v", e)
			}
			noSecrets(t, e)
		}
		failed("reporter-a", pw+"x", errs.Unauthorized, "wrong password")
		failed("reporter-a", " "+pw, errs.Unauthorized, "wrong password")
		failed("nobody", pw, errs.Unauthorized, "unknown login")
		// The third failure in a row (unknown logins aside) locks the account.
		failed("reporter-a", "", errs.Locked, "wrong password; account locked")
		locked := f.fresh(t, u)
		if locked.LockedUntil == nil || !locked.LockedUntil.Equal(f.clock.Now().Truncate(time.Microsecond).Add(f.settings.LockoutFor)) {
			t.Fatalf("LockedUntil = %v, want now + %v", locked.LockedUntil, f.settings.LockoutFor)
		}
		// The right password is refused while locked, with the same error
		// as a wrong one, and does not extend the lock.
		failed("reporter-a", pw, errs.Locked, "locked")
		failed("reporter-a", "wrong-1234", errs.Locked, "locked")
		f.clock.Add(f.settings.LockoutFor - time.Second)
		failed("reporter-a", pw, errs.Locked, "locked")
		if got := f.fresh(t, u); !reflect.DeepEqual(got.LockedUntil, locked.LockedUntil) {
			t.Errorf("attempts while locked moved the lock to %v", got.LockedUntil)
		}
		// Other accounts are not affected.
		f.login(t, "leader-a", pw)

		f.clock.Add(2 * time.Second)
		f.login(t, "reporter-a", pw)
		if got := f.fresh(t, u); got.LockedUntil != nil {
			t.Errorf("still locked until %v after signing in", got.LockedUntil)
		}

		// A success resets the count: two failures, a success, two failures
		// do not lock.
		failed("leader-b", "x", errs.Unauthorized, "wrong password")
		failed("leader-b", "y", errs.Unauthorized, "wrong password")
		f.login(t, "leader-b", pw)
		failed("leader-b", "x", errs.Unauthorized, "wrong password")
		failed("leader-b", "y", errs.Unauthorized, "wrong password")
		f.login(t, "leader-b", pw)

		// A reset password unlocks.
		for range f.settings.MaxFailedLogins - 1 {
			failed("viewer-b", "x", errs.Unauthorized, "wrong password")
		}
		failed("viewer-b", "x", errs.Locked, "wrong password; account locked")
		v := f.fresh(t, f.viewerB)
		if _, err := f.s.ResetPassword(as(f.sec), v.ID, "New-password-9", v.Version); err != nil {
			t.Fatal(err)
		}
		f.login(t, "viewer-b", "New-password-9")

		// A disabled account cannot sign in, even with the right password,
		// and says no more than for a wrong one.
		a := f.fresh(t, f.leaderA)
		if _, err := f.s.UpdateUser(as(f.sec), a.ID, accounts.UserInput{Name: a.Name, UnitID: a.UnitID, Disabled: true}, a.Version); err != nil {
			t.Fatal(err)
		}
		failed("leader-a", pw, errs.Unauthorized, "disabled")
	})
}

func TestSessions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		expired := func(token string) {
			t.Helper()
			_, _, err := f.s.Authenticate(ctx, token)
			if e := errstest.WantKind(t, err, errs.Unauthorized); e.Key != "error.session_expired" {
				t.Errorf("key %s, want error.session_expired", e.Key)
			}
			// The expired session is gone.
			_, _, err = f.s.Authenticate(ctx, token)
			if e := errstest.WantKind(t, err, errs.Unauthorized); e.Key != "error.unauthorized" {
				t.Errorf("second try: key %s, want error.unauthorized", e.Key)
			}
		}
		valid := func(token string) {
			t.Helper()
			if _, _, err := f.s.Authenticate(ctx, token); err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
		}

		sess := f.login(t, "leader-a", pw)
		f.unaudited(t, "Authenticate", func() {
			a, csrf, err := f.s.Authenticate(ctx, sess.Token)
			if err != nil {
				t.Fatal(err)
			}
			want := &access.Actor{UserID: f.leaderA.ID, Login: "leader-a", UnitID: f.unitA.ID, Roles: []access.Role{access.UnitLeader}}
			if !reflect.DeepEqual(a, want) || csrf != sess.CSRF {
				t.Errorf("Authenticate = %+v %q, want %+v %q", a, csrf, want, sess.CSRF)
			}
		})
		// The store keeps only a hash of the token.
		var n int
		d.R.QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = $1 OR csrf = $1`, sess.Token).Scan(&n)
		if n != 0 {
			t.Error("the session token is stored in clear")
		}
		for _, bad := range []string{"", "x", sess.CSRF, sess.Token + "x", strings.ToUpper(sess.Token)} {
			if _, _, err := f.s.Authenticate(ctx, bad); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("Authenticate(%q) = %v", bad, err)
			}
		}

		// Idle timeout: used every 29 minutes the session lives on …
		for range 3 {
			f.clock.Add(29 * time.Minute)
			valid(sess.Token)
		}
		// … but 31 minutes of quiet end it.
		f.clock.Add(31 * time.Minute)
		expired(sess.Token)

		// Exactly the idle time is still allowed.
		sess = f.login(t, "leader-a", pw)
		f.clock.Add(f.settings.SessionIdle)
		valid(sess.Token)

		// Absolute timeout: however busy, the session ends after SessionMax.
		sess = f.login(t, "leader-a", pw)
		for elapsed := time.Duration(0); elapsed+20*time.Minute <= f.settings.SessionMax; elapsed += 20 * time.Minute {
			f.clock.Add(20 * time.Minute)
			valid(sess.Token)
		}
		f.clock.Add(20 * time.Minute)
		expired(sess.Token)

		// Use within a minute does not write to the store each time.
		sess = f.login(t, "viewer-b", pw) // viewer-b's only session
		seen := func() time.Time {
			var at time.Time
			if err := d.R.QueryRow(`SELECT last_seen_at FROM sessions WHERE user_id = $1`, f.viewerB.ID).Scan(&at); err != nil {
				t.Fatal(err)
			}
			return at.UTC()
		}
		t0 := seen()
		f.clock.Add(30 * time.Second)
		valid(sess.Token)
		if !seen().Equal(t0) {
			t.Error("last_seen_at written within a minute")
		}
		f.clock.Add(31 * time.Second)
		valid(sess.Token)
		if !seen().Equal(f.clock.Now().Truncate(time.Microsecond)) {
			t.Errorf("last_seen_at %v, want %v", seen(), f.clock.Now())
		}

		// Several sessions of one user are independent; logout ends one.
		sess = f.login(t, "leader-a", pw)
		other := f.login(t, "leader-a", pw)
		f.audited(t, "logout", "user", f.leaderA.ID, func() {
			if err := f.s.Logout(ctx, sess.Token); err != nil {
				t.Fatal(err)
			}
		})
		if _, _, err := f.s.Authenticate(ctx, sess.Token); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("after logout: %v", err)
		}
		valid(other.Token)
		f.unaudited(t, "logout twice", func() {
			if err := f.s.Logout(ctx, sess.Token); err != nil {
				t.Errorf("second logout: %v", err)
			}
		})

		// Roles are read at each request: a change applies at once.
		u := f.fresh(t, f.leaderA)
		if _, err := f.s.SetRoles(as(f.sec), u.ID, []access.Role{access.Coordinator, access.UnitLeader}, u.Version); err != nil {
			t.Fatal(err)
		}
		a, _, err := f.s.Authenticate(ctx, other.Token)
		if err != nil || !slices.Equal(a.Roles, []access.Role{access.Coordinator, access.UnitLeader}) {
			t.Errorf("roles after change: %+v, %v", a, err)
		}
	})
}

func TestTokens(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		owner := as(f.reporterA)

		_, err := f.s.CreateToken(owner, "")
		errstest.WantField(t, err, "name", "error.required")
		_, err = f.s.CreateToken(owner, strings.Repeat("n", 101))
		errstest.WantField(t, err, "name", "error.too_long")
		_, err = f.s.CreateToken(anonymous, "x")
		errstest.WantKind(t, err, errs.Unauthorized)

		n := f.auditCount(t)
		tok, err := f.s.CreateToken(owner, "CI 流水线")
		if err != nil {
			t.Fatal(err)
		}
		if f.auditCount(t) != n+1 {
			t.Fatal("CreateToken did not write one audit entry")
		}
		if !strings.HasPrefix(tok.Secret, "cct_") || len(tok.Secret) < 40 || tok.Prefix != tok.Secret[:10] || tok.UserID != f.reporterA.ID || tok.Name != "CI 流水线" || tok.ID == 0 {
			t.Errorf("token %+v", tok)
		}
		es, _, _ := (&audit.Store{DB: d}).Search(ctx, audit.Filter{Action: "token.create"}, 10, 0)
		if len(es) != 1 || es[0].ObjectID != strconv.FormatInt(tok.ID, 10) || strings.Contains(string(es[0].After), tok.Secret[4:]) {
			t.Errorf("create audit %+v", es)
		}
		var stored int
		d.R.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = $1`, tok.Secret).Scan(&stored)
		if stored != 0 {
			t.Error("the token is stored in clear")
		}

		f.unaudited(t, "Authenticate with a token", func() {
			a, csrf, err := f.s.Authenticate(ctx, tok.Secret)
			want := &access.Actor{UserID: f.reporterA.ID, Login: "reporter-a", UnitID: f.unitA.ID, Roles: []access.Role{access.Reporter}}
			if err != nil || !reflect.DeepEqual(a, want) || csrf != "" {
				t.Errorf("Authenticate(token) = %+v %q %v", a, csrf, err)
			}
		})
		for _, bad := range []string{"cct_", "cct_x", tok.Secret[:len(tok.Secret)-1], strings.TrimPrefix(tok.Secret, "cct_")} {
			if _, _, err := f.s.Authenticate(ctx, bad); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("Authenticate(%q) = %v", bad, err)
			}
		}

		// Listing: one's own, or anyone's for the security administrator;
		// never the secret.
		second, err := f.s.CreateToken(owner, "second")
		if err != nil {
			t.Fatal(err)
		}
		for _, ctx := range []context.Context{owner, as(f.sec)} {
			ts, err := f.s.Tokens(ctx, f.reporterA.ID)
			if err != nil || len(ts) != 2 || ts[0].ID != tok.ID || ts[1].ID != second.ID {
				t.Fatalf("Tokens = %+v, %v", ts, err)
			}
			if ts[0].Secret != "" || ts[0].LastUsedAt == nil || ts[0].RevokedAt != nil || ts[1].LastUsedAt != nil {
				t.Errorf("listed token %+v", ts[0])
			}
		}
		if ts, err := f.s.Tokens(as(f.leaderA), f.leaderA.ID); err != nil || len(ts) != 0 {
			t.Errorf("own empty list: %v, %v", ts, err)
		}

		// Revoking: not by another user, even the owner's unit leader.
		for _, u := range []accounts.User{f.leaderA, f.sys, f.aud, f.viewerB} {
			f.unaudited(t, "refused revoke", func() {
				if err := f.s.RevokeToken(as(u), tok.ID); !errs.Is(err, errs.Forbidden) {
					t.Errorf("%s revokes: %v, want forbidden", u.Login, err)
				}
			})
		}
		if err := f.s.RevokeToken(anonymous, tok.ID); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("anonymous revokes: %v, want unauthorized", err)
		}
		if _, _, err := f.s.Authenticate(ctx, tok.Secret); err != nil {
			t.Fatalf("token stopped working after refused revocations: %v", err)
		}
		// By the owner.
		e := f.audited(t, "token.revoke", "token", tok.ID, func() {
			if err := f.s.RevokeToken(owner, tok.ID); err != nil {
				t.Fatal(err)
			}
		})
		if string(e.Before) != `{"revoked_at":null}` || !strings.Contains(string(e.After), "revoked_at") {
			t.Errorf("revoke audit %s → %s", e.Before, e.After)
		}
		if _, _, err := f.s.Authenticate(ctx, tok.Secret); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("revoked token: %v", err)
		}
		f.unaudited(t, "revoke twice", func() {
			if err := f.s.RevokeToken(owner, tok.ID); err != nil {
				t.Errorf("second revoke: %v", err)
			}
		})
		// By the security administrator.
		f.audited(t, "token.revoke", "token", second.ID, func() {
			if err := f.s.RevokeToken(as(f.sec), second.ID); err != nil {
				t.Fatal(err)
			}
		})
		if _, _, err := f.s.Authenticate(ctx, second.Secret); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("token revoked by sec_admin: %v", err)
		}
		ts, _ := f.s.Tokens(owner, f.reporterA.ID)
		if len(ts) != 2 || ts[0].RevokedAt == nil || ts[1].RevokedAt == nil {
			t.Errorf("revoked tokens listed as %+v", ts)
		}
		if err := f.s.RevokeToken(as(f.sec), 9999); !errs.Is(err, errs.NotFound) {
			t.Errorf("revoke unknown token: %v", err)
		}

		// A disabled user's tokens stop working.
		third, _ := f.s.CreateToken(as(f.viewerB), "x")
		if _, _, err := f.s.Authenticate(ctx, third.Secret); err != nil {
			t.Fatal(err)
		}
		v := f.fresh(t, f.viewerB)
		if _, err := f.s.UpdateUser(as(f.sec), v.ID, accounts.UserInput{Name: v.Name, UnitID: v.UnitID, Disabled: true}, v.Version); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.Authenticate(ctx, third.Secret); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("disabled user's token: %v", err)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		sec := as(f.sec)
		u := f.fresh(t, f.reporterA)
		sess := f.login(t, "reporter-a", pw)
		tok, _ := f.s.CreateToken(as(u), "t")

		in := accounts.UserInput{Login: "ignored", Name: "Reporter A", Email: "ra@example.org", UnitID: f.unitB.ID, Language: "en", Password: "ignored", Roles: []access.Role{access.SecAdmin}}
		for _, c := range []struct {
			name       string
			mod        func(*accounts.UserInput)
			field, key string
		}{
			{"no name", func(in *accounts.UserInput) { in.Name = "" }, "name", "error.required"},
			{"bad email", func(in *accounts.UserInput) { in.Email = "ra at example" }, "email", "error.email"},
			{"retired unit", func(in *accounts.UserInput) { in.UnitID = f.old.ID }, "unit_id", "error.unit.retired"},
			{"unknown unit", func(in *accounts.UserInput) { in.UnitID = 12345 }, "unit_id", "error.unit.unknown"},
			{"bad language", func(in *accounts.UserInput) { in.Language = "de" }, "language", "error.choice"},
		} {
			bad := in
			c.mod(&bad)
			f.unaudited(t, c.name, func() {
				_, err := f.s.UpdateUser(sec, u.ID, bad, u.Version)
				errstest.WantField(t, err, c.field, c.key)
			})
		}
		_, err := f.s.UpdateUser(sec, 9999, in, 1)
		errstest.WantKind(t, err, errs.NotFound)

		var v2 accounts.User
		e := f.audited(t, "user.update", "user", u.ID, func() {
			v2, err = f.s.UpdateUser(sec, u.ID, in, u.Version)
			if err != nil {
				t.Fatal(err)
			}
		})
		// Login, password and roles are not changed by an update.
		if v2.Login != "reporter-a" || v2.Name != "Reporter A" || v2.Email != "ra@example.org" || v2.UnitID != f.unitB.ID || v2.Language != "en" ||
			v2.Version != u.Version+1 || !slices.Equal(v2.Roles, []access.Role{access.Reporter}) {
			t.Errorf("updated %+v", v2)
		}
		if b, a := decodeUser(t, e.Before), decodeUser(t, e.After); !reflect.DeepEqual(b, u) || !reflect.DeepEqual(a, v2) {
			t.Errorf("update audit %s → %s", e.Before, e.After)
		}
		noSecrets(t, e)
		f.login(t, "reporter-a", pw)
		if _, _, err := f.s.Authenticate(ctx, sess.Token); err != nil {
			t.Errorf("an update that does not disable ended the session: %v", err)
		}

		// Stale version.
		f.unaudited(t, "stale update", func() {
			_, err := f.s.UpdateUser(sec, u.ID, accounts.UserInput{Name: "Lost", UnitID: f.unitA.ID}, u.Version)
			ce := errstest.WantKind(t, err, errs.Conflict)
			if cur, ok := ce.Current.(accounts.User); !ok || !reflect.DeepEqual(cur, v2) {
				t.Errorf("Current = %#v, want %+v", ce.Current, v2)
			}
		})

		// Disabling ends every session at once and stops the tokens.
		sess2 := f.login(t, "reporter-a", pw)
		in.Disabled = true
		e = f.audited(t, "user.update", "user", u.ID, func() {
			if v2, err = f.s.UpdateUser(sec, u.ID, in, v2.Version); err != nil {
				t.Fatal(err)
			}
		})
		if !v2.Disabled || decodeUser(t, e.Before).Disabled || !decodeUser(t, e.After).Disabled {
			t.Errorf("disable: %+v (%s → %s)", v2, e.Before, e.After)
		}
		for _, token := range []string{sess.Token, sess2.Token, tok.Secret} {
			if _, _, err := f.s.Authenticate(ctx, token); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("disabled user still authenticates: %v", err)
			}
		}
		var left int
		d.R.QueryRow(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&left)
		if left != 0 {
			t.Errorf("%d sessions left after disabling", left)
		}
		// Re-enabling lets them back in; the old sessions stay ended.
		in.Disabled = false
		if _, err := f.s.UpdateUser(sec, u.ID, in, v2.Version); err != nil {
			t.Fatal(err)
		}
		f.login(t, "reporter-a", pw)
		if _, _, err := f.s.Authenticate(ctx, sess.Token); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("an old session came back: %v", err)
		}
		// The security administrator cannot disable themselves.
		s := f.fresh(t, f.sec)
		_, err = f.s.UpdateUser(sec, s.ID, accounts.UserInput{Name: s.Name, UnitID: s.UnitID, Disabled: true}, s.Version)
		errstest.WantKind(t, err, errs.Forbidden)
	})
}

func TestPasswords(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		u := f.fresh(t, f.leaderB)
		sess := f.login(t, "leader-b", pw)

		// Reset by the security administrator.
		f.unaudited(t, "weak reset", func() {
			_, err := f.s.ResetPassword(as(f.sec), u.ID, "weak", u.Version)
			errstest.WantField(t, err, "password", "error.password.length")
		})
		_, err := f.s.ResetPassword(as(f.sec), u.ID, "Reset-pass-77", u.Version+1)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.s.ResetPassword(as(f.sec), 9999, "Reset-pass-77", 1)
		errstest.WantKind(t, err, errs.NotFound)
		var v2 accounts.User
		e := f.audited(t, "user.password_reset", "user", u.ID, func() {
			if v2, err = f.s.ResetPassword(as(f.sec), u.ID, "Reset-pass-77", u.Version); err != nil {
				t.Fatal(err)
			}
		})
		noSecrets(t, e)
		if v2.Version != u.Version+1 || e.ActorLogin != "sec" {
			t.Errorf("after reset %+v, audit %+v", v2, e)
		}
		if _, _, err := f.s.Authenticate(ctx, sess.Token); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("session survived a password reset: %v", err)
		}
		if _, err := f.s.Login(ctx, "leader-b", pw); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("old password after reset: %v", err)
		}
		sess = f.login(t, "leader-b", "Reset-pass-77")

		// Changing one's own password.
		other := f.login(t, "leader-b", "Reset-pass-77")
		me := as(v2)
		f.unaudited(t, "wrong old password", func() {
			_, err := f.s.ChangeOwnPassword(me, "not-the-password-1", "Changed-pass-88")
			errstest.WantField(t, err, "old_password", "error.password.wrong")
		})
		f.unaudited(t, "weak new password", func() {
			_, err := f.s.ChangeOwnPassword(me, "Reset-pass-77", "abcdefghijkl")
			errstest.WantField(t, err, "password", "error.password.mix")
		})
		_, err = f.s.ChangeOwnPassword(anonymous, "Reset-pass-77", "Changed-pass-88")
		errstest.WantKind(t, err, errs.Unauthorized)
		if _, _, err := f.s.Authenticate(ctx, sess.Token); err != nil {
			t.Fatalf("refused changes ended the session: %v", err)
		}
		e = f.audited(t, "user.password_change", "user", u.ID, func() {
			if _, err := f.s.ChangeOwnPassword(me, "Reset-pass-77", "Changed-pass-88"); err != nil {
				t.Fatal(err)
			}
		})
		noSecrets(t, e)
		if e.ActorLogin != "leader-b" {
			t.Errorf("password change recorded as done by %q", e.ActorLogin)
		}
		for _, s := range []accounts.Session{sess, other} {
			if _, _, err := f.s.Authenticate(ctx, s.Token); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("session survived a password change: %v", err)
			}
		}
		if _, err := f.s.Login(ctx, "leader-b", "Reset-pass-77"); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("old password after change: %v", err)
		}
		f.login(t, "leader-b", "Changed-pass-88")

		// The language preference.
		_, err = f.s.SetOwnLanguage(me, "fr")
		errstest.WantField(t, err, "language", "error.choice")
		_, err = f.s.SetOwnLanguage(anonymous, "en")
		errstest.WantKind(t, err, errs.Unauthorized)
		e = f.audited(t, "user.language", "user", u.ID, func() {
			got, err := f.s.SetOwnLanguage(me, "zh-Hant")
			if err != nil || got.Language != "zh-Hant" {
				t.Fatalf("SetOwnLanguage = %+v, %v", got, err)
			}
		})
		if decodeUser(t, e.Before).Language != "" || decodeUser(t, e.After).Language != "zh-Hant" {
			t.Errorf("language audit %s → %s", e.Before, e.After)
		}
	})
}

func TestSetRoles(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		sec := as(f.sec)
		u := f.fresh(t, f.reporterA)

		var v2 accounts.User
		var err error
		e := f.audited(t, "user.roles", "user", u.ID, func() {
			// Given in any order, with a repeat; kept in display order.
			v2, err = f.s.SetRoles(sec, u.ID, []access.Role{access.Reporter, access.UnitLeader, access.Reporter}, u.Version)
			if err != nil {
				t.Fatal(err)
			}
		})
		want := []access.Role{access.UnitLeader, access.Reporter}
		if !slices.Equal(v2.Roles, want) || v2.Version != u.Version+1 {
			t.Errorf("after SetRoles %+v", v2)
		}
		if b, a := decodeUser(t, e.Before), decodeUser(t, e.After); !slices.Equal(b.Roles, []access.Role{access.Reporter}) || !slices.Equal(a.Roles, want) {
			t.Errorf("roles audit %s → %s", e.Before, e.After)
		}

		// A stale version: conflict, with the user as they are now.
		f.unaudited(t, "stale", func() {
			_, err := f.s.SetRoles(sec, u.ID, []access.Role{access.Viewer}, u.Version)
			ce := errstest.WantKind(t, err, errs.Conflict)
			cur, ok := ce.Current.(accounts.User)
			if !ok || cur.Version != v2.Version || !slices.Equal(cur.Roles, want) {
				t.Errorf("Current = %#v", ce.Current)
			}
		})

		for _, c := range []struct {
			name  string
			ctx   context.Context
			id    int64
			roles []access.Role
			kind  errs.Kind
		}{
			{"anonymous", anonymous, u.ID, nil, errs.Unauthorized},
			{"system administrator", as(f.sys), u.ID, []access.Role{access.Viewer}, errs.Forbidden},
			{"audit administrator", as(f.aud), u.ID, []access.Role{access.Viewer}, errs.Forbidden},
			{"unit leader of the user's unit", as(f.leaderA), u.ID, []access.Role{access.Reporter}, errs.Forbidden},
			{"self", sec, f.sec.ID, []access.Role{access.SecAdmin}, errs.Forbidden},
			{"self, giving up the duty", sec, f.sec.ID, nil, errs.Forbidden},
			{"admin with business role", sec, u.ID, []access.Role{access.SysAdmin, access.Reporter}, errs.Invalid},
			{"two admin duties", sec, u.ID, []access.Role{access.SysAdmin, access.AuditAdmin}, errs.Invalid},
			{"unknown role", sec, u.ID, []access.Role{"boss"}, errs.Invalid},
			{"unknown user", sec, 9999, []access.Role{access.Viewer}, errs.NotFound},
		} {
			f.unaudited(t, c.name, func() {
				_, err := f.s.SetRoles(c.ctx, c.id, c.roles, v2.Version)
				if !errs.Is(err, c.kind) {
					t.Errorf("%s: %v, want %s", c.name, err, c.kind)
				}
			})
		}
		if got := f.fresh(t, u); !reflect.DeepEqual(got, v2) {
			t.Errorf("refused SetRoles changed the user: %+v", got)
		}

		// The security administrator may hand out every duty, their own too,
		// and take all roles away.
		for _, rs := range [][]access.Role{{access.SysAdmin}, {access.AuditAdmin}, {access.SecAdmin}, {}, {access.Coordinator, access.Inspector, access.Viewer}} {
			cur := f.fresh(t, u)
			got, err := f.s.SetRoles(sec, u.ID, rs, cur.Version)
			if err != nil || !slices.Equal(got.Roles, rs) {
				t.Errorf("SetRoles(%v) = %v, %v", rs, got.Roles, err)
			}
		}
	})
}

// TestConcurrentSetRoles: of writers holding one version, exactly one wins.
func TestConcurrentSetRoles(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		u := f.fresh(t, f.viewerB)
		n := f.auditCount(t)
		choices := []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}
		const writers = 20
		start := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, results[i] = f.s.SetRoles(as(f.sec), u.ID, []access.Role{choices[i%len(choices)]}, u.Version)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range results {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("writers %d and %d both succeeded", winner, i)
				}
				winner = i
			case !errs.Is(err, errs.Conflict):
				t.Errorf("writer %d: %v", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("nobody succeeded")
		}
		got := f.fresh(t, u)
		if got.Version != u.Version+1 || !slices.Equal(got.Roles, []access.Role{choices[winner%len(choices)]}) {
			t.Errorf("user %+v, want writer %d's roles at version %d", got, winner, u.Version+1)
		}
		if f.auditCount(t) != n+1 {
			t.Errorf("%d audit entries, want 1", f.auditCount(t)-n)
		}
	})
}

func TestRowLevel(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// Two roles whose display order is not their alphabetical order.
		if _, err := f.s.SetRoles(as(f.sec), f.reporterA.ID, []access.Role{access.Reporter, access.UnitLeader}, f.reporterA.Version); err != nil {
			t.Fatal(err)
		}
		logins := func(us []accounts.User) []string {
			var out []string
			for _, u := range us {
				out = append(out, u.Login)
			}
			return out
		}
		unitA := []string{"aud", "leader-a", "reporter-a", "sec", "sys"}
		unitB := []string{"leader-b", "viewer-b"}
		everyone := []string{"aud", "leader-a", "leader-b", "reporter-a", "sec", "sys", "viewer-b"}
		cases := []struct {
			name   string
			who    accounts.User
			filter accounts.UserFilter
			want   []string
			kind   errs.Kind
		}{
			{"leader sees own unit", f.leaderA, accounts.UserFilter{}, unitA, ""},
			{"leader asks for own unit", f.leaderA, accounts.UserFilter{UnitID: f.unitA.ID}, unitA, ""},
			{"leader asks for another unit", f.leaderA, accounts.UserFilter{UnitID: f.unitB.ID}, nil, errs.Forbidden},
			{"leader B sees unit B", f.leaderB, accounts.UserFilter{}, unitB, ""},
			{"leader B searches", f.leaderB, accounts.UserFilter{Query: "leader"}, []string{"leader-b"}, ""},
			{"leader B searches across units", f.leaderB, accounts.UserFilter{Query: "reporter"}, nil, ""},
			{"sec sees everyone", f.sec, accounts.UserFilter{}, everyone, ""},
			{"sec filters by unit", f.sec, accounts.UserFilter{UnitID: f.unitB.ID}, unitB, ""},
			{"sec searches by login", f.sec, accounts.UserFilter{Query: "LEADER"}, []string{"leader-a", "leader-b"}, ""},
			{"sec searches by name", f.sec, accounts.UserFilter{Query: "user rep"}, []string{"reporter-a"}, ""},
			{"sec searches and filters", f.sec, accounts.UserFilter{Query: "leader", UnitID: f.unitA.ID}, []string{"leader-a"}, ""},
			{"sec finds nobody", f.sec, accounts.UserFilter{Query: "zzz"}, nil, ""},
			{"reporter", f.reporterA, accounts.UserFilter{}, nil, errs.Forbidden},
			{"viewer", f.viewerB, accounts.UserFilter{UnitID: f.unitB.ID}, nil, errs.Forbidden},
			{"sys_admin", f.sys, accounts.UserFilter{}, nil, errs.Forbidden},
			{"audit_admin", f.aud, accounts.UserFilter{}, nil, errs.Forbidden},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				us, total, err := f.s.Users(as(c.who), c.filter, 100, 0)
				if c.kind != "" {
					errstest.WantKind(t, err, c.kind)
					if len(us) != 0 {
						t.Errorf("refused list returned %v", logins(us))
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(logins(us), c.want) || total != len(c.want) {
					t.Errorf("Users = %v (total %d), want %v", logins(us), total, c.want)
				}
				// The list shows the same user as User does.
				for _, u := range us {
					one, err := f.s.User(as(f.sec), u.ID)
					if err != nil || !reflect.DeepEqual(one, u) {
						t.Errorf("listed %+v, User gives %+v (%v)", u, one, err)
					}
				}
			})
		}
		if _, _, err := f.s.Users(anonymous, accounts.UserFilter{}, 10, 0); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("anonymous Users: %v", err)
		}

		// Pages.
		var paged []string
		for off := 0; off < 10; off += 3 {
			us, total, err := f.s.Users(as(f.sec), accounts.UserFilter{}, 3, off)
			if err != nil || total != len(everyone) {
				t.Fatalf("page at %d: total %d, %v", off, total, err)
			}
			paged = append(paged, logins(us)...)
		}
		if !slices.Equal(paged, everyone) {
			t.Errorf("pages = %v", paged)
		}

		// One user.
		for _, c := range []struct {
			who, whom accounts.User
			kind      errs.Kind
		}{
			{f.leaderA, f.reporterA, ""},
			{f.leaderA, f.sec, ""},
			{f.leaderA, f.leaderB, errs.Forbidden},
			{f.leaderA, f.viewerB, errs.Forbidden},
			{f.leaderB, f.viewerB, ""},
			{f.leaderB, f.leaderA, errs.Forbidden},
			{f.reporterA, f.reporterA, ""},
			{f.reporterA, f.leaderA, errs.Forbidden},
			{f.viewerB, f.leaderB, errs.Forbidden},
			{f.sys, f.viewerB, errs.Forbidden},
			{f.aud, f.viewerB, errs.Forbidden},
			{f.sec, f.viewerB, ""},
			{f.sys, f.sys, ""},
		} {
			got, err := f.s.User(as(c.who), c.whom.ID)
			if c.kind == "" {
				if err != nil || got.ID != c.whom.ID {
					t.Errorf("%s views %s: %v", c.who.Login, c.whom.Login, err)
				}
			} else if !errs.Is(err, c.kind) || got.ID != 0 {
				t.Errorf("%s views %s: %+v %v, want %s", c.who.Login, c.whom.Login, got, err, c.kind)
			}
		}
		if _, err := f.s.User(anonymous, f.viewerB.ID); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("anonymous views a user: %v", err)
		}
		if _, err := f.s.User(as(f.sec), 9999); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown user: %v", err)
		}
		// Moving a user to another unit moves them out of their leader's sight.
		v := f.fresh(t, f.reporterA)
		if _, err := f.s.UpdateUser(as(f.sec), v.ID, accounts.UserInput{Name: v.Name, UnitID: f.unitB.ID}, v.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.User(as(f.leaderA), v.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("leader A views a user moved to unit B: %v", err)
		}
		if _, err := f.s.User(as(f.leaderB), v.ID); err != nil {
			t.Errorf("leader B views a user moved to unit B: %v", err)
		}
	})
}

func TestBootstrap(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// The fixture's users were recorded as made by "system".
		es, total, err := (&audit.Store{DB: d}).Search(context.Background(), audit.Filter{Action: "user.create"}, 100, 0)
		if err != nil || total != 7 {
			t.Fatalf("%d user.create entries, %v", total, err)
		}
		for _, e := range es {
			if e.ActorLogin != "system" || e.ActorID != nil {
				t.Errorf("bootstrap recorded as %q (%v)", e.ActorLogin, e.ActorID)
			}
			noSecrets(t, e)
		}
		_, err = f.s.Bootstrap(context.Background(), accounts.UserInput{Login: "x1", Name: "X", UnitID: f.unitA.ID, Password: pw, Roles: []access.Role{"god"}})
		errstest.WantField(t, err, "roles", "error.role.unknown")
		_, err = f.s.Bootstrap(context.Background(), accounts.UserInput{Login: "X", Name: "X", UnitID: f.unitA.ID, Password: pw})
		errstest.WantField(t, err, "login", "error.login_format")
		_, err = f.s.Bootstrap(context.Background(), accounts.UserInput{Login: "sec", Name: "X", UnitID: f.unitA.ID, Password: pw})
		errstest.WantKind(t, err, errs.Conflict)
	})
}
