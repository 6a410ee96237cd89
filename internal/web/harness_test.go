package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/web"
)

// fixture is a running server over a fresh store with two units (own and
// other) and one user per role in the own unit, plus a reporter in other.
type fixture struct {
	t      *testing.T
	DB     *db.DB
	Srv    *web.Server
	HTTP   *httptest.Server
	Own    alliance.Unit
	Other  alliance.Unit
	Users  map[access.Role]accounts.User
	Peer   accounts.User // a reporter in Other
	tokens map[string]string
}

const testPassword = "Password-2018"

func newFixture(t *testing.T, e db.Engine) *fixture {
	t.Helper()
	d := dbtest.Open(t, e)
	ctx := context.Background()
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	if err := al.Init(ctx, alliance.Names{ZhHans: "测试经济带", ZhHant: "測試經濟帶", En: "Test belt"}); err != nil {
		t.Fatal(err)
	}
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	f := &fixture{t: t, DB: d, Users: map[access.Role]accounts.User{}, tokens: map[string]string{}}
	var err error
	if f.Own, err = al.CreateUnit(sys, alliance.UnitInput{Code: "own", Name: alliance.Names{ZhHans: "本单位"}, Kind: alliance.City}); err != nil {
		t.Fatal(err)
	}
	if f.Other, err = al.CreateUnit(sys, alliance.UnitInput{Code: "other", Name: alliance.Names{ZhHans: "他单位"}, Kind: alliance.City}); err != nil {
		t.Fatal(err)
	}
	for _, area := range alliance.DefaultAreas {
		if _, err := al.CreateArea(sys, area); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range access.Roles {
		u, err := acc.Bootstrap(ctx, accounts.UserInput{Login: strings.ReplaceAll(string(r), "_", "-"), Name: string(r), UnitID: f.Own.ID, Password: testPassword, Roles: []access.Role{r}})
		if err != nil {
			t.Fatal(err)
		}
		f.Users[r] = u
	}
	if f.Peer, err = acc.Bootstrap(ctx, accounts.UserInput{Login: "peer", Name: "peer", UnitID: f.Other.ID, Password: testPassword, Roles: []access.Role{access.Reporter}}); err != nil {
		t.Fatal(err)
	}
	f.Srv, err = web.New(web.Deps{DB: d, Accounts: acc, Alliance: al, Audit: &audit.Store{DB: d}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.HTTP = httptest.NewServer(f.Srv.Handler())
	t.Cleanup(f.HTTP.Close)
	return f
}

// token signs login in through the API once and returns its bearer token.
func (f *fixture) token(login string) string {
	f.t.Helper()
	if tok, ok := f.tokens[login]; ok {
		return tok
	}
	res := f.do("POST", "/api/v1/session", "", map[string]string{"login": login, "password": testPassword}, nil)
	if res.StatusCode != http.StatusCreated {
		f.t.Fatalf("login %s: %d %s", login, res.StatusCode, res.Body)
	}
	tok := res.JSON["token"].(string)
	f.tokens[login] = tok
	return tok
}

type result struct {
	StatusCode int
	Header     http.Header
	Body       string
	JSON       map[string]any
}

// do sends a request with an optional bearer token and JSON body.
func (f *fixture) do(method, path, token string, body any, header map[string]string) result {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, f.HTTP.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := result{StatusCode: res.StatusCode, Header: res.Header, Body: string(b)}
	json.Unmarshal(b, &out.JSON)
	return out
}

// auditCount is the number of audit rows.
func (f *fixture) auditCount() int {
	var n int
	if err := f.DB.R.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
