package web

import (
	"net/http"

	"concord/internal/access"
)

// bulletinRoutes are the supervision bulletins: the JSON API, the pages and
// the downloads (HTML, PDF, .docx, .xlsx) both answer.
func (s *Server) bulletinRoutes(api, ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/bulletins", access.ViewBulletins, nil, s.apiBulletins),
		api("POST", "/bulletins", access.ManageBulletins, nil, s.apiCreateBulletin),
		api("GET", "/bulletins/{id}", access.ViewBulletins, nil, s.apiBulletin),
		api("PUT", "/bulletins/{id}", access.ManageBulletins, nil, s.apiUpdateBulletin),
		api("POST", "/bulletins/{id}/publish", access.ManageBulletins, nil, s.apiPublishBulletin),
		api("POST", "/bulletins/{id}/correction", access.ManageBulletins, nil, s.apiCorrectBulletin),
		api("GET", "/bulletins/{id}/revisions", access.ViewBulletins, nil, s.apiBulletinRevisions),
		api("GET", "/bulletins/{id}/download", access.ViewBulletins, nil, s.downloadBulletin),

		ui("GET", "/bulletins", access.ViewBulletins, nil, s.showPage(s.bulletinsPage)),
		ui("POST", "/bulletins", access.ManageBulletins, nil, s.submitCreateBulletin),
		ui("GET", "/bulletins/{id}", access.ViewBulletins, nil, s.showPage(s.bulletinPage)),
		ui("POST", "/bulletins/{id}", access.ManageBulletins, nil, s.bulletinAction("edit", s.editBulletin)),
		ui("POST", "/bulletins/{id}/publish", access.ManageBulletins, nil, s.bulletinAction("publish", s.publishBulletin)),
		ui("POST", "/bulletins/{id}/correction", access.ManageBulletins, nil, s.bulletinAction("correct", s.correctBulletin)),
		ui("GET", "/bulletins/{id}/download", access.ViewBulletins, nil, s.downloadBulletin),
	}
}
