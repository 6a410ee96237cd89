// Package web translates HTTP into calls on Concord's services and back: the
// JSON API under /api/v1, the server-rendered UI, and the operational
// endpoints. It holds no rules of its own beyond HTTP: permissions come from
// access.Policy, checked once per route before the handler runs.
package web

import (
	"log/slog"
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/bulletin"
	"concord/internal/db"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/notify"
	"concord/internal/planio"
	"concord/internal/plans"
	"concord/internal/problems"
	"concord/internal/scores"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
)

// Deps are the services the web layer serves.
type Deps struct {
	DB           *db.DB
	Accounts     *accounts.Service
	Alliance     *alliance.Service
	Plans        *plans.Service
	Notify       *notify.Service
	Planio       *planio.Service
	Inspect      *inspect.Service
	Problems     *problems.Service
	Meetings     *meetings.Service
	Scores       *scores.Service
	Bulletins    *bulletin.Service
	WaterAccount *wateraccount.Service // the water loop and brief; its Water is the water store
	Water        *waterstore.Service
	Audit        *audit.Store
	Log          *slog.Logger
	CookieSecure string // auto, always or never
	TrustProxy   bool
	Version      string
	// MaxReads bounds the reads served at once (0: four per CPU); see admit.
	MaxReads int

	// BriefSections add sections to the meeting brief (escalated problems,
	// inspection results) from capabilities the meetings package does not know.
	BriefSections []meetings.SectionProvider
}

// Server is the HTTP face of Concord.
type Server struct {
	Deps
	mux     *http.ServeMux
	routes  []Route
	pages   *pages
	metrics *metrics
	handler http.Handler
	derived derived
	imports waterImports  // readings imports running or recently done
	pushes  pushLimiter   // the automatic stations' pushes per address
	reads   chan struct{} // a slot per read being served (admit)
}

// New builds the server, parsing and checking every template up front.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{Deps: d, mux: http.NewServeMux()}
	if d.MaxReads == 0 {
		d.MaxReads = 4 * runtime.GOMAXPROCS(0)
	}
	s.reads = make(chan struct{}, d.MaxReads)
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(prometheus.NewRegistry())
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.mux.Handle("GET /static/", staticHandler())
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("/", s.notFound)
	s.handler = s.base(s.mux)
	return s, nil
}

// Handler is the root handler with all middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the application routes (for the permission matrix and the
// OpenAPI check).
func (s *Server) Routes() []Route { return s.routes }
