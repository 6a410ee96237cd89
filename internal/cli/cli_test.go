package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/demo"
	"concord/internal/errs"
)

// cleanEnv keeps the caller's CONCORD_* settings out of a test.
func cleanEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CONCORD_") && !strings.HasPrefix(k, "CONCORD_TEST_") && k != "CONCORD_REQUIRE_PG" {
			t.Setenv(k, "") // restored when the test ends
			os.Unsetenv(k)
		}
	}
}

// run runs the command line in-process with stdin, returning stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// must runs the command line and fails the test if it fails.
func must(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := run(t, stdin, args...)
	if err != nil {
		t.Fatalf("concord %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func TestVersion(t *testing.T) {
	out := must(t, "", "version")
	if !regexp.MustCompile(`^concord dev commit \S+ go\S+\n$`).MatchString(out) {
		t.Errorf("version printed %q", out)
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	cleanEnv(t)
	t.Setenv("CONCORD_ADDR", "127.0.0.1:9999")
	out := must(t, "", "config", "--db", "postgres://concord:hunter2secret@db.example:5432/concord?sslmode=disable", "--log-format", "json")
	if strings.Contains(out, "hunter2secret") {
		t.Errorf("config shows the password:\n%s", out)
	}
	for _, want := range []string{
		"db = postgres://concord:xxxxx@db.example:5432/concord?sslmode=disable\n",
		"addr = 127.0.0.1:9999\n",
		"log-format = json\n",
		"migrate = false\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	if _, errOut, err := run(t, "", "config", "--log-format", "xml"); err == nil || !strings.Contains(errOut, "log-format") {
		t.Errorf("bad log format: err %v, stderr %q", err, errOut)
	}
}

func TestMigrate(t *testing.T) {
	cleanEnv(t)
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			url := dbtest.URL(t, e)
			out := must(t, "", "migrate", "status", "--db", url)
			if !strings.Contains(out, "pending") || !strings.Contains(out, "00001_foundation.sql") {
				t.Errorf("status before: %s", out)
			}
			// A store that is behind is refused without --migrate.
			if _, errOut, err := run(t, "", "user", "disable", "nobody", "--db", url); err == nil || !strings.Contains(errOut, "migrate up") {
				t.Errorf("behind schema: err %v, stderr %q", err, errOut)
			}
			all := strings.Count(out, " pending ")
			out = must(t, "", "migrate", "up", "--db", url)
			// Every migration of the engine's folder, however many there are by now.
			files, err := filepath.Glob(filepath.Join("..", "db", "migrations", string(e), "*.sql"))
			if err != nil || len(files) == 0 {
				t.Fatalf("migrations of %s: %v", e, err)
			}
			if all != len(files) {
				t.Errorf("status listed %d pending of %d migrations", all, len(files))
			}
			if want := fmt.Sprintf("applied %d migration(s)", len(files)); !strings.Contains(out, want) {
				t.Errorf("up: %s, want %q", out, want)
			}
			out = must(t, "", "migrate", "status", "--db", url)
			if !strings.Contains(out, "up to date") || strings.Contains(out, "pending") {
				t.Errorf("status after: %s", out)
			}
			if out := must(t, "", "migrate", "up", "--db", url); !strings.Contains(out, "applied 0 migration(s)") {
				t.Errorf("second up: %s", out)
			}
			// Every Down section runs, and the schema comes back up whole.
			if out := must(t, "", "migrate", "down", "--to", "1", "--db", url); !strings.Contains(out, fmt.Sprintf("rolled back %d migration(s)", all-1)) || !strings.Contains(out, "at version 1") {
				t.Errorf("down: %s", out)
			}
			if out := must(t, "", "migrate", "up", "--db", url); !strings.Contains(out, fmt.Sprintf("applied %d migration(s)", all-1)) {
				t.Errorf("up after down: %s", out)
			}
			if _, errOut, err := run(t, "", "migrate", "down", "--to", "999", "--db", url); err == nil || !strings.Contains(errOut, "below the current version") {
				t.Errorf("down to a later version: %v %s", err, errOut)
			}
		})
	}
}

func openStore(t *testing.T, url string) (*db.DB, *accounts.Service) {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
}

