package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"concord/internal/errs"
)

// ReadCSV reads a CSV upload as a table, with the same rules and problems as
// Book.Table (spec.Sheet aside); rows are numbered as Excel shows them when
// it opens the file. The text may be UTF-8, with or without a byte order
// mark, UTF-16 with one (Excel's "Unicode text"), or GB18030, which is what
// Chinese Excel saves as plain "CSV". Tab-separated text is read too. The
// input is streamed; over Limits.FileSize bytes it is errs.TooLarge, and
// broken quoting is errs.Malformed naming the line.
func ReadCSV(r io.Reader, limits Limits, spec TableSpec) (*Table, error) {
	limits = limits.orDefaults()
	br := bufio.NewReaderSize(&capped{r: r, left: limits.FileSize}, 64<<10)
	text, err := decode(br)
	if err != nil {
		return nil, csvError(err, limits)
	}
	tr := bufio.NewReader(text)
	cr := csv.NewReader(tr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if first, _ := tr.Peek(4096); !bytes.ContainsRune(firstLine(first), ',') && bytes.ContainsRune(firstLine(first), '\t') {
		cr.Comma = '\t'
	}
	bd := newBuilder("", spec, limits, false)
	// Rows are numbered as Excel shows the file: the reader skips blank
	// lines, which are rows, and a quoted field may span lines, which are not.
	row, end := 0, 0 // the last record's row and the line it ended on
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, limits)
		}
		start, _ := cr.FieldPos(0)
		row += start - end
		end = start
		var cells []rawCell
		for i, f := range rec {
			end += strings.Count(f, "\n")
			switch {
			case f == "":
			case !utf8.ValidString(f):
				cells = append(cells, rawCell{col: i + 1, kind: garbledCell, text: "\ufffd"})
			default:
				cells = append(cells, rawCell{col: i + 1, text: f})
			}
		}
		if err := bd.add(row, cells); err != nil {
			return nil, err
		}
	}
	return bd.finish(nil), nil
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

var errTooLarge = errors.New("input over the size limit")

func csvError(err error, limits Limits) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errTooLarge):
		return errs.New(errs.TooLarge, "error.sheet.too_large", megabytes(limits.FileSize))
	case errors.As(err, &pe):
		return errs.New(errs.Malformed, "error.sheet.csv_syntax", pe.StartLine)
	}
	return &errs.Error{Kind: errs.Malformed, Key: "error.sheet.corrupt", Cause: err}
}

// capped reads at most left bytes from r and fails, rather than ending
// quietly, when there are more.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	if c.left -= int64(n); c.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}

// decode picks the text encoding from the first 64 KiB: a byte order mark,
// else UTF-8 if they are valid UTF-8, else GB18030.
func decode(br *bufio.Reader) (io.Reader, error) {
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		_, err = br.Discard(3)
		return br, err
	case bytes.HasPrefix(head, []byte("\xFF\xFE")):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), nil
	case bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), nil
	case validUTF8(head, err == io.EOF):
		return br, nil
	}
	return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), nil
}

// validUTF8 reports whether head is UTF-8, allowing a character cut short
// at the end when more follows.
func validUTF8(head []byte, all bool) bool {
	for cut := 0; cut < utf8.UTFMax && cut <= len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return cut == 0 || !all
		}
	}
	return false
}
