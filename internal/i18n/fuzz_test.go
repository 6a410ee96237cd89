package i18n

import "testing"

// FuzzNegotiate: any Accept-Language header yields one of our languages.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "zh-TW", "en-US", "fr;q=0.1", ";;;q=", "zh-Hant-HK-x-private", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if lang := Negotiate(header); !Valid(lang) {
			t.Fatalf("Negotiate(%q) = %q", header, lang)
		}
	})
}
