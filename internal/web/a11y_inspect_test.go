package web_test

import (
	"fmt"
	"os"
	"testing"

	"concord/internal/db"
)

// TestAccessibilityOfInspectionPages runs axe over the pages of
// inspections, rectification and the problem list, with their forms, as the
// inspector, the office and a reporter see them, in Simplified Chinese and
// in English.
func TestAccessibilityOfInspectionPages(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	f := newFixture(t, db.SQLite)
	o := isObjects(f)
	pages := isPagePaths(f)
	journeys := []struct {
		login string
		paths []string
	}{
		{"inspector", pages[:5]},
		{"coordinator", pages[5:]},
		{"reporter", []string{"/workspace", fmt.Sprintf("/rectifications/%d", o.RectOwn.ID), fmt.Sprintf("/problems/%d", o.ProblemOwn.ID), "/problems"}},
	}
	for _, lang := range []string{"zh-Hans", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t, f.HTTP.URL)
			for _, j := range journeys {
				b.login(j.login)
				if b.lang() != lang {
					b.switchLanguage(lang)
				}
				for _, p := range j.paths {
					b.open(p)
					checkA11y(b, axeSrc, fmt.Sprintf("%s as %s [%s]", p, j.login, lang), lang)
				}
				b.logout()
			}
		})
	}
}
