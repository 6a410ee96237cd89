package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"concord/internal/config"
)

// settingEnv are the environment variables Load reads.
var settingEnv = []string{
	"CONCORD_CONFIG", "CONCORD_ADDR", "CONCORD_DB", "CONCORD_MIGRATE", "CONCORD_COOKIE_SECURE",
	"CONCORD_TRUST_PROXY", "CONCORD_LOG_FORMAT", "CONCORD_LOG_LEVEL", "CONCORD_SESSION_IDLE",
	"CONCORD_SESSION_MAX", "CONCORD_MAX_FAILED_LOGINS", "CONCORD_LOCKOUT_FOR", "CONCORD_SHUTDOWN_TIMEOUT",
	"CONCORD_BASE_URL", "CONCORD_SMTP_HOST", "CONCORD_SMTP_PORT", "CONCORD_SMTP_FROM", "CONCORD_SMTP_USERNAME",
	"CONCORD_SMTP_PASSWORD", "CONCORD_SMTP_STARTTLS", "CONCORD_SMTP_IMPLICIT_TLS", "CONCORD_JOBS_TICK", "CONCORD_MAX_READS",
}

// cleanEnv unsets every CONCORD_* setting for the test, so that the
// environment of whoever runs the tests does not leak in.
func cleanEnv(t *testing.T) {
	for _, k := range settingEnv {
		t.Setenv(k, "") // restores the old value when the test ends
		os.Unsetenv(k)
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "concord.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	config.Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestDefaults(t *testing.T) {
	cleanEnv(t)
	for name, fs := range map[string]*pflag.FlagSet{"nil flag set": nil, "no flags given": flags(t)} {
		c, err := config.Load(fs)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c != config.Default() {
			t.Errorf("%s: Load = %+v, want the defaults %+v", name, c, config.Default())
		}
	}
	d := config.Default()
	if d.Addr != "127.0.0.1:8080" || d.SessionIdle != 30*time.Minute || d.SessionMax != 12*time.Hour || d.MaxFailedLogins != 5 || d.LockoutFor != 15*time.Minute {
		t.Errorf("defaults changed: %+v", d)
	}
}

func TestPrecedence(t *testing.T) {
	cleanEnv(t)
	file := writeFile(t, `# every layer sets addr; fewer and fewer set the rest
addr = 10.0.0.1:1000
log-level = "debug"
session-idle = 10m
max-failed-logins = 7

migrate = true
log-format = json
`)
	t.Setenv("CONCORD_CONFIG", file)
	t.Setenv("CONCORD_ADDR", "10.0.0.2:2000")
	t.Setenv("CONCORD_LOG_LEVEL", "warn")
	t.Setenv("CONCORD_LOG_FORMAT", "text")
	t.Setenv("CONCORD_LOCKOUT_FOR", "1h")
	c, err := config.Load(flags(t, "--addr", "10.0.0.3:3000", "--log-format=json", "--trust-proxy"))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Default()
	want.Addr = "10.0.0.3:3000"         // flag over env over file
	want.LogFormat = "json"             // flag over env over file
	want.TrustProxy = true              // flag only
	want.LogLevel = "warn"              // env over file
	want.LockoutFor = time.Hour         // env only
	want.SessionIdle = 10 * time.Minute // file only
	want.MaxFailedLogins = 7            // file only
	want.Migrate = true                 // file only
	if c != want {
		t.Errorf("Load =\n%+v\nwant\n%+v", c, want)
	}
}

func TestConfigFileFlagOverridesEnv(t *testing.T) {
	cleanEnv(t)
	envFile := writeFile(t, "addr = 1.1.1.1:1\n")
	flagFile := writeFile(t, "addr = 2.2.2.2:2\n")
	t.Setenv("CONCORD_CONFIG", envFile)
	c, err := config.Load(flags(t))
	if err != nil || c.Addr != "1.1.1.1:1" {
		t.Errorf("CONCORD_CONFIG: addr %q, %v", c.Addr, err)
	}
	c, err = config.Load(flags(t, "--config", flagFile))
	if err != nil || c.Addr != "2.2.2.2:2" {
		t.Errorf("--config: addr %q, %v", c.Addr, err)
	}
	// A flag that was not given does not override the environment with its
	// default.
	t.Setenv("CONCORD_ADDR", "3.3.3.3:3")
	c, err = config.Load(flags(t, "--config", flagFile))
	if err != nil || c.Addr != "3.3.3.3:3" {
		t.Errorf("env over file with --config: addr %q, %v", c.Addr, err)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		file  string            // settings file text, if any
		env   map[string]string // environment
		args  []string          // flags
		wants []string          // the error must contain each (FILE is the file's path)
	}{
		{name: "unknown key in file", file: "# comment\n\naddr = :1\nlisten = :2\n", wants: []string{"FILE:4:", `"listen"`}},
		{name: "line without =", file: "addr = :1\nmigrate\n", wants: []string{"FILE:2:", "migrate"}},
		{name: "key with a different case", file: "Addr = :1\n", wants: []string{"FILE:1:", "Addr"}},
		{name: "env name as file key", file: "CONCORD_ADDR = :1\n", wants: []string{"FILE:1:", "CONCORD_ADDR"}},
		{name: "bad duration in file", file: "addr = :1\n\nsession-idle = 30 minutes\n", wants: []string{"FILE:3:", "session-idle", "30 minutes"}},
		{name: "duration without unit in file", file: "lockout-for = 15\n", wants: []string{"FILE:1:", "lockout-for"}},
		{name: "bad number in file", file: "max-failed-logins = five\n", wants: []string{"FILE:1:", "max-failed-logins", "five"}},
		{name: "bad bool in file", file: "migrate = yes please\n", wants: []string{"FILE:1:", "migrate"}},
		{name: "bad duration in env", env: map[string]string{"CONCORD_SESSION_MAX": "forever"}, wants: []string{"CONCORD_SESSION_MAX", "forever"}},
		{name: "bad number in env", env: map[string]string{"CONCORD_MAX_FAILED_LOGINS": "1.5"}, wants: []string{"CONCORD_MAX_FAILED_LOGINS"}},
		{name: "bad duration flag", args: []string{"--shutdown-timeout", "soon"}, wants: []string{"--shutdown-timeout", "soon"}},
		{name: "bad number flag", args: []string{"--max-failed-logins=x"}, wants: []string{"--max-failed-logins"}},
		{name: "missing file", env: map[string]string{"CONCORD_CONFIG": "/nonexistent/concord.conf"}, wants: []string{"/nonexistent/concord.conf"}},
		{name: "bad cookie-secure", env: map[string]string{"CONCORD_COOKIE_SECURE": "sometimes"}, wants: []string{"cookie-secure", "sometimes"}},
		{name: "bad log-format", args: []string{"--log-format", "xml"}, wants: []string{"log-format", "xml"}},
		{name: "negative max-reads", args: []string{"--max-reads", "-1"}, wants: []string{"max-reads", "-1"}},
		{name: "no failed logins allowed", file: "max-failed-logins = 0\n", wants: []string{"max-failed-logins"}},
		{name: "zero session idle", args: []string{"--session-idle", "0s"}, wants: []string{"session-idle"}},
		{name: "negative session max", env: map[string]string{"CONCORD_SESSION_MAX": "-1h"}, wants: []string{"session-max"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cleanEnv(t)
			path := ""
			if c.file != "" {
				path = writeFile(t, c.file)
				t.Setenv("CONCORD_CONFIG", path)
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := config.Load(flags(t, c.args...))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range c.wants {
				w = strings.ReplaceAll(w, "FILE", path)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestFileSyntax(t *testing.T) {
	cleanEnv(t)
	t.Setenv("CONCORD_CONFIG", writeFile(t, "  # indented comment\n\t\naddr=:9000\n  db   =   \"postgres://u@h/d?sslmode=disable\"  \ntrust-proxy = TRUE\n"))
	c, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.DB != "postgres://u@h/d?sslmode=disable" || !c.TrustProxy {
		t.Errorf("Load = %+v", c)
	}
}

func TestMaskURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"postgres://concord:s3cret@db.example:5432/concord?sslmode=require", "postgres://concord:xxxxx@db.example:5432/concord?sslmode=require"},
		{"postgresql://concord:s3cret@db.example/concord", "postgresql://concord:xxxxx@db.example/concord"},
		{"postgres://concord:@db.example/concord", "postgres://concord:xxxxx@db.example/concord"},
		{"postgres://concord@db.example/concord?password=s3cret&sslmode=disable", "postgres://concord@db.example/concord?password=xxxxx&sslmode=disable"},
		{"postgres://db.example/concord?user=concord&password=s3cret", "postgres://db.example/concord?password=xxxxx&user=concord"},
		{"postgres:///concord?host=/run/postgresql&password=s3cret", "postgres:///concord?host=%2Frun%2Fpostgresql&password=xxxxx"},
		{"postgres://concord:p%40ss@db.example/concord", "postgres://concord:xxxxx@db.example/concord"},
		{"postgres://concord@db.example/concord", "postgres://concord@db.example/concord"},
		{"concord.db", "concord.db"},
		{"sqlite:/var/lib/concord/concord.db", "sqlite:/var/lib/concord/concord.db"},
		{"", ""},
	}
	for _, c := range cases {
		got := config.MaskURL(c.in)
		if got != c.want {
			t.Errorf("MaskURL(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p%40ss") {
			t.Errorf("MaskURL(%q) = %q shows the password", c.in, got)
		}
	}
	// A URL that does not parse must not be printed with its password.
	for _, in := range []string{
		"postgres://concord:s3cret%zz@db.example/concord",
		"postgres://concord:s3cret@db example/concord",
	} {
		if got := config.MaskURL(in); strings.Contains(got, "s3cret") {
			t.Errorf("MaskURL(%q) = %q shows the password", in, got)
		}
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	c := config.Default()
	c.DB = "postgres://concord:s3cret@db.example/concord?sslmode=disable"
	c.SMTPPassword = "s3cret"
	out := c.Print()
	if strings.Contains(out, "s3cret") {
		t.Errorf("Print shows the password:\n%s", out)
	}
	for _, line := range []string{
		"db = postgres://concord:xxxxx@db.example/concord?sslmode=disable",
		"addr = 127.0.0.1:8080",
		"session-idle = 30m0s",
		"max-failed-logins = 5",
		"migrate = false",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("Print lacks %q:\n%s", line, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(settingEnv)-1 { // every setting but CONCORD_CONFIG
		t.Errorf("Print has %d lines, want %d", len(lines), len(settingEnv)-1)
	}
	// What Print writes is a settings file Load reads back to the same
	// configuration (with the secret masked).
	cleanEnv(t)
	t.Setenv("CONCORD_CONFIG", writeFile(t, out))
	back, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.DB, c.SMTPPassword = config.MaskURL(c.DB), "xxxxx"
	if back != c {
		t.Errorf("Load(Print()) = %+v, want %+v", back, c)
	}
}

func TestMaskURLLeavesOtherValuesAlone(t *testing.T) {
	for _, in := range []string{
		"sqlite:/var/lib/my concord/concord.db",
		"/var/lib/concord/concord (copy).db",
		"postgres://concord@db.example/concord?application_name=a b",
	} {
		if got := config.MaskURL(in); got != in {
			t.Errorf("MaskURL(%q) = %q, want it unchanged", in, got)
		}
	}
}