func TestUserCommands(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "c.db")
	must(t, "", "migrate", "up", "--db", file)
	must(t, "", "alliance", "init", "--db", file, "--name", "测试联盟", "--name-en", "Test alliance")
	must(t, "", "unit", "create", "--db", file, "--code", "office", "--name", "协调办公室")
	must(t, "", "unit", "create", "--db", file, "--code", "city-a", "--name", "甲市", "--kind", "city", "--parent", "office")

	out := must(t, "Secure-pass-2018\n", "user", "create", "--db", file,
		"--login", "li.ming", "--name", "李明", "--unit", "city-a", "--role", "unit_leader", "--role", "reporter", "--password-stdin")
	if !strings.Contains(out, "created user li.ming") || !strings.Contains(out, "unit_leader, reporter") {
		t.Errorf("create: %s", out)
	}
	d, accts := openStore(t, file)
	if _, err := accts.Login(ctx, "li.ming", "Secure-pass-2018"); err != nil {
		t.Fatalf("login after create: %v", err)
	}

	// The rules hold on the command line too.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--login", "x1", "--unit", "office", "--role", "sys_admin,viewer", "--password", "Secure-pass-2018"}, "held alone"},
		{[]string{"--login", "x2", "--unit", "office", "--role", "mayor", "--password", "Secure-pass-2018"}, `unknown role "mayor"`},
		{[]string{"--login", "x3", "--unit", "office", "--password", "short1"}, "10 to 128"},
		{[]string{"--login", "x4", "--unit", "nowhere", "--password", "Secure-pass-2018"}, `unit "nowhere"`},
		{[]string{"--login", "li.ming", "--unit", "office", "--password", "Secure-pass-2018"}, "already taken"},
		{[]string{"--login", "x5", "--unit", "office"}, "no password given"},
	} {
		args := append([]string{"user", "create", "--db", file}, c.args...)
		if _, errOut, err := run(t, "", args...); err == nil || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: err %v, stderr %q, want %q", c.args, err, errOut, c.want)
		}
	}

	if out := must(t, "", "user", "roles", "--db", file, "li.ming", "reporter", "viewer"); !strings.Contains(out, "reporter, viewer") {
		t.Errorf("roles: %s", out)
	}
	must(t, "New-secret-77\n", "user", "passwd", "--db", file, "li.ming", "--password-stdin")
	if _, err := accts.Login(ctx, "li.ming", "Secure-pass-2018"); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("old password after passwd: %v", err)
	}
	sess, err := accts.Login(ctx, "li.ming", "New-secret-77")
	if err != nil {
		t.Fatalf("new password: %v", err)
	}

	if out := must(t, "", "user", "disable", "--db", file, "li.ming"); !strings.Contains(out, "disabled") {
		t.Errorf("disable: %s", out)
	}
	if _, _, err := accts.Authenticate(ctx, sess.Token); err == nil {
		t.Error("a disabled user's session still works")
	}
	if _, err := accts.Login(ctx, "li.ming", "New-secret-77"); err == nil {
		t.Error("a disabled user can sign in")
	}
	u, err := accts.UserByLogin(ctx, "li.ming")
	if err != nil || !u.Disabled || len(u.Roles) != 2 || u.Roles[0] != access.Reporter {
		t.Errorf("after disable: %+v, %v", u, err)
	}
	if _, errOut, err := run(t, "", "user", "disable", "--db", file, "nobody"); err == nil || !strings.Contains(errOut, "no such user") {
		t.Errorf("disable unknown: err %v, stderr %q", err, errOut)
	}
	must(t, "", "user", "enable", "--db", file, "li.ming")
	if _, err := accts.Login(ctx, "li.ming", "New-secret-77"); err != nil {
		t.Errorf("login after enable: %v", err)
	}

	// Every change is on the audit trail, done by "system".
	store := &audit.Store{DB: d}
	entries, _, err := store.Search(ctx, audit.Filter{Actor: "system"}, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append([]string{e.Action}, actions...)
	}
	want := "alliance.create area.create area.create area.create area.create area.create area.create unit.create unit.create user.create user.roles user.password_reset user.update user.update"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("system's audit entries:\n got %s\nwant %s", got, want)
	}
}

func TestUsageErrors(t *testing.T) {
	cleanEnv(t)
	for _, args := range [][]string{{"serve", "--no-such-flag"}, {"user"}, {"user", "bogus"}, {"backup"}, {"user", "roles", "someone"}} {
		_, errOut, err := run(t, "", args...)
		if err == nil || !strings.HasPrefix(errOut, "concord: ") || !strings.Contains(errOut, "--help") {
			t.Errorf("%v: err %v, stderr %q", args, err, errOut)
		}
	}
}

