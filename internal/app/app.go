// Package app wires Concord together: it opens the store named by the
// configuration, builds the services on it and serves them over HTTP. The CLI
// and the tests start Concord through it, so there is one way to do so.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/config"
	"concord/internal/db"
	"concord/internal/inspect"
	"concord/internal/jobs"
	"concord/internal/meetings"
	"concord/internal/notify"
	"concord/internal/planio"
	"concord/internal/plans"
	"concord/internal/problems"
	"concord/internal/scores"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
	"concord/internal/web"
)

// App is a running Concord: its configuration, store and services.
type App struct {
	Config   config.Config
	DB       *db.DB
	Accounts *accounts.Service
	Alliance *alliance.Service
	Plans    *plans.Service
	Notify   *notify.Service
	Meetings *meetings.Service
	Scores   *scores.Service
	// Bulletins carries the scorecard ranking as one of its sections.
	Bulletins *bulletin.Service
	Planio    *planio.Service
	Inspect   *inspect.Service
	Problems  *problems.Service
	Water     *waterstore.Service
	// WaterAccount is the water accountability loop and brief.
	WaterAccount *wateraccount.Service
	Audit        *audit.Store
	Log          *slog.Logger

	// BriefSections follow the meeting brief's own five, in this order
	// (六、七、八): for the web and the CLI alike.
	BriefSections []meetings.SectionProvider
}

// Open opens the store named by cfg.DB and builds the services on it. With
// cfg.Migrate it applies pending migrations first; otherwise it refuses a
// store whose schema is behind with db.ErrSchemaBehind.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		if err := d.Migrate(ctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
	} else if err := d.CheckSchema(ctx); err != nil {
		d.Close()
		return nil, err
	}
	log.Debug("store open", "engine", d.Engine, "db", config.MaskURL(cfg.DB))
	return New(cfg, d, log), nil
}

// New builds the services on an open, migrated store.
func New(cfg config.Config, d *db.DB, log *slog.Logger) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{
		Config: cfg,
		DB:     d,
		Accounts: &accounts.Service{DB: d, Settings: accounts.Settings{
			MaxFailedLogins: cfg.MaxFailedLogins,
			LockoutFor:      cfg.LockoutFor,
			SessionIdle:     cfg.SessionIdle,
			SessionMax:      cfg.SessionMax,
		}},
		Alliance: &alliance.Service{DB: d},
		Plans:    &plans.Service{DB: d, Clock: clock.System},
		Notify: &notify.Service{DB: d, Clock: clock.System, Log: log, BaseURL: cfg.BaseURL, Mail: notify.SMTP{
			Host: cfg.SMTPHost, Port: cfg.SMTPPort, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
			StartTLS: cfg.SMTPStartTLS, ImplicitTLS: cfg.SMTPImplicitTLS,
		}},
		Audit: &audit.Store{DB: d},
		Log:   log,
	}
	a.Planio = &planio.Service{Plans: a.Plans, Alliance: a.Alliance}
	a.Inspect = &inspect.Service{DB: d, Clock: clock.System, Plans: a.Plans}
	a.Problems = &problems.Service{DB: d, Clock: clock.System, Plans: a.Plans}
	a.Meetings = &meetings.Service{DB: d, Clock: clock.System, Plans: a.Plans}
	a.Scores = &scores.Service{DB: d, Clock: clock.System}
	a.Water = &waterstore.Service{DB: d, Clock: clock.System}
	a.WaterAccount = &wateraccount.Service{DB: d, Clock: clock.System, Water: a.Water, Inspect: a.Inspect}
	a.Bulletins = &bulletin.Service{DB: d, Clock: clock.System, Alliance: a.Alliance, Providers: []bulletin.SectionProvider{a.Scores, a.WaterAccount}}
	a.BriefSections = []meetings.SectionProvider{a.Inspect, a.Problems}
	return a
}

// Close closes the store.
func (a *App) Close() error { return a.DB.Close() }

