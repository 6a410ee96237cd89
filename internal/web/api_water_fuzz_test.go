package web

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"testing"

	"concord/internal/errs"
)

// FuzzSpoolReadings: whatever multipart body a readings upload sends (file
// name, year, zone, replace, or a body that is no multipart at all), the
// spooling answers with a client error or a spooled file and sane options;
// never a panic, never a temporary file left behind on an error.
func FuzzSpoolReadings(f *testing.F) {
	f.Add("samples.csv", "province,section,time\n", "2020", "+08:00", "true", false)
	f.Add("x.json", "{}", "", "", "", false)
	f.Add("a.txt", "", "20x0", "China", "yes", false)
	f.Add("../../etc/passwd.xlsx", "PK", "-1", "+99:99", "", false)
	f.Add("", "", "", "", "", true)
	f.Fuzz(func(t *testing.T, name, data, year, zone, replace string, raw bool) {
		var body bytes.Buffer
		ct := "text/plain"
		if raw {
			body.WriteString(data)
		} else {
			mw := multipart.NewWriter(&body)
			mw.WriteField("year", year)
			mw.WriteField("zone", zone)
			mw.WriteField("replace", replace)
			if fw, err := mw.CreateFormFile("file", name); err == nil {
				fw.Write([]byte(data))
			}
			mw.Close()
			ct = mw.FormDataContentType()
		}
		r := httptest.NewRequest("POST", "/api/v1/water/imports", &body)
		r.Header.Set("Content-Type", ct)
		up, err := spoolReadings(httptest.NewRecorder(), r)
		if err != nil {
			e, ok := errs.As(err)
			if !ok {
				t.Fatalf("not a client error: %v", err)
			}
			if st := statusOf[e.Kind]; st < 400 || st >= 500 {
				t.Fatalf("error %v answers %d", err, st)
			}
			if up.path != "" {
				if _, serr := os.Stat(up.path); serr == nil {
					os.Remove(up.path)
					t.Fatal("a refused upload left its temporary file")
				}
			}
			return
		}
		defer os.Remove(up.path)
		if st, err := os.Stat(up.path); err != nil || st.Size() != int64(len(data)) || up.size != int64(len(data)) {
			t.Fatalf("spooled %d bytes of %d: %v", up.size, len(data), err)
		}
		if up.opt.Year != 0 && (up.opt.Year < 1900 || up.opt.Year > 2200) {
			t.Fatalf("year %d accepted", up.opt.Year)
		}
	})
}
