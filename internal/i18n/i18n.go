// Package i18n holds Concord's message catalogues (zh-Hans, zh-Hant, en) and
// picks the language for a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Languages Concord speaks, Simplified Chinese first (the default).
var Languages = []string{"zh-Hans", "zh-Hant", "en"}

// Default is the language used when nothing says otherwise.
const Default = "zh-Hans"

// Each capability keeps its texts in catalog/NAME.LANG.json (the
// foundation's in catalog/LANG.json), so a key lives beside its kin; a key
// defined twice for one language is a bug and stops the program.
//
//go:embed catalog/*.json
var files embed.FS

var catalogs = map[string]map[string]string{}

func init() {
	entries, err := files.ReadDir("catalog")
	if err != nil {
		panic(err)
	}
	for _, lang := range Languages {
		catalogs[lang] = map[string]string{}
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		lang := name[strings.LastIndex(name, ".")+1:]
		if !Valid(lang) {
			panic(fmt.Sprintf("catalog %s: unknown language %q", e.Name(), lang))
		}
		b, err := files.ReadFile("catalog/" + e.Name())
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("catalog %s: %v", e.Name(), err))
		}
		for k, v := range m {
			if _, dup := catalogs[lang][k]; dup {
				panic(fmt.Sprintf("catalog %s: key %q is defined twice", e.Name(), k))
			}
			catalogs[lang][k] = v
		}
	}
}

// Missing marks a key that has no text, so tests can find it in output.
const Missing = "‼"

// T returns the text for key in lang, with {0}, {1}, … replaced by args.
func T(lang, key string, args ...any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		if s, ok = catalogs[Default][key]; !ok {
			return Missing + key
		}
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
	}
	return s
}

// Has reports whether lang's catalogue has key.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Keys lists every key of lang's catalogue, sorted.
func Keys(lang string) []string {
	out := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Valid reports whether lang is one of Languages.
func Valid(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

var matcher = language.NewMatcher([]language.Tag{
	language.MustParse("zh-Hans"), language.MustParse("zh-Hant"), language.English,
})

// Negotiate picks a language from an Accept-Language header: Chinese
// speakers get Simplified unless they ask for Traditional (zh-TW, zh-HK,
// zh-Hant); other languages get English; no header gets the default.
func Negotiate(accept string) string {
	if strings.TrimSpace(accept) == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return Languages[idx]
}
