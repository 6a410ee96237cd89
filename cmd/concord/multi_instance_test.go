package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"concord/internal/db"
	"concord/internal/dbtest"
)

// buildConcord compiles the real binary once per test.
func buildConcord(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "concord")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func run(t *testing.T, bin, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("concord %v: %v\n%s", args, err, out)
	}
}

// serve starts `concord serve` and waits until it is ready.
func serve(t *testing.T, bin, dbURL string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--db", dbURL, "--addr", addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server %s log:\n%s", addr, logs.String())
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
	}
	t.Fatalf("server on %s not ready:\n%s", addr, logs.String())
	return ""
}

func call(t *testing.T, method, url string, body any, header map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out, res.Header
}

// TestTwoInstancesShareSessions runs two `concord serve` processes on one
// PostgreSQL database: a session made on one works on the other, and ending
// it on the other ends it everywhere.
func TestTwoInstancesShareSessions(t *testing.T) {
	url := dbtest.URL(t, db.Postgres)
	bin := buildConcord(t)
	run(t, bin, "", "migrate", "up", "--db", url)
	run(t, bin, "", "unit", "create", "--db", url, "--code", "office", "--name", "协调办公室", "--kind", "office")
	run(t, bin, "Password-2018\n", "user", "create", "--db", url, "--login", "coord", "--unit", "office", "--role", "coordinator", "--password-stdin")

	a, b := serve(t, bin, url), serve(t, bin, url)

	status, body, hdr := call(t, "POST", a+"/api/v1/session", map[string]string{"login": "coord", "password": "Password-2018"}, nil)
	if status != 201 {
		t.Fatalf("login on A: %d %v", status, body)
	}
	token := body["token"].(string)
	cookie := hdr.Get("Set-Cookie")
	if !strings.Contains(cookie, "concord_session="+token) || !strings.Contains(cookie, "HttpOnly") {
		t.Fatalf("session cookie: %q", cookie)
	}

	for name, h := range map[string]map[string]string{
		"bearer": {"Authorization": "Bearer " + token},
		"cookie": {"Cookie": "concord_session=" + token},
	} {
		status, me, _ := call(t, "GET", b+"/api/v1/me", nil, h)
		if status != 200 || me["login"] != "coord" {
			t.Fatalf("%s on B: %d %v", name, status, me)
		}
		if roles := fmt.Sprint(me["roles"]); roles != "[coordinator]" {
			t.Errorf("%s on B: roles %s", name, roles)
		}
	}

	if status, _, _ := call(t, "DELETE", b+"/api/v1/session", nil, map[string]string{"Authorization": "Bearer " + token}); status != 204 {
		t.Fatalf("logout on B: %d", status)
	}
	if status, _, _ := call(t, "GET", a+"/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + token}); status != 401 {
		t.Fatalf("A after logout on B: %d, want 401", status)
	}
}
