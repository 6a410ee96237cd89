// Package config gathers Concord's settings from defaults, an optional file,
// CONCORD_* environment variables and command-line flags, in that order of
// precedence (flags win).
package config

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is the effective configuration. The `key` tag names the setting in
// files, flags (--key) and the environment (CONCORD_KEY, dashes as
// underscores); `help` explains it; `secret` masks it when printed.
type Config struct {
	Addr            string        `key:"addr" help:"address to listen on (HOST:PORT)"`
	DB              string        `key:"db" help:"database: a file path or sqlite:PATH for SQLite, postgres://… for PostgreSQL" secret:"url"`
	Migrate         bool          `key:"migrate" help:"apply pending migrations at start instead of refusing to start"`
	CookieSecure    string        `key:"cookie-secure" help:"mark cookies Secure: auto (when the request came over HTTPS), always or never"`
	TrustProxy      bool          `key:"trust-proxy" help:"take the client address and scheme from X-Forwarded-For and X-Forwarded-Proto"`
	LogFormat       string        `key:"log-format" help:"log format: text or json"`
	LogLevel        string        `key:"log-level" help:"log level: debug, info, warn or error"`
	SessionIdle     time.Duration `key:"session-idle" help:"a session ends after this long unused"`
	SessionMax      time.Duration `key:"session-max" help:"a session ends this long after sign-in in any case"`
	MaxFailedLogins int           `key:"max-failed-logins" help:"failed sign-ins before an account locks"`
	LockoutFor      time.Duration `key:"lockout-for" help:"how long a locked account stays locked"`
	ShutdownTimeout time.Duration `key:"shutdown-timeout" help:"how long a graceful shutdown waits for requests in flight"`
	BaseURL         string        `key:"base-url" help:"Concord's public address, for links in e-mails and webhooks (https://…)"`
	SMTPHost        string        `key:"smtp-host" help:"mail server for notifications; empty turns e-mail off"`
	SMTPPort        int           `key:"smtp-port" help:"mail server port; 0 means 587, or 465 with smtp-implicit-tls"`
	SMTPFrom        string        `key:"smtp-from" help:"sender address of notification e-mails"`
	SMTPUsername    string        `key:"smtp-username" help:"mail server login, if it asks for one"`
	SMTPPassword    string        `key:"smtp-password" help:"mail server password" secret:"value"`
	SMTPStartTLS    string        `key:"smtp-starttls" help:"STARTTLS: auto (when offered), always or never"`
	SMTPImplicitTLS bool          `key:"smtp-implicit-tls" help:"connect with TLS from the start (port 465) instead of STARTTLS"`
	JobsTick        time.Duration `key:"jobs-tick" help:"how often an instance looks for due scheduled jobs (reminders, chases, e-mail)"`
	MaxReads        int           `key:"max-reads" help:"page and API reads served at once; more wait their turn in arrival order (0: four per CPU)"`
}

// Default is the configuration before any source is read.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DB:              "concord.db",
		CookieSecure:    "auto",
		LogFormat:       "text",
		LogLevel:        "info",
		SessionIdle:     30 * time.Minute,
		SessionMax:      12 * time.Hour,
		MaxFailedLogins: 5,
		LockoutFor:      15 * time.Minute,
		ShutdownTimeout: 15 * time.Second,
		SMTPStartTLS:    "auto",
		JobsTick:        30 * time.Second,
	}
}

type field struct {
	key, help, secret string
	v                 reflect.Value
}

func (c *Config) fields() []field {
	rv := reflect.ValueOf(c).Elem()
	rt := rv.Type()
	out := make([]field, rt.NumField())
	for i := range out {
		f := rt.Field(i)
		out[i] = field{f.Tag.Get("key"), f.Tag.Get("help"), f.Tag.Get("secret"), rv.Field(i)}
	}
	return out
}

func set(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case string:
		v.SetString(s)
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		v.SetBool(b)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want a whole number, got %q", s)
		}
		v.SetInt(int64(n))
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 30m or 12h, got %q", s)
		}
		v.SetInt(int64(d))
	}
	return nil
}

