// Package web translates HTTP into calls on Concord's services and back: the
// JSON API under /api/v1, the server-rendered UI, and the operational
// endpoints. It holds no rules of its own beyond HTTP.
package web

import (
	"log/slog"
	"net/http"

	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
)

// Deps are the services the web layer serves.
type Deps struct {
	DB           *db.DB
	Accounts     *accounts.Service
	Alliance     *alliance.Service
	Audit        *audit.Store
	Log          *slog.Logger
	CookieSecure string // auto, always or never
	TrustProxy   bool
	Version      string
}

// Server is the HTTP face of Concord.
type Server struct {
	Deps
	mux *http.ServeMux
}

// New builds the server, parsing and checking every template up front.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d, mux: http.NewServeMux()}
	return s, nil
}

// Handler is the root handler with all middleware applied.
func (s *Server) Handler() http.Handler { return s.mux }
