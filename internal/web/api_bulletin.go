package web

import (
	"bytes"
	"fmt"
	"net/http"

	"concord/internal/bulletin"
)

func bulletinVersion(b bulletin.Bulletin) int { return b.Version }

func (s *Server) apiBulletins(w http.ResponseWriter, r *http.Request) {
	bs, err := s.Bulletins.Bulletins(r.Context())
	respond(s, w, r, nonNil(bs), 0, err)
}

func (s *Server) apiCreateBulletin(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in bulletin.Input) (bulletin.Bulletin, error) { return s.Bulletins.Create(r.Context(), in) },
		func(b bulletin.Bulletin) (string, int) { return "/api/v1/bulletins/" + itoa(b.ID), b.Version })
}

// apiBulletin answers a bulletin with its document: the frozen one of a
// published bulletin, a draft's generated now.
func (s *Server) apiBulletin(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (bulletin.Bulletin, error) {
		b, doc, err := s.Bulletins.Document(r.Context(), id)
		b.Document = &doc
		return b, err
	}, bulletinVersion)
}

func (s *Server) apiUpdateBulletin(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Bulletins.Update, bulletinVersion)
}

func (s *Server) apiPublishBulletin(w http.ResponseWriter, r *http.Request) {
	moveBy(s, w, r, s.Bulletins.Publish, bulletinVersion)
}

func (s *Server) apiCorrectBulletin(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Bulletins.Correct, bulletinVersion)
}

func (s *Server) apiBulletinRevisions(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Bulletins.Bulletin, s.Bulletins.Revisions)
}

// downloadBulletin sends the bulletin as ?format (html by default), for the
// API and the pages alike. A PDF needs Chromium on the server: without it
// the answer is 503 saying so.
func (s *Server) downloadBulletin(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	id, err := pathID(r, "id")
	var b bulletin.Bulletin
	var doc bulletin.Document
	if err == nil {
		b, doc, err = s.Bulletins.Document(r.Context(), id)
	}
	var buf bytes.Buffer
	if err == nil {
		err = doc.Write(r.Context(), &buf, format)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("bulletin-%d-r%d.%s", b.ID, b.Revision, format)
	if b.Status == bulletin.Draft {
		name = fmt.Sprintf("bulletin-%d-draft.%s", b.ID, format)
	}
	sendDownload(w, name, bulletin.Formats[format], buf.Bytes())
}
