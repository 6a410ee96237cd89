package bulletin

import (
	"context"
	"fmt"
	"strings"

	"concord/internal/clock"
)

// Document is a bulletin's text: its heading and numbered sections. Every
// output (HTML, PDF, .docx, .xlsx) is written from it, so they say the same.
type Document struct {
	Head
	Sections []Section `json:"sections"`
}

// Head is the official-document heading: title, document number, issuing
// office, date and the period reported on.
type Head struct {
	Title      string     `json:"title"`
	Number     string     `json:"number"`
	Issuer     string     `json:"issuer"`
	IssuedOn   clock.Date `json:"issued_on"`
	PeriodFrom clock.Date `json:"period_from"`
	PeriodTo   clock.Date `json:"period_to"`
	Lang       string     `json:"lang"`
	Draft      bool       `json:"draft"`
}

// Section is a numbered section (一、) or, inside one, a part (（一）).
type Section struct {
	Title      string    `json:"title"`
	Paragraphs []string  `json:"paragraphs,omitempty"`
	Table      *Table    `json:"table,omitempty"`
	Parts      []Section `json:"parts,omitempty"`
}

// Table is a section's table; Sheet names it in the XLSX workbook.
type Table struct {
	Sheet string     `json:"sheet"`
	Head  []string   `json:"head"`
	Rows  [][]string `json:"rows"`
	Note  string     `json:"note,omitempty"` // e.g. that only the first rows are listed
}

// Scope is what a section provider is asked about: the period and the
// language of the bulletin.
type Scope struct {
	From, To clock.Date
	Lang     string
}

// SectionProvider adds numbered sections to a bulletin, e.g. the scorecard
// ranking. They come after the inspections and before the good practice.
type SectionProvider interface {
	BulletinSections(ctx context.Context, scope Scope) ([]Section, error)
}

var zhDigits = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// zhNumber writes 1–99 in Chinese numerals: 一, 十, 十一, 二十三.
func zhNumber(n int) string {
	tens, ones := n/10, n%10
	switch {
	case tens == 0:
		return zhDigits[ones]
	case tens == 1:
		return "十" + zhDigits[ones]
	default:
		return zhDigits[tens] + "十" + zhDigits[ones]
	}
}

// Numbering is the number before the i-th (from 0) section at level 1 or
// part at level 2: 一、 and （一） in Chinese, "1." and "(1)" in English.
func Numbering(lang string, level, i int) string {
	zh := lang != "en"
	switch {
	case level == 1 && zh:
		return zhNumber(i+1) + "、"
	case level == 1:
		return fmt.Sprintf("%d. ", i+1)
	case zh:
		return "（" + zhNumber(i+1) + "）"
	default:
		return fmt.Sprintf("(%d) ", i+1)
	}
}

// LongDate writes a date as official documents do: 2018年8月1日, or
// 1 August 2018 in English.
func LongDate(lang string, d clock.Date) string {
	if lang == "en" {
		return d.Time().Format("2 January 2006")
	}
	t := d.Time()
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// notes splits the office's good-practice text into notes, one a line.
func notes(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