func format(v reflect.Value) string {
	if d, ok := v.Interface().(time.Duration); ok {
		return d.String()
	}
	return fmt.Sprint(v.Interface())
}

// Flags registers one flag per setting on fs. Call Load after parsing.
func Flags(fs *pflag.FlagSet) {
	def := Default()
	fs.String("config", "", "a settings file (key = value lines)")
	for _, f := range def.fields() {
		if f.v.Kind() == reflect.Bool {
			fs.Bool(f.key, f.v.Bool(), f.help)
		} else {
			fs.String(f.key, format(f.v), f.help)
		}
	}
}

// Load builds the effective configuration: defaults, then the file named by
// --config or CONCORD_CONFIG, then the environment, then flags set on fs.
func Load(fs *pflag.FlagSet) (Config, error) {
	c := Default()
	byKey := map[string]field{}
	for _, f := range c.fields() {
		byKey[f.key] = f
	}
	file := os.Getenv("CONCORD_CONFIG")
	if fs != nil {
		if fl := fs.Lookup("config"); fl != nil && fl.Changed {
			file = fl.Value.String()
		}
	}
	if file != "" {
		if err := loadFile(file, byKey); err != nil {
			return c, err
		}
	}
	for _, f := range byKey {
		env := "CONCORD_" + strings.ToUpper(strings.ReplaceAll(f.key, "-", "_"))
		if s, ok := os.LookupEnv(env); ok {
			if err := set(f.v, s); err != nil {
				return c, fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	if fs != nil {
		var err error
		fs.Visit(func(fl *pflag.Flag) {
			if f, ok := byKey[fl.Name]; ok && err == nil {
				if e := set(f.v, fl.Value.String()); e != nil {
					err = fmt.Errorf("--%s: %w", fl.Name, e)
				}
			}
		})
		if err != nil {
			return c, err
		}
	}
	return c, c.validate()
}

func loadFile(path string, byKey map[string]field) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		f, known := byKey[k]
		if !ok || !known {
			return fmt.Errorf("%s:%d: unknown setting %q", path, n, k)
		}
		if err := set(f.v, v); err != nil {
			return fmt.Errorf("%s:%d: %s: %w", path, n, k, err)
		}
	}
	return sc.Err()
}

func (c Config) validate() error {
	switch c.SMTPStartTLS {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("smtp-starttls: want auto, always or never, got %q", c.SMTPStartTLS)
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		return fmt.Errorf("smtp-from: needed when smtp-host is set")
	}
	if c.MaxReads < 0 {
		return fmt.Errorf("max-reads: 0 or more, got %d", c.MaxReads)
	}
	if c.JobsTick < time.Second {
		return fmt.Errorf("jobs-tick: at least 1s, got %s", c.JobsTick)
	}
	switch c.CookieSecure {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("cookie-secure: want auto, always or never, got %q", c.CookieSecure)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log-format: want text or json, got %q", c.LogFormat)
	}
	if c.MaxFailedLogins < 1 {
		return fmt.Errorf("max-failed-logins: must be at least 1")
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 {
		return fmt.Errorf("session-idle and session-max must be positive")
	}
	return nil
}

// Print writes the effective configuration, one `key = value` line each,
// with secrets masked.
func (c Config) Print() string {
	var lines []string
	for _, f := range c.fields() {
		v := format(f.v)
		switch {
		case f.secret == "url":
			v = MaskURL(v)
		case f.secret != "" && v != "":
			v = "xxxxx"
		}
		lines = append(lines, fmt.Sprintf("%s = %s", f.key, v))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// MaskURL hides the password in a URL, such as a PostgreSQL connection string.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		// Not a valid URL, but it may still hold a password: mask the likely
		// places rather than print it.
		s = maskUserinfo.ReplaceAllString(s, "${1}xxxxx@")
		return maskParam.ReplaceAllString(s, "${1}xxxxx")
	}
	masked := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			masked = true
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
		masked = true
	}
	if !masked {
		return s
	}
	return u.String()
}

var (
	maskUserinfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:).*@`)
	maskParam    = regexp.MustCompile(`(?i)([?&]password=)[^&]*`)
)
