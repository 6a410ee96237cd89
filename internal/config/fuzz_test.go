package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzSettingsFile: a settings file of any content either loads or is
// refused with an error; it never panics.
func FuzzSettingsFile(f *testing.F) {
	for _, s := range []string{"addr = 127.0.0.1:9000\n", "# comment\n\nmigrate = true\n", "nope\n", "session-idle = forever\n", "max-failed-logins = -1\n", "db = \"x=y\"\n"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "concord.conf")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("CONCORD_CONFIG", path)
		Load(nil)
	})
}
