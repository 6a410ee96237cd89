package config

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeListsEverySetting keeps the README's configuration reference in
// step with the settings.
func TestReadmeListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	c := Default()
	for _, f := range c.fields() {
		if !strings.Contains(readme, "| `"+f.key+"` |") {
			t.Errorf("README's configuration table lacks %q", f.key)
		}
	}
}
