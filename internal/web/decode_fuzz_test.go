package web

import (
	"net/http"
	"strings"
	"testing"

	"concord/internal/alliance"
	"concord/internal/errs"
)

// FuzzDecode: whatever body arrives, decoding answers with a client error
// (never a panic, never an error the API would turn into a 500).
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"code":"dl","kind":"city","name":{"zh_hans":"大连"}}`,
		`{"code":`, `{"code":5}`, `{"bogus":1}`, `{} {}`, ``, `null`, `[]`, `"x"`,
		`{"name":{"zh_hans":"\ud800"}}`, `{"parent_id":1e400}`, `{"active":"yes"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r, _ := http.NewRequest("POST", "/api/v1/units", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var in alliance.UnitInput
		err := decode(r, &in)
		if err == nil {
			return
		}
		e, ok := errs.As(err)
		if !ok {
			t.Fatalf("decode(%q) = %v: not a service error", body, err)
		}
		if _, known := statusOf[e.Kind]; !known || statusOf[e.Kind] >= 500 {
			t.Fatalf("decode(%q) = %v: kind %s is not a client error", body, err, e.Kind)
		}
	})
}
