package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"concord/internal/db"
)

// TestBrowserWaterImport uploads a readings file through the page, watches
// its progress reach done (the upload posted by water.js, the import polled
// until its report shows) and opens the station to see its class.
func TestBrowserWaterImport(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t, db.SQLite)
	w := wtSample(f)
	file := filepath.Join(t.TempDir(), "七月.csv")
	// July: 三岔河 in Class Ⅴ by total phosphorus (0.35 and 0.39 mg/L).
	csv := wtHeader + "辽宁,三岔河,2020-07-10T08:00:00+08:00,7.5,8,3,0.4,0.35,正常\n" +
		"辽宁,三岔河,2020-07-20T08:00:00+08:00,7.5,8,3,0.4,0.39,正常\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f.HTTP.URL)
	b.login("coordinator")
	b.open("/water/imports")
	b.do("choose the file", chromedp.SetUploadFiles(`#import-file`, []string{file}))
	b.do("upload", chromedp.Click(chromedp.CSS(`form[data-water-upload] button[type=submit]`)))
	b.waitFor("the import's report", `location.pathname.startsWith("/water/imports/") && document.querySelector(".import-state[data-state=done]")`)
	if got := b.text(".import-state"); !strings.Contains(got, "已完成") {
		t.Errorf("the progress says %q", got)
	}
	if v := eval[float64](b, `document.querySelector("[data-water-import] progress").value`); v != 100 {
		t.Errorf("the progress bar stands at %v", v)
	}
	if got := b.text("dl.facts"); !strings.Contains(got, "10") {
		t.Errorf("the report: %q", got)
	}
	b.open(fmt.Sprintf("/water/stations/%d?period=2020-07", w.Sanchahe.ID))
	if got := b.text("#station-class"); got != "Ⅴ" {
		t.Errorf("三岔河 in July is %q, want Ⅴ", got)
	}
	b.waitFor("the series chart", `document.querySelector(".water-series svg")`)
	b.checkClean()
}

// TestAccessibilityOfWaterPages runs axe over the water pages as the office
// sees them, in Simplified Chinese and in English.
func TestAccessibilityOfWaterPages(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, db.SQLite)
	all := wtPages(f)
	// Every page in Chinese; in English the two richest (the map, a
	// station with its chart and forms), to keep the suite lean.
	for lang, pages := range map[string][]string{"zh-Hans": all, "en": {all[0], all[3]}} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t, f.HTTP.URL)
			b.login("coordinator")
			if b.lang() != lang {
				b.switchLanguage(lang)
			}
			for _, p := range pages {
				b.open(p)
				checkA11y(b, string(src), fmt.Sprintf("%s [%s]", p, lang), lang)
			}
		})
	}
}
