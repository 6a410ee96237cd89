package web_test

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"concord/internal/db"
)

// TestAccessibilityOfBulletinPages runs axe over the bulletins' pages (the
// list, a draft with its editor, a published and corrected bulletin) as the
// office and as a viewer see them, and over the new-bulletin form sent back
// with its errors, in Simplified Chinese and in English.
func TestAccessibilityOfBulletinPages(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	f := newFixture(t, db.SQLite)
	pages := blPages(f)
	for _, lang := range []string{"zh-Hans", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t, f.HTTP.URL)
			b.expect("status of 422")
			for _, login := range []string{"coordinator", "viewer"} {
				b.login(login)
				if b.lang() != lang {
					b.switchLanguage(lang)
				}
				for _, p := range pages {
					b.open(p)
					checkA11y(b, axeSrc, p+" as "+login+" ["+lang+"]", lang)
				}
				b.logout()
			}
			b.login("coordinator")
			b.open("/bulletins")
			form := `form[action="/bulletins"]`
			b.do("clear the title", chromedp.Clear(chromedp.ID("bulletin-title")))
			b.load("submit the bulletin form without a title", 422, chromedp.Click(chromedp.CSS(form+` button[type=submit]`)))
			checkFormErrors(b, form, "the bulletin form sent without a title ["+lang+"]")
			checkA11y(b, axeSrc, "the bulletin form sent without a title ["+lang+"]", lang)
			b.logout()
			b.checkClean()
		})
	}
}
