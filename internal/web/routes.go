package web

import (
	"net/http"
	"strconv"

	"concord/internal/access"
)

// Route is one endpoint: its permission rule sits beside it, so a route
// cannot exist without one, and the permission matrix test can walk them.
type Route struct {
	Method  string
	Pattern string
	Action  access.Action
	// Scope finds the unit the request acts on, for rules that reach only
	// the user's own unit; nil means the request concerns no one unit.
	Scope   func(*Server, *http.Request) (int64, error)
	Handler http.HandlerFunc
	API     bool
}

func (s *Server) routeTable() []Route {
	api := func(method, pattern string, action access.Action, scope func(*Server, *http.Request) (int64, error), h http.HandlerFunc) Route {
		return Route{Method: method, Pattern: "/api/v1" + pattern, Action: action, Scope: scope, Handler: h, API: true}
	}
	ui := func(method, pattern string, action access.Action, scope func(*Server, *http.Request) (int64, error), h http.HandlerFunc) Route {
		return Route{Method: method, Pattern: pattern, Action: action, Scope: scope, Handler: h}
	}
	routes := []Route{
		api("GET", "/openapi.json", access.Public, nil, s.apiOpenAPI),
		api("POST", "/session", access.Public, nil, s.apiLogin),
		api("DELETE", "/session", access.Self, nil, s.apiLogout),
		api("GET", "/me", access.Self, nil, s.apiMe),
		api("PUT", "/me/password", access.Self, nil, s.apiChangePassword),
		api("PUT", "/me/language", access.Self, nil, s.apiSetLanguage),
		api("GET", "/me/tokens", access.Self, nil, s.apiMyTokens),
		api("POST", "/me/tokens", access.Self, nil, s.apiCreateToken),
		api("DELETE", "/tokens/{id}", access.Self, nil, s.apiRevokeToken),
		api("GET", "/alliance", access.ViewDirectory, nil, s.apiAlliance),
		api("PUT", "/alliance", access.EditAlliance, nil, s.apiRenameAlliance),
		api("GET", "/units", access.ViewDirectory, nil, s.apiUnits),
		api("POST", "/units", access.CreateUnit, nil, s.apiCreateUnit),
		api("GET", "/units/{id}", access.ViewDirectory, unitFromPath, s.apiUnit),
		api("PUT", "/units/{id}", access.EditUnit, unitFromPath, s.apiUpdateUnit),
		api("GET", "/areas", access.ViewDirectory, nil, s.apiAreas),
		api("POST", "/areas", access.CreateArea, nil, s.apiCreateArea),
		api("GET", "/areas/{id}", access.ViewDirectory, nil, s.apiArea),
		api("PUT", "/areas/{id}", access.EditArea, nil, s.apiUpdateArea),
		api("GET", "/users", access.ListUsers, unitFromQuery, s.apiUsers),
		api("POST", "/users", access.CreateUser, nil, s.apiCreateUser),
		api("GET", "/users/{id}", access.ViewUser, unitOfUser, s.apiUser),
		api("PUT", "/users/{id}", access.EditUser, unitOfUser, s.apiUpdateUser),
		api("PUT", "/users/{id}/roles", access.SetRoles, unitOfUser, s.apiSetRoles),
		api("PUT", "/users/{id}/password", access.ResetPassword, unitOfUser, s.apiResetPassword),
		api("GET", "/users/{id}/tokens", access.ManageTokens, unitOfUser, s.apiUserTokens),
		api("GET", "/audit", access.SearchAudit, nil, s.apiAudit),
		api("GET", "/audit/export", access.ExportAudit, nil, s.apiAuditExport),
		api("GET", "/history/{type}/{id}", access.ViewHistory, unitOfObject, s.apiHistory),

		ui("GET", "/login", access.Public, nil, s.pageLogin),
		ui("POST", "/login", access.Public, nil, s.submitLogin),
		ui("POST", "/logout", access.Self, nil, s.submitLogout),
		ui("POST", "/lang", access.Public, nil, s.submitLanguage),
		ui("GET", "/{$}", access.Self, nil, s.pageDashboard),
		ui("POST", "/alliance", access.EditAlliance, nil, s.submitRenameAlliance),
		ui("GET", "/units", access.ViewDirectory, nil, s.pageUnits),
		ui("POST", "/units", access.CreateUnit, nil, s.submitCreateUnit),
		ui("GET", "/units/{id}", access.ViewDirectory, unitFromPath, s.pageUnit),
		ui("POST", "/units/{id}", access.EditUnit, unitFromPath, s.submitUpdateUnit),
		ui("GET", "/areas", access.ViewDirectory, nil, s.pageAreas),
		ui("POST", "/areas", access.CreateArea, nil, s.submitCreateArea),
		ui("POST", "/areas/{id}", access.EditArea, nil, s.submitUpdateArea),
		ui("GET", "/users", access.ListUsers, unitFromQuery, s.pageUsers),
		ui("POST", "/users", access.CreateUser, nil, s.submitCreateUser),
		ui("GET", "/users/{id}", access.ViewUser, unitOfUser, s.pageUser),
		ui("POST", "/users/{id}", access.EditUser, unitOfUser, s.submitUpdateUser),
		ui("POST", "/users/{id}/roles", access.SetRoles, unitOfUser, s.submitSetRoles),
		ui("POST", "/users/{id}/password", access.ResetPassword, unitOfUser, s.submitResetPassword),
		ui("GET", "/audit", access.SearchAudit, nil, s.pageAudit),
		ui("GET", "/audit/export", access.ExportAudit, nil, s.apiAuditExport),
		ui("GET", "/history/{type}/{id}", access.ViewHistory, unitOfObject, s.pageHistory),
		ui("GET", "/profile", access.Self, nil, s.pageProfile),
		ui("POST", "/profile/password", access.Self, nil, s.submitChangePassword),
		ui("POST", "/profile/tokens", access.Self, nil, s.submitCreateToken),
		ui("POST", "/profile/tokens/{id}/revoke", access.Self, nil, s.submitRevokeToken),
	}
	routes = append(routes, s.planAPIRoutes(api)...)
	routes = append(routes, s.notifyRoutes(api, ui)...)
	routes = append(routes, s.inspectAPIRoutes(api)...)
	routes = append(routes, s.inspectUIRoutes(ui)...)
	routes = append(routes, s.meetingRoutes(api, ui)...)
	routes = append(routes, s.scoreRoutes(api)...)
	routes = append(routes, s.scoreUIRoutes(ui)...)
	routes = append(routes, s.bulletinRoutes(api, ui)...)
	routes = append(routes, s.waterBriefRoutes(api, ui)...)
	routes = append(routes, s.supervisionRoutes(api)...)
	routes = append(routes, s.waterRoutes(api, ui)...)
	return append(routes, s.planUIRoutes(ui)...)
}

func unitFromPath(_ *Server, r *http.Request) (int64, error) { return pathID(r, "id") }

// unitFromQuery is the unit a list asks for, or the user's own unit.
func unitFromQuery(_ *Server, r *http.Request) (int64, error) {
	if v := r.URL.Query().Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return id, nil
		}
	}
	return actorOf(r).UnitID, nil
}

func unitOfUser(s *Server, r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	return s.Accounts.UserUnit(r.Context(), id)
}

// unitOfObject is the unit an object in the audit trail belongs to.
func unitOfObject(s *Server, r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	switch r.PathValue("type") {
	case "unit":
		return id, nil
	case "user":
		return s.Accounts.UserUnit(r.Context(), id)
	case "task", "report":
		// A task is its lead unit's, a report its unit's.
		return s.Plans.Owner(r.Context(), r.PathValue("type"), id)
	}
	return 0, nil
}
