package web

import (
	"net/http"
	"net/url"
	"strconv"

	"concord/internal/plans"
)

// hitView is a search hit with the task it belongs to.
type hitView struct {
	plans.Hit
	Task plans.Task
}

type searchData struct {
	Q    string
	Hits []hitView
}

func (s *Server) searchPage(r *http.Request, _ form) (string, pageData, error) {
	ctx := r.Context()
	d := &searchData{Q: readQuery(r).text("q")}
	p := s.newPage(r, "plans.ui.page.search", d)
	hits, err := s.Plans.Search(ctx, d.Q, 100)
	if err != nil {
		return "", p, err
	}
	tasks := map[int64]plans.Task{}
	for _, h := range hits {
		t, ok := tasks[h.TaskID]
		if !ok {
			if t, err = s.Plans.Task(ctx, h.TaskID); err != nil {
				return "", p, err
			}
			tasks[h.TaskID] = t
		}
		d.Hits = append(d.Hits, hitView{h, t})
	}
	return "search", p, nil
}

type settingsData struct {
	Settings plans.Settings
	Values   url.Values // the settings as the form shows them
}

// settingsFields are the numeric settings, in the order the form shows them.
var settingsFields = []string{"lead_weight", "behind_points", "due_soon_days", "due_soon_percent", "remind_days", "report_grace_days", "chase_leader_days", "chase_office_days"}

// SettingsFields lists the numeric supervision settings.
func (p pageData) SettingsFields() []string { return settingsFields }

func (s *Server) settingsPage(r *http.Request, f form) (string, pageData, error) {
	d := &settingsData{}
	p := s.newPage(r, "plans.ui.page.settings", d)
	p.Form = f
	var err error
	if d.Settings, err = s.Plans.Settings(r.Context()); err != nil {
		return "", p, err
	}
	st := d.Settings
	num := func(f float64) []string { return []string{strconv.FormatFloat(f, 'f', -1, 64)} }
	d.Values = url.Values{"lead_weight": num(st.LeadWeight), "behind_points": num(st.BehindPoints), "due_soon_days": {strconv.Itoa(st.DueSoonDays)},
		"due_soon_percent": num(st.DueSoonPercent), "remind_days": {strconv.Itoa(st.RemindDays)}, "report_grace_days": {strconv.Itoa(st.ReportGraceDays)},
		"chase_leader_days": {strconv.Itoa(st.ChaseLeaderDays)}, "chase_office_days": {strconv.Itoa(st.ChaseOfficeDays)}}
	if st.LeaderApproval {
		d.Values.Set("leader_approval", "true")
	}
	return "settings", p, nil
}

func (s *Server) submitSettings(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := plans.Settings{LeadWeight: f.float("lead_weight"), BehindPoints: f.float("behind_points"), DueSoonDays: f.int("due_soon_days"),
		DueSoonPercent: f.float("due_soon_percent"), RemindDays: f.int("remind_days"), ReportGraceDays: f.int("report_grace_days"),
		ChaseLeaderDays: f.int("chase_leader_days"), ChaseOfficeDays: f.int("chase_office_days"), LeaderApproval: f.bool("leader_approval")}
	err := f.err()
	if err == nil {
		_, err = s.Plans.UpdateSettings(r.Context(), in, f.version())
	}
	s.finish(w, r, err, "settings", s.settingsPage, "/settings")
}
