package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/plans"
)

// upload sends one file to path as login.
func (a *apAPI) upload(login, path, name string, data []byte) result {
	a.t.Helper()
	return a.do(login, "POST", path, apForm(name, data), map[string]string{"Content-Type": apFormType})
}

// TestPlanAPIAttachments: evidence files on reports and completion reports
// are stored and served back byte for byte; what is not evidence is refused.
func TestPlanAPIAttachments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		report := fmt.Sprintf("/reports/%d/attachments", f.ReportOwn.ID)

		res := a.upload("reporter", report, "进展佐证 (1).pdf", apPDF)
		a.want("upload a PDF", res, http.StatusCreated, "")
		if res.JSON["content_type"] != "application/pdf" || res.JSON["size"] != float64(len(apPDF)) || res.JSON["owner_type"] != "report" ||
			res.JSON["owner_id"] != float64(f.ReportOwn.ID) || res.JSON["uploaded_by"] != "reporter" {
			t.Errorf("stored: %s", res.Body)
		}
		loc, ok := strings.CutPrefix(res.Header.Get("Location"), "/api/v1")
		if !ok || loc != fmt.Sprintf("/attachments/%v", res.JSON["id"]) {
			t.Fatalf("Location %q", res.Header.Get("Location"))
		}
		got := a.do("viewer", "GET", loc, nil, nil)
		a.want("download", got, http.StatusOK, "")
		if !bytes.Equal([]byte(got.Body), apPDF) {
			t.Errorf("downloaded %d bytes, not the %d uploaded", len(got.Body), len(apPDF))
		}
		h := got.Header
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.Contains(h.Get("Content-Disposition"), "%E8%BF%9B%E5%B1%95") {
			t.Errorf("download headers: %v", h)
		}
		if as := a.do("viewer", "GET", fmt.Sprintf("/reports/%d", f.ReportOwn.ID), nil, nil).JSON["attachments"].([]any); len(as) != 1 ||
			as[0].(map[string]any)["name"] != "进展佐证 (1).pdf" {
			t.Errorf("the report's attachments: %v", as)
		}
		a.want("an unknown file", a.do("viewer", "GET", "/attachments/99999", nil, nil), http.StatusNotFound, "not_found")

		big := append(bytes.Clone(apPDF), make([]byte, plans.MaxAttachment)...)
		huge := append(bytes.Clone(apPDF), make([]byte, plans.MaxAttachment+2<<20)...)
		for _, c := range []struct {
			what, name string
			data       []byte
			status     int
			code       string
		}{
			{"a program", "setup.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), http.StatusUnsupportedMediaType, "attachment.type"},
			{"text named .pdf", "报告.pdf", []byte("这其实是一段文字，不是 PDF。"), http.StatusUnsupportedMediaType, "attachment.mismatch"},
			{"a PDF named .png", "图.png", apPDF, http.StatusUnsupportedMediaType, "attachment.mismatch"},
			{"no extension", "readme", []byte("text"), http.StatusUnsupportedMediaType, "attachment.type"},
			{"an empty file", "空.pdf", nil, http.StatusUnprocessableEntity, "invalid"},
			{"a file over the limit", "大.pdf", big, http.StatusRequestEntityTooLarge, "attachment.too_large"},
			{"a body far over the limit", "巨大.pdf", huge, http.StatusRequestEntityTooLarge, "attachment.too_large"},
		} {
			a.want(c.what, a.upload("reporter", report, c.name, c.data), c.status, c.code)
		}
		a.want("a JSON body", a.do("reporter", "POST", report, map[string]string{"file": "x"}, nil), http.StatusUnsupportedMediaType, "api.upload")
		a.want("a broken form", a.do("reporter", "POST", report, "--concord-plan-api\r\nnonsense", map[string]string{"Content-Type": apFormType}),
			http.StatusBadRequest, "api.upload")
		a.wantField("a form without the file", a.do("reporter", "POST", report, "--concord-plan-api--\r\n", map[string]string{"Content-Type": apFormType}), "file")
		a.want("the other unit's reporter", a.upload("peer", report, "a.pdf", apPDF), http.StatusForbidden, "forbidden")
		a.want("an unknown report", a.upload("reporter", "/reports/99999/attachments", "a.pdf", apPDF), http.StatusNotFound, "not_found")

		submitted := apSubmitted(f, "T-LOCK")
		a.want("a submitted report", a.upload("reporter", fmt.Sprintf("/reports/%d/attachments", submitted.ID), "a.pdf", apPDF),
			http.StatusConflict, "attachment.locked")

		// Evidence for a completion report, until the office rules on it.
		task, c := apFiled(f, "T-EVIDENCE")
		evidence := fmt.Sprintf("/completions/%d/attachments", c.ID)
		a.want("the co-operating unit adds evidence", a.upload("peer", evidence, "a.pdf", apPDF), http.StatusForbidden, "forbidden")
		a.want("add evidence", a.upload("unit-leader", evidence, "验收意见.pdf", apPDF), http.StatusCreated, "")
		res = a.do("viewer", "GET", fmt.Sprintf("/tasks/%d", task.ID), nil, nil)
		if as := res.JSON["completions"].([]any)[0].(map[string]any)["attachments"].([]any); len(as) != 1 || as[0].(map[string]any)["name"] != "验收意见.pdf" {
			t.Errorf("the completion report's evidence: %v", as)
		}
		a.want("close", a.do("coordinator", "POST", fmt.Sprintf("/tasks/%d/close", task.ID), nil, arIfMatch(task.Version)), http.StatusOK, "")
		a.want("evidence after closing", a.upload("reporter", evidence, "a.pdf", apPDF), http.StatusConflict, "attachment.locked")
		a.want("an unknown completion report", a.upload("reporter", "/completions/99999/attachments", "a.pdf", apPDF), http.StatusNotFound, "not_found")
	})
}
