// Package planio carries plans and progress reports to and from Excel: a
// plan workbook (template, export and import by task code) and a unit's
// report workbook (its open reports, filled offline and uploaded). Imports
// are checked in full and applied all or nothing; a dry run shows every
// change and every problem, by sheet, row and column, before anything is
// written.
package planio

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"concord/internal/alliance"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/plans"
	"concord/internal/sheet"
)

// Service reads and writes plan and report workbooks.
type Service struct {
	Plans    *plans.Service
	Alliance *alliance.Service
}

// Preview is what an import did or, in a dry run, would do.
type Preview struct {
	Rows      []plans.RowResult `json:"rows"`
	Problems  sheet.Problems    `json:"-"`
	Committed bool              `json:"committed"`
}

// Err is the preview's problems as one error, nil when there are none.
func (p Preview) Err() error { return p.Problems.Err() }

// Format is an upload's file format.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// FormatOf tells the format from a file name: .csv is CSV, anything else is
// taken for a workbook (and refused by the reader if it is not one).
func FormatOf(name string) Format {
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		return CSV
	}
	return XLSX
}

// read reads one table of spec from an upload.
func read(r io.Reader, f Format, spec sheet.TableSpec) (*sheet.Table, error) {
	if f == CSV {
		return sheet.ReadCSV(r, sheet.Limits{}, spec)
	}
	b, err := sheet.Open(r, sheet.Limits{})
	if err != nil {
		return nil, err
	}
	return b.Table(spec)
}

// names resolves the names users type for units and areas, in any
// language or by code, and suggests the closest when one is unknown.
type names struct {
	ids   map[string]int64
	shown []string // the names in the user's language, for suggestions and lists
	byID  map[int64]string
}

func newNames() *names {
	return &names{ids: map[string]int64{}, byID: map[int64]string{}}
}

func (n *names) add(id int64, code string, names alliance.Names, lang string) {
	for _, s := range []string{code, names.ZhHans, names.ZhHant, names.En} {
		if s != "" {
			n.ids[fold(s)] = id
		}
	}
	shown := names.In(lang)
	n.shown = append(n.shown, shown)
	n.byID[id] = shown
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// find resolves name, or gives the problem for row's column key.
func (n *names) find(row sheet.Row, key, name, unknown string) (int64, *sheet.Problem) {
	if id, ok := n.ids[fold(name)]; ok {
		return id, nil
	}
	if s, ok := sheet.Suggest(name, n.shown); ok {
		p := row.Problem(key, unknown+"_suggest", name, s)
		return 0, &p
	}
	p := row.Problem(key, unknown, name)
	return 0, &p
}

func (s *Service) units(ctx context.Context, lang string) (*names, error) {
	us, err := s.Alliance.Units(ctx, false)
	if err != nil {
		return nil, err
	}
	n := newNames()
	for _, u := range us {
		n.add(u.ID, u.Code, u.Name, lang)
	}
	return n, nil
}

func (s *Service) areas(ctx context.Context, lang string) (*names, error) {
	as, err := s.Alliance.Areas(ctx)
	if err != nil {
		return nil, err
	}
	n := newNames()
	for _, a := range as {
		if a.Active {
			n.add(a.ID, a.Code, a.Name, lang)
		}
	}
	return n, nil
}

// rowProblems turns a service's refusal of one row into problems on the
// row's cells: each field error lands on the column that holds the field.
func rowProblems(row sheet.Row, e *errs.Error, columnOf func(field string) string) sheet.Problems {
	var ps sheet.Problems
	if len(e.Fields) == 0 {
		ps.Add(problemArgs(row, "", e.Key, e.Args))
		return ps
	}
	for _, f := range e.Fields {
		ps.Add(problemArgs(row, columnOf(f.Field), f.Key, f.Args))
	}
	return ps
}

func problemArgs(row sheet.Row, key, msg string, args []any) sheet.Problem {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = fmt.Sprint(a)
	}
	return row.Problem(key, msg, s...)
}

// column is one of a workbook's columns, its header the catalogue's
// planio.col.KEY.
func column(key string, t sheet.Type, required bool, width float64) sheet.Column {
	return sheet.Column{Key: key, Label: "planio.col." + key, Type: t, Required: required, Width: width}
}

// template starts a workbook in lang with its instructions sheet: the
// catalogue's PREFIX.title and lines PREFIX.1 … PREFIX.n.
func template(lang, prefix string, n int) (*sheet.Template, error) {
	t := sheet.NewTemplate(lang)
	lines := make([]string, n)
	for i := range lines {
		lines[i] = i18n.T(lang, prefix+"."+strconv.Itoa(i+1))
	}
	return t, t.Instructions(i18n.T(lang, prefix+".title"), lines)
}
