package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/bulletin"
	"concord/internal/db"
	"concord/internal/dbtest"
)

// TestBulletinAPI drafts a bulletin through the API, downloads it in every
// format, publishes it, and checks that a published bulletin refuses edits
// and takes a correction.
func TestBulletinAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		coord, viewer := f.token("coordinator"), f.token("viewer")
		in := blInput("API 通报")
		body := map[string]any{"title": in.Title, "number": in.Number, "issuer": in.Issuer, "lang": in.Lang, "period_from": in.PeriodFrom, "period_to": in.PeriodTo, "notes": in.Notes}
		res := f.do("POST", "/api/v1/bulletins", coord, body, nil)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		path := res.Header.Get("Location")
		res = f.do("GET", path, viewer, nil, nil)
		doc, _ := res.JSON["document"].(map[string]any)
		if res.StatusCode != http.StatusOK || doc == nil || doc["draft"] != true || len(doc["sections"].([]any)) != 6 {
			t.Fatalf("get: %d %s", res.StatusCode, res.Body)
		}
		// Every download opens as what it says it is.
		for format, check := range map[string]func(string) bool{
			"html": func(b string) bool {
				return strings.Contains(b, "<h1>API 通报</h1>") && strings.Contains(b, "size: A4")
			},
			"docx": func(b string) bool {
				z, err := zip.NewReader(strings.NewReader(b), int64(len(b)))
				return err == nil && len(z.File) == 5
			},
			"xlsx": func(b string) bool {
				x, err := excelize.OpenReader(strings.NewReader(b))
				return err == nil && len(x.GetSheetList()) > 0
			},
		} {
			res := f.do("GET", path+"/download?format="+format, viewer, nil, nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !check(res.Body) {
				t.Errorf("%s: %d %s", format, res.StatusCode, res.Header)
			}
		}
		res = f.do("GET", path+"/download?format=pdf", viewer, nil, nil)
		switch {
		case bulletin.Chromium() == "" && (res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "Chromium")):
			t.Errorf("pdf without Chromium: %d %s", res.StatusCode, res.Body)
		case bulletin.Chromium() != "" && (res.StatusCode != http.StatusOK || !bytes.HasPrefix([]byte(res.Body), []byte("%PDF-"))):
			t.Errorf("pdf: %d %.100s", res.StatusCode, res.Body)
		}
		if res := f.do("GET", path+"/download?format=odt", viewer, nil, nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("odt: %d %s", res.StatusCode, res.Body)
		}
		// Publishing needs the current version and freezes the bulletin.
		if res := f.do("POST", path+"/publish", coord, nil, arIfMatch(9)); res.StatusCode != http.StatusConflict || res.JSON["current"] == nil {
			t.Fatalf("stale publish: %d %s", res.StatusCode, res.Body)
		}
		res = f.do("POST", path+"/publish", coord, nil, arIfMatch(1))
		if res.StatusCode != http.StatusOK || res.JSON["status"] != "published" || res.Header.Get("ETag") != `"v2"` {
			t.Fatalf("publish: %d %s", res.StatusCode, res.Body)
		}
		if res := f.do("PUT", path, coord, body, arIfMatch(2)); res.StatusCode != http.StatusConflict {
			t.Fatalf("edit after publishing: %d %s", res.StatusCode, res.Body)
		}
		corr := map[string]any{"title": in.Title, "number": "辽沿海办督〔2026〕4号", "issuer": in.Issuer, "notes": in.Notes, "reason": "文号有误"}
		if res := f.do("POST", path+"/correction", coord, corr, arIfMatch(2)); res.StatusCode != http.StatusOK || res.JSON["revision"] != float64(1) {
			t.Fatalf("correct: %d %s", res.StatusCode, res.Body)
		}
		res = f.do("GET", path+"/revisions", viewer, nil, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"reason":"文号有误"`) {
			t.Fatalf("revisions: %d %s", res.StatusCode, res.Body)
		}
		if res := f.do("GET", fmt.Sprintf("%s/download?format=html", path), viewer, nil, nil); !strings.Contains(res.Body, "辽沿海办督〔2026〕4号") {
			t.Errorf("the corrected download: %s", res.Body)
		}
	})
}
