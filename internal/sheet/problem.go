package sheet

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"

	"concord/internal/errs"
	"concord/internal/i18n"
)

// Problem is one thing wrong with an upload, located as precisely as known.
type Problem struct {
	Sheet string   // sheet name; "" for CSV
	Row   int      // 1-based; 0 when the problem is the sheet's
	Col   string   // column letter, e.g. "C"; "" when the problem is the row's
	Field string   // the column's key in the TableSpec
	Label string   // catalogue key of the column's header
	Key   string   // catalogue key of the message
	Args  []string // fill the message's {0}, {1}, …
}

// Ref is where the problem is in Excel's notation: "任务!C5", "任务!5:5",
// "任务", or "C5" in a CSV file.
func (p Problem) Ref() string {
	var at string
	switch {
	case p.Row > 0 && p.Col != "":
		at = p.Col + strconv.Itoa(p.Row)
	case p.Row > 0:
		at = strconv.Itoa(p.Row) + ":" + strconv.Itoa(p.Row)
	}
	if p.Sheet == "" || at == "" {
		return p.Sheet + at
	}
	return p.Sheet + "!" + at
}

// Text is the problem in lang, where first and then what:
// 工作表“任务”第 5 行 C 列（牵头单位）：未知单位“大莲市”，是否指“大连市”？
func (p Problem) Text(lang string) string {
	var at string
	switch {
	case p.Sheet != "" && p.Row > 0 && p.Col != "":
		at = i18n.T(lang, "sheet.at.sheet_cell", p.Sheet, p.Row, p.Col)
	case p.Sheet != "" && p.Row > 0:
		at = i18n.T(lang, "sheet.at.sheet_row", p.Sheet, p.Row)
	case p.Sheet != "":
		at = i18n.T(lang, "sheet.at.sheet", p.Sheet)
	case p.Row > 0 && p.Col != "":
		at = i18n.T(lang, "sheet.at.cell", p.Row, p.Col)
	case p.Row > 0:
		at = i18n.T(lang, "sheet.at.row", p.Row)
	}
	if p.Label != "" {
		if label := i18n.T(lang, p.Label); at == "" {
			at = label
		} else {
			at = i18n.T(lang, "sheet.at.field", at, label)
		}
	}
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		args[i] = a
	}
	msg := i18n.T(lang, p.Key, args...)
	if at == "" {
		return msg
	}
	return i18n.T(lang, "sheet.at.message", at, msg)
}

// Problems collects every problem of an upload.
type Problems []Problem

// Add records problems.
func (ps *Problems) Add(p ...Problem) { *ps = append(*ps, p...) }

// Sort orders problems by sheet, row and column, as a reader goes.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Sheet, b.Sheet),
			cmp.Compare(a.Row, b.Row),
			cmp.Compare(colNumber(a.Col), colNumber(b.Col)),
			cmp.Compare(a.Field, b.Field),
		)
	})
}

// maxFields caps the problems that Err lists as field errors, so that a
// sheet that is wrong throughout still makes a response of sensible size.
const maxFields = 200

// Err is nil when there are no problems, and otherwise an errs.Invalid
// error whose fields are the first problems, sorted, each named by its Ref;
// ProblemsOf recovers all of them.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	all := slices.Clone(ps)
	all.Sort()
	e := &errs.Error{Kind: errs.Invalid, Key: "error.sheet.problems", Args: []any{len(all)}, Cause: all}
	for _, p := range all[:min(len(all), maxFields)] {
		args := make([]any, len(p.Args))
		for i, a := range p.Args {
			args[i] = a
		}
		e.Fields = append(e.Fields, errs.Field{Field: p.Ref(), Key: p.Key, Args: args})
	}
	return e
}

// Error makes Problems an error, for logs; users get Problem.Text.
func (ps Problems) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(ps)) + " problems")
	for i, p := range ps[:min(len(ps), 3)] {
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		b.WriteString(sep + p.Text("en"))
	}
	return b.String()
}

// ProblemsOf returns the problems behind an error from Problems.Err.
func ProblemsOf(err error) (Problems, bool) {
	var ps Problems
	ok := errors.As(err, &ps)
	return ps, ok
}

// Suggest returns the candidate closest to value, for "did you mean …?",
// when it is close enough: an edit distance, in characters (a Chinese
// character is one), of at most a third of the longer string, and at least
// one. Spacing, full-width forms and case do not count, so a candidate that
// differs from value only in those is returned too. A tie between
// candidates suggests nothing, as either might be wrong.
func Suggest(value string, candidates []string) (string, bool) {
	if best := nearest(value, candidates); len(best) == 1 {
		return candidates[best[0]], true
	}
	return "", false
}

// nearest returns the indexes of the candidates closest to value within
// Suggest's limit, the first of equal ones only.
func nearest(value string, candidates []string) []int {
	v := []rune(normalize(value))
	var best []int
	bestDist := -1
	seen := map[string]bool{}
	for i, c := range candidates {
		n := normalize(c)
		if seen[n] {
			continue
		}
		seen[n] = true
		r := []rune(n)
		longer := max(len(v), len(r))
		limit := max(1, longer/3)
		if abs(len(v)-len(r)) > limit || longer <= limit {
			continue
		}
		switch d := distance(v, r); {
		case d > limit:
		case bestDist < 0 || d < bestDist:
			best, bestDist = []int{i}, d
		case d == bestDist:
			best = append(best, i)
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the Levenshtein distance between a and b.
func distance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
