package web

import (
	"bytes"
	"net/http"
	"net/url"

	"concord/internal/i18n"
	"concord/internal/notify"
)

// ---- the notification centre ----

type notificationsData struct {
	Items  []notificationItem
	Unread bool   // the list holds the unread ones only
	Count  int    // unread notifications in all
	Back   string // this list, to come back to after marking read
	Pager  pager
}

type notificationItem struct {
	notify.Notification
	Text string
	Href string // the object's page; "" when the link is not a page of this site
}

func (s *Server) notificationsPage(r *http.Request, f form) (string, pageData, error) {
	pg, err := pageOf(r)
	if err != nil {
		return "", pageData{}, err
	}
	ns, total, err := s.inbox(r, pg)
	if err != nil {
		return "", pageData{}, err
	}
	count, err := s.Notify.UnreadCount(r.Context(), actorOf(r).UserID)
	if err != nil {
		return "", pageData{}, err
	}
	q := r.URL.Query()
	q.Del("flash")
	d := &notificationsData{Unread: filtersOf(r).flag("unread"), Count: count, Back: "/notifications", Pager: pager{pg.Page, pg.PerPage, total, q}}
	if len(q) > 0 {
		d.Back += "?" + q.Encode()
	}
	p := s.newPage(r, "page.notifications", d)
	for _, n := range ns {
		it := notificationItem{Notification: n, Text: n.Text(p.Lang)}
		if n.Link != "" && safeNext(n.Link) == n.Link {
			it.Href = n.Link
		}
		d.Items = append(d.Items, it)
	}
	p.Form = f
	return "notifications", p, nil
}

// submitMarkRead marks the notifications of the form's id fields read, or
// all of them when the form says all=true.
func (s *Server) submitMarkRead(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	ids := f.ids("id")
	if ids == nil && !f.bool("all") {
		ids = []int64{} // nothing chosen: nothing to mark
	}
	err := f.err()
	if err == nil {
		_, err = s.markRead(r.Context(), actorOf(r).UserID, ids)
	}
	back := safeNext(f.text("back"))
	if err != nil {
		s.finish(w, r, err, "read", s.notificationsPage, back)
		return
	}
	done(w, r, back, "flash.marked_read")
}

// notificationBadge is the layout's unread count, an htmx fragment: the
// number with its meaning for screen readers, nothing when all is read, and
// no answer to swap in (204) for a visitor who is not signed in.
func (s *Server) notificationBadge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	user := actorOf(r).UserID
	if user == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	n, err := s.Notify.UnreadCount(r.Context(), user)
	var buf bytes.Buffer
	if err == nil {
		err = s.pages.byName["notifications"].ExecuteTemplate(&buf, "unread-badge",
			struct {
				N     int
				Label string
			}{n, i18n.T(langOf(r), "notifyui.badge", n)})
	}
	if err != nil {
		// A poll that fails leaves the badge as it was.
		s.Log.Error("unread badge", "err", err, "request_id", requestID(r))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// ---- webhooks ----

// webhookEvents are the notification kinds a webhook may take: "*" (every
// kind, those to come included), then every kind Concord sends.
var webhookEvents = append([]string{"*"}, notify.Kinds...)

type webhooksData struct {
	Hooks   []notify.Webhook
	Events  []option        // the kinds to choose from, in the page's language
	Created *webhookCreated // the webhook just made, its secret shown this once
}

// Values are webhook h's fields as its edit form starts.
func (d *webhooksData) Values(h notify.Webhook) url.Values {
	active := "false"
	if h.Active {
		active = "true"
	}
	return url.Values{"name": {h.Name}, "url": {h.URL}, "events": h.Events, "active": {active}}
}

// hookFields are the fields of a webhook's form, drawn by "hook-fields".
type hookFields struct {
	P      pageData
	ID     string
	Values url.Values
	Events []option
}

// Fields starts webhook form formID with values.
func (d *webhooksData) Fields(p pageData, formID string, values url.Values) hookFields {
	return hookFields{p, formID, values, d.Events}
}

// EventName names an event a webhook takes.
func (d *webhooksData) EventName(e string) string {
	for _, o := range d.Events {
		if o.Value == e {
			return o.Text
		}
	}
	return e
}

func (s *Server) webhooksPage(r *http.Request, f form) (string, pageData, error) {
	hs, err := s.Notify.Webhooks(r.Context())
	if err != nil {
		return "", pageData{}, err
	}
	d := &webhooksData{Hooks: hs}
	p := s.newPage(r, "page.webhooks", d)
	for _, e := range webhookEvents {
		d.Events = append(d.Events, option{e, p.T("notifyui.event." + e)})
	}
	p.Form = f
	return "webhooks", p, nil
}

// webhookInput reads a webhook's form; an unticked "active" turns it off.
func webhookInput(f *formIn) notify.WebhookInput {
	active := f.bool("active")
	return notify.WebhookInput{Name: f.text("name"), URL: f.text("url"), Events: f.vals["events"], Active: &active}
}

// submitCreateWebhook adds a webhook and shows its secret, this once.
func (s *Server) submitCreateWebhook(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	err := f.err()
	var c webhookCreated
	if err == nil {
		c.Webhook, c.Secret, err = s.Notify.CreateWebhook(r.Context(), webhookInput(f))
	}
	if err != nil {
		s.finish(w, r, err, "create", s.webhooksPage, "/webhooks")
		return
	}
	name, p, err := s.webhooksPage(r, form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data.(*webhooksData).Created = &c
	s.renderStatus(w, r, http.StatusCreated, name, p)
}

func (s *Server) submitUpdateWebhook(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	err := f.err()
	if err == nil {
		_, err = s.Notify.UpdateWebhook(r.Context(), id, webhookInput(f), f.version())
	}
	s.finish(w, r, err, "hook-"+itoa(id), s.webhooksPage, "/webhooks")
}

func (s *Server) submitDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	err := f.err()
	if err == nil {
		err = s.Notify.DeleteWebhook(r.Context(), id, f.version())
	}
	if err == nil {
		done(w, r, "/webhooks", "flash.deleted")
		return
	}
	s.finish(w, r, err, "hook-"+itoa(id), s.webhooksPage, "/webhooks")
}
