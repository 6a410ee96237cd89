package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"concord/internal/app"
	"concord/internal/config"
	"concord/internal/db"
	"concord/internal/dbtest"
)

func TestOpen(t *testing.T) {
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			cfg := config.Default()
			cfg.DB = dbtest.URL(t, e)
			if _, err := app.Open(ctx, cfg, nil); !errors.Is(err, db.ErrSchemaBehind) {
				t.Fatalf("behind schema without --migrate: %v", err)
			}
			cfg.Migrate = true
			cfg.MaxFailedLogins = 3
			a, err := app.Open(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if a.Accounts.Settings.MaxFailedLogins != 3 || a.Accounts.Settings.SessionIdle != cfg.SessionIdle {
				t.Errorf("account settings: %+v", a.Accounts.Settings)
			}
			if err := a.DB.CheckSchema(ctx); err != nil {
				t.Error(err)
			}
			// Once migrated, a plain start works.
			cfg.Migrate = false
			b, err := app.Open(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			b.Close()
		})
	}
}

func TestServeShutsDown(t *testing.T) {
	var logs bytes.Buffer
	log, err := app.NewLoggerTo(&logs, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 5 * time.Second
	a := app.New(cfg, dbtest.Open(t, db.SQLite), log)
	ln, err := a.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.ServeListener(ctx, ln, "test") }()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("server does not answer: %v", err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeListener: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("logs: %s", logs.String())
	}
	if _, err := (&http.Client{Timeout: time.Second}).Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("still answering after shutdown")
	}
}

func TestServeReportsBusyAddress(t *testing.T) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	a := app.New(cfg, dbtest.Open(t, db.SQLite), nil)
	ln, err := a.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a.Config.Addr = ln.Addr().String()
	if err := a.Serve(context.Background(), "test"); err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("busy address: %v", err)
	}
}

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := app.NewLoggerTo(&buf, "text", "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "msg=shown") {
		t.Errorf("text logger at warn: %q", buf.String())
	}
	if _, err := app.NewLoggerTo(&buf, "xml", "info"); err == nil {
		t.Error("xml format accepted")
	}
	if _, err := app.NewLoggerTo(&buf, "json", "loud"); err == nil {
		t.Error("level loud accepted")
	}
}
