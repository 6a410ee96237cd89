package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"time"

	"concord/internal/app"
	"concord/internal/config"
)

// PerPage is the page size of the list reads.
const PerPage = 50

// API is Concord's HTTP handler built exactly as `concord serve` builds it
// (app.Open with the default configuration, then App.Web), with a bearer
// token of AdminLogin.
type API struct {
	App     *app.App
	Handler http.Handler
	Token   string
	Users   int // users in the store, so the number of list pages is known
}

// OpenAPI opens the benchmark store at path as `concord serve --db path`
// would (default settings, schema checked, not migrated) and signs in as
// AdminLogin through POST /api/v1/session. The server's log lines are
// formatted as in production (text, level info) but written to io.Discard.
func OpenAPI(ctx context.Context, path string) (*API, error) {
	cfg := config.Default()
	cfg.DB = path
	log, err := app.NewLoggerTo(io.Discard, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	srv, err := a.Web("bench")
	if err != nil {
		a.Close()
		return nil, err
	}
	api := &API{App: a, Handler: srv.Handler()}
	if err := a.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&api.Users); err != nil {
		a.Close()
		return nil, err
	}
	body := fmt.Sprintf(`{"login":%q,"password":%q}`, AdminLogin, Password)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/session", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	api.Handler.ServeHTTP(rec, req)
	var out struct {
		Token string `json:"token"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.Token == "" {
		a.Close()
		return nil, fmt.Errorf("sign in as %s: %d %s", AdminLogin, rec.Code, rec.Body.String())
	}
	api.Token = out.Token
	return api, nil
}

// Close closes the store.
func (api *API) Close() error { return api.App.Close() }

// Pages is the number of list pages of PerPage users.
func (api *API) Pages() int { return max(1, (api.Users+PerPage-1)/PerPage) }

// UsersPath is the list request of page k.
func UsersPath(k int) string { return fmt.Sprintf("/api/v1/users?page=%d&per_page=%d", k, PerPage) }

// Get serves one authenticated GET of path through the full handler and
// returns how long ServeHTTP took and the response.
func (api *API) Get(path string) (time.Duration, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+api.Token)
	rec := httptest.NewRecorder()
	start := time.Now()
	api.Handler.ServeHTTP(rec, req)
	return time.Since(start), rec
}

// rawPage reads page k the way a hand-written handler would: the count and
// the page of users, straight from the read pool with database/sql, every
// column scanned, nothing else (no authentication, roles, JSON or HTTP).
func (api *API) rawPage(ctx context.Context, k int) (time.Duration, error) {
	start := time.Now()
	var total int
	if err := api.App.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&total); err != nil {
		return 0, err
	}
	rows, err := api.App.DB.R.QueryContext(ctx, `SELECT id, login, name, email, unit_id, language, disabled, locked_until, version, created_at, updated_at
		FROM users ORDER BY login LIMIT $1 OFFSET $2`, PerPage, (k-1)*PerPage)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, unit int64
		var login, name, email, lang string
		var disabled bool
		var locked sql.NullTime
		var version int
		var created, updated time.Time
		if err := rows.Scan(&id, &login, &name, &email, &unit, &lang, &disabled, &locked, &version, &created, &updated); err != nil {
			return 0, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	d := time.Since(start)
	if n == 0 || total == 0 {
		return 0, fmt.Errorf("raw page %d: no rows", k)
	}
	return d, nil
}

// APIResult holds the in-process timings.
type APIResult struct {
	N       int   `json:"n"`
	Warmup  int   `json:"warmup"`
	Pages   int   `json:"pages"`
	Users   Stats `json:"users_list"`  // GET /api/v1/users?page=K&per_page=50
	Units   Stats `json:"units_list"`  // GET /api/v1/units
	Healthz Stats `json:"healthz"`     // baseline: the floor of the handler stack
	RawSQL  Stats `json:"raw_sql"`     // baseline: the page's count and SELECT alone
	Bytes   int   `json:"users_bytes"` // size of one users page response
	// Ratios of the users list median to the baselines' medians.
	UsersOverHealthz float64 `json:"users_over_healthz"`
	UsersOverRawSQL  float64 `json:"users_over_raw_sql"`
	UnitsOverHealthz float64 `json:"units_over_healthz"`
	AllocsPerList    float64 `json:"users_allocs_per_request"`
	BytesPerList     float64 `json:"users_alloc_bytes_per_request"`
}

// MeasureAPI times n requests of each kind after warmup unmeasured rounds.
// The four kinds are interleaved (their order rotating every round) so that
// each sees the same conditions; the users list walks the pages in a fixed
// pseudo-random order.
func MeasureAPI(ctx context.Context, api *API, n, warmup int) (APIResult, error) {
	res := APIResult{N: n, Warmup: warmup, Pages: api.Pages()}
	rng := rand.New(rand.NewPCG(1, 2))
	var users, units, health, raw []time.Duration
	check := func(what string, rec *httptest.ResponseRecorder) error {
		if rec.Code != http.StatusOK {
			return fmt.Errorf("%s: status %d: %s", what, rec.Code, rec.Body.String())
		}
		return nil
	}
	// One response checked in full: a page of PerPage users with the total.
	_, rec := api.Get(UsersPath(1))
	var page struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	if err := check("users list", rec); err != nil {
		return res, err
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Total != api.Users || len(page.Items) != min(PerPage, api.Users) {
		return res, fmt.Errorf("users list: unexpected body (total %d, %d items, %v)", page.Total, len(page.Items), err)
	}
	res.Bytes = rec.Body.Len()

	kinds := []func(k int, keep bool) error{
		func(k int, keep bool) error {
			d, rec := api.Get(UsersPath(k))
			if keep {
				users = append(users, d)
			}
			return check("users list", rec)
		},
		func(_ int, keep bool) error {
			d, rec := api.Get("/api/v1/units")
			if keep {
				units = append(units, d)
			}
			return check("units list", rec)
		},
		func(_ int, keep bool) error {
			d, rec := api.Get("/healthz")
			if keep {
				health = append(health, d)
			}
			return check("healthz", rec)
		},
		func(k int, keep bool) error {
			d, err := api.rawPage(ctx, k)
			if keep {
				raw = append(raw, d)
			}
			return err
		},
	}
	runtime.GC()
	for i := range warmup + n {
		k := 1 + rng.IntN(res.Pages)
		for j := range kinds {
			if err := kinds[(i+j)%len(kinds)](k, i >= warmup); err != nil {
				return res, err
			}
		}
	}
	res.Users, res.Units, res.Healthz, res.RawSQL = Summarize(users), Summarize(units), Summarize(health), Summarize(raw)
	res.UsersOverHealthz = ratio(float64(res.Users.Median), float64(res.Healthz.Median))
	res.UsersOverRawSQL = ratio(float64(res.Users.Median), float64(res.RawSQL.Median))
	res.UnitsOverHealthz = ratio(float64(res.Units.Median), float64(res.Healthz.Median))

	// Allocation per users list request, measured apart from the timings.
	const allocRounds = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range allocRounds {
		if _, rec := api.Get(UsersPath(1 + i%res.Pages)); rec.Code != http.StatusOK {
			return res, check("users list", rec)
		}
	}
	runtime.ReadMemStats(&after)
	res.AllocsPerList = float64((after.Mallocs - before.Mallocs) / allocRounds)
	res.BytesPerList = float64((after.TotalAlloc - before.TotalAlloc) / allocRounds)
	return res, nil
}
