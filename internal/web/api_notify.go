package web

import (
	"context"
	"net/http"

	"concord/internal/notify"
)

// ---- the notification centre ----

// notificationJSON is a notification with its text in the request's language.
type notificationJSON struct {
	notify.Notification
	Text string `json:"text"`
}

func withText(lang string, ns []notify.Notification) []notificationJSON {
	out := make([]notificationJSON, len(ns))
	for i, n := range ns {
		out[i] = notificationJSON{n, n.Text(lang)}
	}
	return out
}

// unreadJSON is how many of the caller's notifications are unread.
type unreadJSON struct {
	Count int `json:"count"`
}

// inbox is one page of the caller's notifications, the unread ones only
// when the query says unread=1.
func (s *Server) inbox(r *http.Request, p page) ([]notify.Notification, int, error) {
	return s.Notify.Inbox(r.Context(), actorOf(r).UserID, filtersOf(r).flag("unread"), p.PerPage, p.offset())
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	var ns []notify.Notification
	total := 0
	if err == nil {
		ns, total, err = s.inbox(r, p)
	}
	respond(s, w, r, newList(withText(langOf(r), ns), total, p), 0, err)
}

func (s *Server) apiUnreadCount(w http.ResponseWriter, r *http.Request) {
	n, err := s.Notify.UnreadCount(r.Context(), actorOf(r).UserID)
	respond(s, w, r, unreadJSON{n}, 0, err)
}

// readBody names the notifications to mark read; without ids, all of them.
type readBody struct {
	IDs []int64 `json:"ids"`
}

// apiMarkRead marks the caller's notifications read and answers with how
// many are still unread; ids of other users' notifications are ignored.
func (s *Server) apiMarkRead(w http.ResponseWriter, r *http.Request) {
	var in readBody
	err := decode(r, &in)
	n := 0
	if err == nil {
		n, err = s.markRead(r.Context(), actorOf(r).UserID, in.IDs)
	}
	respond(s, w, r, unreadJSON{n}, 0, err)
}

// markRead marks ids (nil: all) of user's notifications read and counts the
// unread ones left.
func (s *Server) markRead(ctx context.Context, user int64, ids []int64) (int, error) {
	if err := s.Notify.MarkRead(ctx, user, ids); err != nil {
		return 0, err
	}
	return s.Notify.UnreadCount(ctx, user)
}

// ---- webhooks (system administrator) ----

func webhookVersion(h notify.Webhook) int { return h.Version }

// webhookCreated is a new webhook with its signing secret, shown this once.
type webhookCreated struct {
	notify.Webhook
	Secret string `json:"secret"`
}

func (s *Server) apiWebhooks(w http.ResponseWriter, r *http.Request) {
	hs, err := s.Notify.Webhooks(r.Context())
	if hs == nil {
		hs = []notify.Webhook{}
	}
	respond(s, w, r, hs, 0, err)
}

func (s *Server) apiWebhook(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (notify.Webhook, error) { return s.Notify.Webhook(r.Context(), id) }, webhookVersion)
}

func (s *Server) apiCreateWebhook(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in notify.WebhookInput) (webhookCreated, error) {
		h, secret, err := s.Notify.CreateWebhook(r.Context(), in)
		return webhookCreated{h, secret}, err
	}, func(c webhookCreated) (string, int) { return "/api/v1/webhooks/" + itoa(c.ID), c.Version })
}

func (s *Server) apiUpdateWebhook(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Notify.UpdateWebhook, webhookVersion)
}

// apiDeleteWebhook removes a webhook at the If-Match version, with its
// deliveries not yet sent.
func (s *Server) apiDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	version := 0
	if err == nil {
		version, err = ifMatch(r)
	}
	if err == nil {
		err = s.Notify.DeleteWebhook(r.Context(), id, version)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
