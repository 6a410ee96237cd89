package web

import (
	"html/template"
	"slices"
	"strings"

	"concord/internal/access"
	"concord/internal/i18n"
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

// Header draws the page's top bar: the alliance, the navigation (signed in)
// and the language and sign-out forms. Built here, not in the template:
// every page draws it, and as template actions its permission checks and
// translations were a fifth of a light page's work.
func (p pageData) Header() template.HTML {
	var b strings.Builder
	b.Grow(4096)
	esc := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(template.HTMLEscapeString(s))
		}
	}
	b.WriteString(`<header class="top">` + "\n" + `  <div class="brand"><a href="/">`)
	esc(p.T("app.name"))
	b.WriteString("</a>")
	if name := p.Name(p.Alliance); name != "" {
		b.WriteString(`<span class="alliance">`)
		esc(name)
		b.WriteString("</span>")
	}
	b.WriteString("</div>\n")
	signed := p.Signed()
	if signed {
		b.WriteString(`  <nav aria-label="`)
		esc(p.T("nav.main"))
		b.WriteString(`">` + "\n    <ul>\n")
		p.navItems(&b)
		b.WriteString(`      <li><a href="/notifications"`)
		if p.In("/notifications") {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteByte('>')
		esc(p.T("nav.notifications"))
		b.WriteString(` <span class="badge-count" hx-get="/notifications/badge" hx-trigger="load, every 60s"></span></a></li>` + "\n    </ul>\n  </nav>\n")
	}
	b.WriteString(`  <div class="tools">` + "\n" + `    <form method="post" action="/lang" class="lang">` + "\n")
	if p.CSRF != "" {
		b.WriteString(`      <input type="hidden" name="csrf" value="`)
		esc(p.CSRF)
		b.WriteString("\">\n")
	}
	b.WriteString(`      <input type="hidden" name="back" value="`)
	esc(p.Path)
	b.WriteString(`">` + "\n" + `      <label for="lang-select" class="visually-hidden">`)
	esc(p.T("nav.language"))
	b.WriteString(`</label>` + "\n" + `      <select id="lang-select" name="lang" class="autosubmit">`)
	for _, l := range i18n.Languages {
		b.WriteString(`<option value="`)
		esc(l)
		b.WriteByte('"')
		if l == p.Lang {
			b.WriteString(" selected")
		}
		b.WriteByte('>')
		esc(p.T("lang." + l))
		b.WriteString("</option>")
	}
	b.WriteString("</select>\n" + `      <button type="submit" class="nojs">`)
	esc(p.T("action.switch"))
	b.WriteString("</button>\n    </form>\n")
	if signed {
		b.WriteString(`    <a href="/profile" class="me">`)
		esc(p.UserName)
		b.WriteString(`</a>` + "\n" + `    <form method="post" action="/logout"><input type="hidden" name="csrf" value="`)
		esc(p.CSRF)
		b.WriteString(`"><button type="submit" class="link">`)
		esc(p.T("nav.logout"))
		b.WriteString("</button></form>\n")
	}
	b.WriteString("  </div>\n</header>")
	return template.HTML(b.String())
}

// navItems draws the navigation's entries the viewer may use.
func (p pageData) navItems(b *strings.Builder) {
	for _, l := range navLinks {
		unit := int64(0)
		if l.own {
			unit = p.Actor.UnitID
		}
		if l.action != "" && !p.Actor.Can(l.action, unit) {
			continue
		}
		b.WriteString(`      <li><a href="`)
		b.WriteString(l.href)
		b.WriteByte('"')
		if l.current(p.Path) {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteByte('>')
		b.WriteString(template.HTMLEscapeString(p.T(l.label)))
		b.WriteString("</a></li>\n")
	}
}