func TestBackup(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "live.db")
	must(t, "", "migrate", "up", "--db", file)
	must(t, "", "unit", "create", "--db", file, "--code", "office", "--name", "协调办公室")

	copyFile := filepath.Join(dir, "copy.db")
	if out := must(t, "", "backup", "--db", file, copyFile); !strings.Contains(out, "backed up") {
		t.Errorf("backup: %s", out)
	}
	c, err := db.Open(ctx, copyFile)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.CheckSchema(ctx); err != nil {
		t.Errorf("copy's schema: %v", err)
	}
	u, err := (&alliance.Service{DB: c}).UnitByCode(ctx, "office")
	if err != nil || u.Name.ZhHans != "协调办公室" {
		t.Errorf("copy's unit: %+v, %v", u, err)
	}
	if _, errOut, err := run(t, "", "backup", "--db", file, copyFile); err == nil || !strings.Contains(errOut, "already exists") {
		t.Errorf("backup over a file: err %v, stderr %q", err, errOut)
	}

	t.Run("postgres", func(t *testing.T) {
		url := dbtest.URL(t, db.Postgres)
		_, errOut, err := run(t, "", "backup", "--db", url, filepath.Join(dir, "pg.dump"))
		if err == nil || !strings.Contains(errOut, "pg_dump") {
			t.Errorf("PostgreSQL backup: err %v, stderr %q", err, errOut)
		}
	})
}

// syncBuffer is a bytes.Buffer safe to write from the server's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`(?m)^listening on (http://127\.0\.0\.1:\d+)$`)

// startDemo runs `concord demo` until its listening line, checks the server
// answers, stops it and returns what it printed.
func startDemo(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &out, &errOut)
	}()
	// Seeding the sample belt takes about 10 s, but several times that
	// under -race on a busy two-core machine.
	deadline := time.After(5 * time.Minute)
	var base string
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v\nstdout: %s\nstderr: %s", err, out.String(), errOut.String())
		case <-deadline:
			t.Fatalf("demo never said it was listening\nstdout: %s\nstderr: %s", out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Errorf("the demo does not answer at %s: %v", base, err)
	} else {
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo ended with %v\nstderr: %s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not shut down")
	}
	return out.String()
}

func TestDemo(t *testing.T) {
	cleanEnv(t)
	wantLines := []string{}
	for _, l := range demo.Logins() {
		wantLines = append(wantLines, fmt.Sprintf("login: %s password: %s role: %s unit: %s", l.Login, l.Password, l.Role, l.Unit))
	}
	line := regexp.MustCompile(`^login: \S+ password: \S+ role: \S+ unit: \S+$`)
	check := func(t *testing.T, out string) {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(wantLines)+1 || !listening.MatchString(lines[len(lines)-1]) {
			t.Fatalf("demo printed:\n%s", out)
		}
		for i, l := range lines[:len(lines)-1] {
			if !line.MatchString(l) || l != wantLines[i] {
				t.Errorf("line %d: %q, want %q", i+1, l, wantLines[i])
			}
		}
	}

	t.Run("fresh", func(t *testing.T) {
		before, _ := filepath.Glob(filepath.Join(os.TempDir(), "concord-demo-*"))
		check(t, startDemo(t))
		after, _ := filepath.Glob(filepath.Join(os.TempDir(), "concord-demo-*"))
		if len(after) > len(before) {
			t.Errorf("the fresh demo left its folder behind: %v", after)
		}
	})

	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e)+"-reuse", func(t *testing.T) {
			url := dbtest.URL(t, e)
			check(t, startDemo(t, "--db", url))
			ctx := context.Background()
			d, accts := openStore(t, url)
			sess, err := accts.Login(ctx, "coordinator", demo.Password)
			if err != nil {
				t.Fatal(err)
			}
			// Reused, not seeded again: the session made above survives.
			check(t, startDemo(t, "--db", url))
			if _, _, err := accts.Authenticate(ctx, sess.Token); err != nil {
				t.Errorf("session after reuse: %v", err)
			}
			var seeds, users int
			d.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'demo.seed'`).Scan(&seeds)
			d.R.QueryRow(`SELECT count(*) FROM users`).Scan(&users)
			if seeds != 1 || users != len(wantLines) {
				t.Errorf("after reuse: %d seeds, %d users", seeds, users)
			}
			if e == db.SQLite {
				supervisionCommands(t, url)
			}
		})
	}

	t.Run("refuses-other-data", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "real.db")
		must(t, "", "migrate", "up", "--db", file)
		must(t, "", "unit", "create", "--db", file, "--code", "office", "--name", "办公室")
		_, errOut, err := run(t, "", "demo", "--db", file, "--addr", "127.0.0.1:0")
		if err == nil || !strings.Contains(errOut, "not the Concord demo") {
			t.Errorf("demo on a real store: err %v, stderr %q", err, errOut)
		}
	})
}
