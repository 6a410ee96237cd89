package i18n

import (
	"slices"
	"strings"
	"testing"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	want := Keys(Default)
	if len(want) == 0 {
		t.Fatal("empty default catalogue")
	}
	for _, lang := range Languages {
		got := Keys(lang)
		for _, k := range want {
			if !slices.Contains(got, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for _, k := range got {
			if !slices.Contains(want, k) {
				t.Errorf("%s has %q, which %s lacks", lang, k, Default)
			}
			if strings.TrimSpace(T(lang, k)) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", "zh-Hans"},
		{"zh-CN,zh;q=0.9", "zh-Hans"},
		{"zh", "zh-Hans"},
		{"zh-TW", "zh-Hant"},
		{"zh-HK,en;q=0.5", "zh-Hant"},
		{"zh-Hant", "zh-Hant"},
		{"en-US,en;q=0.9", "en"},
		{"fr-FR", "en"},
		{"de;q=0.9,zh-CN;q=0.8", "zh-Hans"},
		{"!!garbage", "zh-Hans"},
	} {
		if got := Negotiate(c.header); got != c.want {
			t.Errorf("Negotiate(%q) = %s, want %s", c.header, got, c.want)
		}
	}
}

func TestT(t *testing.T) {
	if got := T("en", "error.too_long", 5); !strings.Contains(got, "5") {
		t.Errorf("argument not filled in: %q", got)
	}
	if got := T("en", "no.such.key"); !strings.HasPrefix(got, Missing) {
		t.Errorf("missing key not marked: %q", got)
	}
}
