package sheet

import (
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"concord/internal/errs"
)

// The largest sheet Excel makes, and the cap on styles Excel itself keeps.
const (
	maxRow    = 1 << 20
	maxCol    = 1 << 14
	maxStyles = 1 << 16
	maxMerges = 1000 // merged ranges reported per sheet; one is already too many
	maxDepth  = 64   // element nesting; spreadsheet parts nest a handful deep
)

func corrupt(cause error) error {
	return &errs.Error{Kind: errs.Malformed, Key: "error.sheet.corrupt", Cause: cause}
}

// xmlReader is a decoder that refuses deep nesting: encoding/xml keeps a
// stack entry per open element, so a part of nothing but "<a>" would
// otherwise cost memory many times its size. All reading goes through next.
type xmlReader struct {
	d     *xml.Decoder
	depth int
}

func (x *xmlReader) next() (xml.Token, error) {
	tok, err := x.d.Token()
	if err != nil {
		return nil, corrupt(err)
	}
	switch tok.(type) {
	case xml.StartElement:
		if x.depth++; x.depth > maxDepth {
			return nil, corrupt(nil)
		}
	case xml.EndElement:
		x.depth--
	}
	return tok, nil
}

// skip reads the rest of the element whose start tag was just read.
func (x *xmlReader) skip() error {
	_, err := x.text()
	return err
}

// text reads the rest of the element whose start tag was just read and
// returns its character data, that of nested elements included.
func (x *xmlReader) text() (string, error) {
	var sb strings.Builder
	for depth := x.depth; x.depth >= depth; {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		if cd, ok := tok.(xml.CharData); ok {
			sb.Write(cd)
		}
	}
	return sb.String(), nil
}

// walk streams the start and end tags of a part to fn, which may consume an
// element's children, end tag included, from x. A missing part is an error
// only when required.
func (b *Book) walk(name string, required bool, fn func(x *xmlReader, tok xml.Token) error) error {
	f := b.parts[name]
	if f == nil {
		if required {
			return corrupt(nil)
		}
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return corrupt(err)
	}
	defer rc.Close()
	x := &xmlReader{d: xml.NewDecoder(rc)}
	for {
		tok, err := x.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement, xml.EndElement:
			if err := fn(x, tok); err != nil {
				return err
			}
		}
	}
}

