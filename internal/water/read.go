package water

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"

	"concord/internal/sheet"
)

// Format is a monitoring file's layout.
type Format uint8

const (
	CSV     Format = iota // a wide table, one column per item; the release's per-section export is one
	XLSX                  // the same table as a workbook's first sheet
	Release               // the national release's JSON (getRealDatas)
)

// FormatOf picks the format from a file name's extension.
func FormatOf(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return Release
	case ".xlsx":
		return XLSX
	}
	return CSV
}

// Read streams the samples of a file in format f to emit, row by row,
// keeping no more than one row and a hash per station and time (for
// duplicates). Row problems are in the Summary and their rows skipped; the
// error is for a file that cannot be read on (broken syntax, a bad header,
// I/O) or an error from emit, which stops reading.
func Read(r io.Reader, f Format, opt Options, emit func(Sample) error) (Summary, error) {
	t := newTable(opt, emit)
	var err error
	switch f {
	case Release:
		err = t.readRelease(r)
	case XLSX:
		err = t.readXLSX(r)
	default:
		err = t.readCSV(r)
	}
	return t.sum, err
}

func (t *table) readCSV(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			if header {
				return Problem{File: t.opt.File, Key: "water.error.empty"}
			}
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Problem{File: t.opt.File, Row: pe.Line, Key: "water.error.csv", Args: []any{pe.Err.Error()}}
			}
			return err
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			if err := t.header(line, rec); err != nil {
				return err
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if err := t.row(line, rec); err != nil {
			return err
		}
	}
}

func (t *table) readXLSX(r io.Reader) error {
	book, err := sheet.Open(r, sheet.Limits{FileSize: 1 << 30, Unzipped: 8 << 30})
	if err != nil {
		return err
	}
	header := true
	err = book.EachRow("", func(row int, cells []string) error {
		if header {
			header = false
			return t.header(row, cells)
		}
		for _, c := range cells {
			if c == "=" {
				t.problem(row, "", "water.error.formula")
				return nil
			}
		}
		return t.row(row, cells)
	})
	if err == nil && header {
		return Problem{File: t.opt.File, Key: "water.error.empty"}
	}
	return err
}

// readRelease reads {"thead": [...], "tbody": [[...], null, ...], ...} a
// row at a time. Rows are numbered from 1 in tbody order; null rows are
// skipped.
func (t *table) readRelease(r io.Reader) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	bad := func(err error) error {
		return Problem{File: t.opt.File, Key: "water.error.json", Args: []any{jsonWhy(err)}}
	}
	if err := expectDelim(dec, '{'); err != nil {
		return bad(err)
	}
	var haveHead, haveBody bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad(err)
		}
		switch tok {
		case "thead":
			var head []string
			if err := dec.Decode(&head); err != nil {
				return bad(err)
			}
			if err := t.header(0, head); err != nil {
				return err
			}
			haveHead = true
		case "tbody":
			if !haveHead {
				return Problem{File: t.opt.File, Key: "water.error.json_order"}
			}
			if err := t.releaseBody(dec); err != nil {
				return err
			}
			haveBody = true
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return bad(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad(errors.New("data after the end of the document"))
	}
	if !haveBody {
		return Problem{File: t.opt.File, Key: "water.error.json_body"}
	}
	return nil
}

func (t *table) releaseBody(dec *json.Decoder) error {
	bad := func(row int, err error) error {
		return Problem{File: t.opt.File, Row: row, Key: "water.error.json", Args: []any{jsonWhy(err)}}
	}
	if err := expectDelim(dec, '['); err != nil {
		return bad(0, err)
	}
	var raw []json.RawMessage
	cells := make([]string, 0, 17)
	for row := 1; dec.More(); row++ {
		raw = raw[:0]
		if err := dec.Decode(&raw); err != nil {
			return bad(row, err)
		}
		if raw == nil {
			continue
		}
		cells = cells[:0]
		ok := true
		for _, c := range raw {
			var s *string
			if err := json.Unmarshal(c, &s); err != nil {
				t.problem(row, "", "water.error.json_cell_type", shorten(string(c)))
				ok = false
				break
			}
			if s == nil {
				cells = append(cells, "")
			} else {
				cells = append(cells, *s)
			}
		}
		if !ok {
			continue
		}
		if err := t.row(row, cells); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	if err != nil {
		return bad(0, err)
	}
	return nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return errors.New("expected " + d.String())
	}
	return nil
}

// jsonWhy words a JSON error with its byte offset where known.
func jsonWhy(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error() + " (byte " + Num(float64(se.Offset)) + ")"
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "unexpected end of file"
	}
	return err.Error()
}
