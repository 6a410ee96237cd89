package evidence_test

import (
	"bytes"
	"strings"
	"testing"

	"concord/internal/errs"
	"concord/internal/evidence"
)

var pdf = []byte("%PDF-1.4\n%%EOF\n")

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		kind errs.Kind // "" when accepted
		ct   string
	}{
		{"报告.pdf", pdf, "", "application/pdf"},
		{"数据.CSV", []byte("a,b\n1,2\n"), "", "text/csv; charset=utf-8"},
		{"说明.txt", []byte("整改完成"), "", "text/plain; charset=utf-8"},
		{"", pdf, errs.Invalid, ""},
		{"../x.pdf", pdf, errs.Invalid, ""},
		{strings.Repeat("长", 201) + ".pdf", pdf, errs.Invalid, ""},
		{"空.pdf", nil, errs.Invalid, ""},
		{"程序.exe", pdf, errs.Unsupported, ""},
		{"假的.png", pdf, errs.Unsupported, ""},
		{"二进制.txt", []byte{0, 1, 2}, errs.Unsupported, ""},
		{"大.pdf", append(bytes.Clone(pdf), make([]byte, evidence.MaxSize)...), errs.TooLarge, ""},
	}
	for _, c := range cases {
		ct, err := evidence.Check(c.name, c.data)
		switch {
		case c.kind == "" && (err != nil || ct != c.ct):
			t.Errorf("%q: %q, %v; want %q", c.name, ct, err, c.ct)
		case c.kind != "" && !errs.Is(err, c.kind):
			t.Errorf("%q: %v, want %s", c.name, err, c.kind)
		}
	}
}

// FuzzCheck: any name and bytes get a content type from the accepted list
// or a service error, never a panic or an untyped error.
func FuzzCheck(f *testing.F) {
	f.Add("a.pdf", pdf)
	f.Add("b.txt", []byte("text"))
	f.Add("c.docx", []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ct, err := evidence.Check(name, data)
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ct == "" || len(data) == 0 {
			t.Fatalf("accepted %q (%d bytes) as %q", name, len(data), ct)
		}
	})
}
