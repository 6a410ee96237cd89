package web_test

import (
	"fmt"
	"os"
	"testing"

	"concord/internal/db"
)

// TestAccessibilityOfScorecardPages runs axe over the scorecards' pages,
// with their forms, as the office and as a unit's leader see them, in
// Simplified Chinese and in English.
func TestAccessibilityOfScorecardPages(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	f := newFixture(t, db.SQLite)
	pages := scPages(f)
	c, _ := scSample(f)
	journeys := []struct {
		login string
		paths []string
	}{
		{"coordinator", pages},
		{"unit-leader", []string{"/scorecards", fmt.Sprintf("/scorecards/%d", c.ID)}},
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