func attr(el xml.StartElement, local string) string {
	for _, a := range el.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// load reads the workbook's sheet list, number formats and shared strings.
func (b *Book) load() error {
	targets := map[string]string{}
	err := b.walk("xl/_rels/workbook.xml.rels", true, func(_ *xmlReader, tok xml.Token) error {
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "Relationship" {
			if len(targets) == len(b.parts) {
				return corrupt(nil) // more relationships than parts to point to
			}
			target := strings.ReplaceAll(attr(el, "Target"), `\`, "/")
			if strings.HasPrefix(target, "/") {
				target = target[1:]
			} else {
				target = path.Join("xl", target)
			}
			targets[attr(el, "Id")] = strings.ToLower(target)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = b.walk("xl/workbook.xml", true, func(_ *xmlReader, tok xml.Token) error {
		el, ok := tok.(xml.StartElement)
		if !ok {
			return nil
		}
		switch el.Name.Local {
		case "workbookPr":
			v := attr(el, "date1904")
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			if len(b.sheets) == len(b.parts) {
				return corrupt(nil) // more sheets than parts to hold them
			}
			var rid string
			for _, a := range el.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
			state := attr(el, "state")
			b.sheets = append(b.sheets, sheetRef{name: attr(el, "name"), part: targets[rid], hidden: state == "hidden" || state == "veryHidden"})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(b.sheets) == 0 {
		return corrupt(nil)
	}
	if err := b.loadStyles(); err != nil {
		return err
	}
	return b.loadStrings()
}

// numFormat is what a cell's number format says about its number.
type numFormat uint8

const (
	general numFormat = iota
	dateFormat
	percentFormat
)

// builtinFormats are the built-in number formats that are not general:
// dates and times (27–36 and 50–58 are the Chinese date formats) and percents.
var builtinFormats = func() map[int]numFormat {
	m := map[int]numFormat{9: percentFormat, 10: percentFormat}
	for _, r := range [][2]int{{14, 22}, {27, 36}, {45, 47}, {50, 58}} {
		for id := r[0]; id <= r[1]; id++ {
			m[id] = dateFormat
		}
	}
	return m
}()

// styles holds the number format of each cell style (cellXfs index).
type styles []numFormat

func (s styles) of(xf int) numFormat {
	if xf < 0 || xf >= len(s) {
		return general
	}
	return s[xf]
}

func (b *Book) loadStyles() error {
	custom := map[int]string{}
	var ids []int
	var parent string // numFmts or cellXfs while inside one
	err := b.walk("xl/styles.xml", false, func(_ *xmlReader, tok xml.Token) error {
		el, ok := tok.(xml.StartElement)
		if !ok {
			if tok.(xml.EndElement).Name.Local == parent {
				parent = ""
			}
			return nil
		}
		switch {
		case el.Name.Local == "numFmts" || el.Name.Local == "cellXfs":
			parent = el.Name.Local
		case el.Name.Local == "numFmt" && parent == "numFmts" && len(custom) < maxStyles:
			if id, err := strconv.Atoi(attr(el, "numFmtId")); err == nil {
				custom[id] = attr(el, "formatCode")
			}
		case el.Name.Local == "xf" && parent == "cellXfs" && len(ids) < maxStyles:
			id, _ := strconv.Atoi(attr(el, "numFmtId"))
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.styles = make(styles, len(ids))
	for i, id := range ids {
		if code, ok := custom[id]; ok {
			b.styles[i] = classify(code)
		} else {
			b.styles[i] = builtinFormats[id]
		}
	}
	return nil
}

// classify reads a custom number format code as Excel does: only the first
// section counts, and quoted text, escaped characters, padding and
// bracketed colours or locales are not format tokens (elapsed [h], [m], [s]
// are).
func classify(code string) numFormat {
	var tokens strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case ';':
			i = len(code)
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
				break
			}
			inner := strings.ToLower(code[i+1 : i+j])
			if inner != "" && strings.Trim(inner, "hms") == "" {
				tokens.WriteString(inner)
			}
			i += j
		default:
			tokens.WriteByte(c)
		}
	}
	t := strings.ReplaceAll(strings.ToLower(tokens.String()), "general", "")
	switch {
	case strings.ContainsAny(t, "ymdhs"):
		return dateFormat
	case strings.Contains(t, "%"):
		return percentFormat
	}
	return general
}

// loadStrings reads the shared string table: the text of each <si>, its runs
// joined, phonetic guides (<rPh>) left out.
func (b *Book) loadStrings() error {
	return b.walk("xl/sharedstrings.xml", false, func(x *xmlReader, tok xml.Token) error {
		if el, ok := tok.(xml.StartElement); !ok || el.Name.Local != "si" {
			return nil
		}
		s, err := richText(x)
		b.strings = append(b.strings, s)
		return err
	})
}

// richText reads the rest of a string item (<si> or <is>): the text of its
// <t> elements outside phonetic runs (<rPh>).
func richText(x *xmlReader) (string, error) {
	var sb strings.Builder
	for depth := x.depth; x.depth >= depth; {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		el, ok := tok.(xml.StartElement)
		switch {
		case !ok:
		case el.Name.Local == "t":
			t, err := x.text()
			if err != nil {
				return "", err
			}
			sb.WriteString(t)
		case el.Name.Local == "rPh":
			if err := x.skip(); err != nil {
				return "", err
			}
		}
	}
	return unescapeX(sb.String()), nil
}

// unescapeX decodes the _xHHHH_ escapes OOXML uses for control characters.
func unescapeX(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				sb.WriteRune(rune(n))
				i += 6
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// cellKind is what a cell holds.
type cellKind uint8

const (
	textCell cellKind = iota
	numberCell
	boolCell
	errorCell   // #N/A, #DIV/0! …
	isoCell     // t="d": an ISO 8601 date written as text
	garbledCell // CSV text that is not in the encoding the file started in
)

// rawCell is a cell as stored, before its column's type is applied.
type rawCell struct {
	col     int // 1-based
	kind    cellKind
	text    string // the string, the number as written, TRUE/FALSE or the error
	num     float64
	format  numFormat
	formula bool
}

func (c rawCell) blank() bool { return !c.formula && clean(c.text) == "" }

// rect is a merged range, 1-based and inclusive.
type rect struct{ c1, r1, c2, r2 int }

// scan streams a worksheet: each row with its cells, in order, to row, then
// the merged ranges. Row numbers must rise and columns rise within a row, as
// Excel writes them; anything else is a broken file.
func (b *Book) scan(part string, row func(num int, cells []rawCell) error) ([]rect, error) {
	var (
		merges []rect
		cells  []rawCell
		num    int
		col    int
		inData bool
	)
	err := b.walk(part, true, func(x *xmlReader, tok xml.Token) error {
		el, ok := tok.(xml.StartElement)
		if !ok {
			if tok.(xml.EndElement).Name.Local == "sheetData" {
				inData = false
			}
			return nil
		}
		switch el.Name.Local {
		case "sheetData":
			inData = true
		case "row":
			if !inData {
				return nil
			}
			n := num + 1
			if r := attr(el, "r"); r != "" {
				var err error
				if n, err = strconv.Atoi(r); err != nil || n <= num || n > maxRow {
					return corrupt(err)
				}
			}
			num, col, cells = n, 0, cells[:0]
			cs, err := b.rowCells(x, &col, cells)
			if err != nil {
				return err
			}
			cells = cs
			return row(num, cells)
		case "mergeCell":
			if len(merges) < maxMerges {
				if r, ok := parseRange(attr(el, "ref")); ok {
					merges = append(merges, r)
				}
			}
		}
		return nil
	})
	return merges, err
}

// rowCells reads the rest of a <row>, appending its cells that hold
// something to cells.
func (b *Book) rowCells(x *xmlReader, col *int, cells []rawCell) ([]rawCell, error) {
	for {
		tok, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return cells, nil
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := x.skip(); err != nil {
					return nil, err
				}
				continue
			}
			c, err := b.cell(x, t, *col)
			if err != nil {
				return nil, err
			}
			*col = c.col
			if c.text != "" || c.formula {
				cells = append(cells, c)
			}
		}
	}
}

// cell reads one <c> element; prev is the column of the cell before it.
func (b *Book) cell(x *xmlReader, el xml.StartElement, prev int) (rawCell, error) {
	c := rawCell{col: prev + 1}
	if r := attr(el, "r"); r != "" {
		col, _, ok := parseCell(r)
		if !ok {
			return c, corrupt(nil)
		}
		c.col = col
	}
	if c.col <= prev || c.col > maxCol {
		return c, corrupt(nil)
	}
	if s := attr(el, "s"); s != "" {
		xf, _ := strconv.Atoi(s)
		c.format = b.styles.of(xf)
	}
	var v string
	inline := false
	for {
		tok, err := x.next()
		if err != nil {
			return c, err
		}
		if _, end := tok.(xml.EndElement); end {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "v":
			v, err = x.text()
		case "is":
			v, err = richText(x)
			inline = true
		case "f":
			c.formula = true
			err = x.skip()
		default:
			err = x.skip()
		}
		if err != nil {
			return c, err
		}
	}
	switch t := attr(el, "t"); {
	case inline || t == "str" || t == "inlineStr":
		c.text = v
	case t == "s":
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(b.strings) {
			return c, corrupt(err)
		}
		c.text = b.strings[i]
	case t == "b":
		c.kind, c.text = boolCell, "FALSE"
		if v == "1" {
			c.text = "TRUE"
		}
	case t == "e":
		c.kind, c.text = errorCell, v
	case t == "d":
		c.kind, c.text = isoCell, v
	default:
		c.text = v
		if n, ok := parseNumber(strings.TrimSpace(v)); ok {
			c.kind, c.num = numberCell, n
		}
	}
	return c, nil
}

// parseCell reads a cell reference such as "C5" or "$C$5".
func parseCell(ref string) (col, row int, ok bool) {
	ref = strings.ReplaceAll(ref, "$", "")
	i := 0
	for i < len(ref) && i < 3 {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		i++
	}
	if i == 0 || i == len(ref) || ref[i] < '0' || ref[i] > '9' {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || col > maxCol || row < 1 || row > maxRow {
		return 0, 0, false
	}
	return col, row, true
}

// parseRange reads "A1:B2" or a single cell "A1".
func parseRange(ref string) (rect, bool) {
	from, to, found := strings.Cut(ref, ":")
	if !found {
		to = from
	}
	c1, r1, ok1 := parseCell(from)
	c2, r2, ok2 := parseCell(to)
	if !ok1 || !ok2 {
		return rect{}, false
	}
	return rect{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)}, true
}

// colName is the letter name of a 1-based column: 1 → A, 28 → AB.
func colName(n int) string {
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

// colNumber is the inverse of colName; 0 for anything else.
func colNumber(name string) int {
	n := 0
	for _, c := range []byte(name) {
		if c < 'A' || c > 'Z' {
			return 0
		}
		n = n*26 + int(c-'A'+1)
	}
	return n
}
