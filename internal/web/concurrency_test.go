package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/dbtest"
)

// ccDo is a request that is safe to make from any goroutine: it reports
// errors instead of failing the test.
func ccDo(client *http.Client, method, url, token string, body any, header map[string]string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// ccEdit is one object edited by many writers at once: read turns the GET
// body into the PUT body, appending marker to the edited text field.
type ccEdit struct {
	path   string
	token  string
	edit   func(obj map[string]any, marker string) any
	edited func(obj map[string]any) string
}

// ccRace has n goroutines each read the object, add its own marker and
// write it back with If-Match, retrying on 409 until its write lands. It
// fails unless every marker survives and the version rose by exactly n.
func ccRace(t *testing.T, f *fixture, n int, e ccEdit) {
	t.Helper()
	client := &http.Client{}
	url := f.HTTP.URL + e.path
	get := func() (map[string]any, string, error) {
		status, h, b, err := ccDo(client, "GET", url, e.token, nil, nil)
		if err != nil {
			return nil, "", err
		}
		if status != http.StatusOK {
			return nil, "", fmt.Errorf("GET: %d %s", status, b)
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, "", err
		}
		return obj, h.Get("ETag"), nil
	}
	start, _, err := get()
	if err != nil {
		t.Fatal(err)
	}
	startVersion := int(start["version"].(float64))

	var conflicts atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, n)
	begin := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			marker := fmt.Sprintf("~%02d", i)
			for attempt := 0; ; attempt++ {
				if attempt > 50*n {
					errc <- fmt.Errorf("%s: gave up after %d attempts", marker, attempt)
					return
				}
				obj, tag, err := get()
				if err != nil {
					errc <- err
					return
				}
				status, _, b, err := ccDo(client, "PUT", url, e.token, e.edit(obj, marker), map[string]string{"If-Match": tag})
				if err != nil {
					errc <- err
					return
				}
				switch status {
				case http.StatusOK:
					return
				case http.StatusConflict:
					conflicts.Add(1)
					continue
				default:
					errc <- fmt.Errorf("%s: PUT: %d %s", marker, status, b)
					return
				}
			}
		}()
	}
	close(begin)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	end, tag, err := get()
	if err != nil {
		t.Fatal(err)
	}
	text := e.edited(end)
	for i := range n {
		if m := fmt.Sprintf("~%02d", i); strings.Count(text, m) != 1 {
			t.Errorf("marker %s appears %d times in %q: an update was lost", m, strings.Count(text, m), text)
		}
	}
	if v := int(end["version"].(float64)); v != startVersion+n {
		t.Errorf("version %d, want %d", v, startVersion+n)
	}
	if want := fmt.Sprintf(`"v%d"`, startVersion+n); tag != want {
		t.Errorf("ETag %s, want %s", tag, want)
	}
	t.Logf("%d writers, %d conflicts retried", n, conflicts.Load())
}

// TestNoLostUpdate has 20 goroutines update the same unit through the HTTP
// API at once, each appending its own marker to the English name: every
// marker must be there at the end, and the version must be 21.
func TestNoLostUpdate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		t.Run("unit", func(t *testing.T) {
			ccRace(t, f, 20, ccEdit{
				path:  fmt.Sprintf("/api/v1/units/%d", f.Own.ID),
				token: f.token("sys-admin"),
				edit: func(u map[string]any, marker string) any {
					name := u["name"].(map[string]any)
					name["en"] = fmt.Sprint(name["en"]) + marker
					return map[string]any{"code": u["code"], "kind": u["kind"], "parent_id": u["parent_id"], "active": u["active"], "name": name}
				},
				edited: func(u map[string]any) string { return fmt.Sprint(u["name"].(map[string]any)["en"]) },
			})
		})
		t.Run("user", func(t *testing.T) {
			ccRace(t, f, 20, ccEdit{
				path:  fmt.Sprintf("/api/v1/users/%d", f.Users[access.Viewer].ID),
				token: f.token("sec-admin"),
				edit: func(u map[string]any, marker string) any {
					return map[string]any{"name": fmt.Sprint(u["name"]) + marker, "email": u["email"], "unit_id": u["unit_id"],
						"language": u["language"], "disabled": u["disabled"]}
				},
				edited: func(u map[string]any) string { return fmt.Sprint(u["name"]) },
			})
		})
	})
}
