package web

import (
	"html/template"
	"slices"
	"strings"

	"concord/internal/access"
)

// navLink is one entry of the main navigation: shown when the viewer may
// do action (on their own unit when own is set; always when action is
// empty), and marked current on its sections: the path itself, or any
// sub-page of them unless exact.
type navLink struct {
	href, label string
	action      access.Action
	own         bool
	sections    []string
	exact       bool
}

// navLinks is the main navigation in its order. The notification centre
// follows them in the layout, with its live badge.
var navLinks = []navLink{
	{href: "/", label: "nav.home", exact: true},
	{href: "/workspace", label: "nav.workspace", action: access.ViewPlans},
	{href: "/plans", label: "nav.plans", action: access.ViewPlans},
	{href: "/tasks", label: "nav.tasks", action: access.ViewPlans},
	{href: "/reports", label: "nav.reports", action: access.ViewPlans},
	{href: "/search", label: "nav.search", action: access.ViewPlans},
	{href: "/meetings", label: "nav.meetings", action: access.ViewMeetings, sections: []string{"/meetings", "/committees"}},
	{href: "/bulletins", label: "nav.bulletins", action: access.ViewBulletins},
	{href: "/inspections", label: "nav.inspections", action: access.ViewInspections},
	{href: "/rectifications", label: "nav.rectifications", action: access.ViewInspections},
	{href: "/problems", label: "nav.problems", action: access.ViewProblems},
	{href: "/water", label: "nav.water", action: access.ViewWater},
	{href: "/scorecards", label: "nav.scores", action: access.ViewScores, sections: []string{"/scorecards", "/score-models"}},
	{href: "/units", label: "nav.units", action: access.ViewDirectory, exact: true},
	{href: "/areas", label: "nav.areas", action: access.ViewDirectory, exact: true},
	{href: "/users", label: "nav.users", action: access.ListUsers, own: true, exact: true},
	{href: "/audit", label: "nav.audit", action: access.SearchAudit, exact: true},
	{href: "/webhooks", label: "nav.webhooks", action: access.ManageWebhooks},
}

// current reports whether path is one of the link's sections.
func (l navLink) current(path string) bool {
	sections := l.sections
	if sections == nil {
		sections = []string{l.href}
	}
	return slices.ContainsFunc(sections, func(s string) bool {
		return path == s || !l.exact && strings.HasPrefix(path, s+"/")
	})
}

// NavItems draws the navigation's entries the viewer may use. Built here,
// not in the template: every page draws it, and as template actions its
// permission checks and translations were a fifth of a light page's work.
func (p pageData) NavItems() template.HTML {
	var b strings.Builder
	for _, l := range navLinks {
		unit := int64(0)
		if l.own {
			unit = p.Actor.UnitID
		}
		if l.action != "" && !p.Actor.Can(l.action, unit) {
			continue
		}
		b.WriteString(`<li><a href="`)
		b.WriteString(l.href)
		b.WriteByte('"')
		if l.current(p.Path) {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteByte('>')
		b.WriteString(template.HTMLEscapeString(p.T(l.label)))
		b.WriteString("</a></li>\n")
	}
	return template.HTML(b.String())
}