// Web builds the HTTP server on the app's services.
func (a *App) Web(version string) (*web.Server, error) {
	return web.New(web.Deps{
		DB:           a.DB,
		Accounts:     a.Accounts,
		Alliance:     a.Alliance,
		Plans:        a.Plans,
		Notify:       a.Notify,
		Planio:       a.Planio,
		Inspect:      a.Inspect,
		Problems:     a.Problems,
		Meetings:     a.Meetings,
		Scores:       a.Scores,
		Bulletins:    a.Bulletins,
		WaterAccount: a.WaterAccount,
		Water:        a.Water,
		Audit:        a.Audit,
		Log:          a.Log,
		CookieSecure: a.Config.CookieSecure,
		TrustProxy:   a.Config.TrustProxy,
		MaxReads:     a.Config.MaxReads,
		Version:      version,

		// The brief's sections after its own five, in this order (六、七、八).
		BriefSections: a.BriefSections,
	})
}

// Listen binds the configured address. Once it returns, clients can connect;
// Serve then answers them.
func (a *App) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	return ln, nil
}

// HTTP server limits: slow or idle clients cannot hold connections open for
// ever; writes get room for large exports.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 1 << 20
)

// Serve binds the configured address and serves until ctx ends; see
// ServeListener.
func (a *App) Serve(ctx context.Context, version string) error {
	ln, err := a.Listen()
	if err != nil {
		return err
	}
	return a.ServeListener(ctx, ln, version)
}

// ServeListener serves the web server on ln until ctx ends, then shuts down
// gracefully: it stops accepting connections and waits up to
// Config.ShutdownTimeout for requests in flight before closing the rest. It
// closes ln, and returns nil after a clean shutdown.
func (a *App) ServeListener(ctx context.Context, ln net.Listener, version string) error {
	w, err := a.Web(version)
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           w.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	go a.purgeSessions(ctx)
	jobsDone := a.runJobs(ctx)
	defer func() { <-jobsDone }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "engine", a.DB.Engine, "version", version)

	select {
	case err := <-served:
		return err // Serve only returns early on failure
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	timeout := a.Config.ShutdownTimeout
	if timeout <= 0 {
		timeout = config.Default().ShutdownTimeout
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	if err != nil {
		hs.Close()
		err = fmt.Errorf("graceful shutdown: %w", err)
	}
	if e := <-served; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err == nil {
		a.Log.Info("stopped")
	}
	return err
}

// runJobs runs the scheduled jobs (the daily supervision sweep, e-mail and
// webhook delivery) until ctx ends; the channel closes when they have
// stopped. Every instance runs them: the runner lets one take each slot.
func (a *App) runJobs(ctx context.Context) <-chan struct{} {
	r := &jobs.Runner{DB: a.DB, Clock: clock.System, Log: a.Log}
	r.Add(a.Plans.Job())
	r.Add(a.Notify.Job())
	r.Add(a.Inspect.Job())
	r.Add(a.WaterAccount.Job())
	r.Add(a.Problems.Job())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Start(ctx, a.Config.JobsTick)
	}()
	return done
}

// purgeSessions clears expired sessions every quarter of an hour until ctx
// ends, so abandoned sign-ins do not pile up in the store.
func (a *App) purgeSessions(ctx context.Context) {
	tick := time.NewTicker(15 * time.Minute)
	defer tick.Stop()
	for {
		if n, err := a.Accounts.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purge expired sessions", "err", err)
		} else if n > 0 {
			a.Log.Info("purged expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// NewLogger makes the logger cfg asks for (LogFormat text or json, LogLevel
// debug, info, warn or error), writing to stderr.
func NewLogger(cfg config.Config) (*slog.Logger, error) {
	return NewLoggerTo(os.Stderr, cfg.LogFormat, cfg.LogLevel)
}

// NewLoggerTo makes a logger of format and level writing to w.
func NewLoggerTo(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log-level: want debug, info, warn or error, got %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log-format: want text or json, got %q", format)
}
