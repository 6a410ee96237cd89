package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"concord/internal/errs"
)

// FuzzUpload: whatever body and Content-Type an upload arrives with, reading
// it yields a file or a client error, never a panic nor an error the API
// would turn into a 500.
func FuzzUpload(f *testing.F) {
	const form = "multipart/form-data; boundary=b"
	for _, seed := range []struct{ body, contentType string }{
		{"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--b--\r\n", form},
		{"--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe6\x8a\xa5.txt\"\r\n\r\n\xe6\x8a\xa5\r\n--b--\r\n", form},
		{"--b--\r\n", form}, {"", form}, {"--b\r\n", form}, {"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated", form},
		{"{}", "application/json"}, {"x", "multipart/form-data"}, {"x", "multipart/mixed; boundary=b"}, {"x", ""},
	} {
		f.Add(seed.body, seed.contentType)
	}
	f.Fuzz(func(t *testing.T, body, contentType string) {
		r := httptest.NewRequest("POST", "/api/v1/reports/1/attachments", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		_, _, err := uploadedFile(httptest.NewRecorder(), r)
		if err == nil {
			return
		}
		e, ok := errs.As(err)
		if !ok {
			t.Fatalf("uploadedFile(%q, %q) = %v: not a service error", body, contentType, err)
		}
		if status, known := statusOf[e.Kind]; !known || status >= 500 {
			t.Fatalf("uploadedFile(%q, %q) = %v: kind %s is not a client error", body, contentType, err, e.Kind)
		}
	})
}
