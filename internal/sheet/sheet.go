// Package sheet reads user-uploaded spreadsheets (XLSX and CSV) into typed
// tables, with every problem located by sheet, row and column and worded by a
// catalogue key, and writes template workbooks that read back the same way.
//
// Workbooks are parsed here, as a stream, rather than by excelize: excelize
// builds the whole worksheet in memory and pads every row out to its last
// cell, so a 16 KB upload with one cell in column XFD on each of 2,000 rows
// costs it 6 GB and most of a minute. Reading keeps only the cells of the
// columns asked for, and every size is capped by Limits before anything is
// inflated. Excelize writes the templates.
package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"

	"concord/internal/errs"
)

// Limits caps what an upload may cost. Zero fields take the defaults.
type Limits struct {
	FileSize int64 // bytes as uploaded, XLSX or CSV; default 10 MiB
	Unzipped int64 // bytes of all of a workbook's parts once inflated; default 100 MiB
	Entries  int   // parts in a workbook; default 1,000
	Ratio    int64 // inflated:compressed ratio allowed for a part over 1 MiB; default 200
	Rows     int   // data rows in one table; default 10,000
}

func (l Limits) orDefaults() Limits {
	if l.FileSize <= 0 {
		l.FileSize = 10 << 20
	}
	if l.Unzipped <= 0 {
		l.Unzipped = 100 << 20
	}
	if l.Entries <= 0 {
		l.Entries = 1000
	}
	if l.Ratio <= 0 {
		l.Ratio = 200
	}
	if l.Rows <= 0 {
		l.Rows = 10000
	}
	return l
}

// ratioFloor is the inflated size from which a part's compression ratio is
// checked: small parts of repeated markup legitimately compress very well.
const ratioFloor = 1 << 20

// megabytes formats a byte count for messages that say "{0} MB".
func megabytes(n int64) string {
	return strconv.FormatFloat(math.Round(float64(n)/(1<<20)*100)/100, 'f', -1, 64)
}

// Book is an opened workbook. It holds no open files and may be read by
// several goroutines at once.
type Book struct {
	parts    map[string]*zip.File // by lower-case name
	sheets   []sheetRef
	date1904 bool
	styles   styles
	strings  []string
	limits   Limits
}

type sheetRef struct {
	name   string
	part   string // lower-case part name, e.g. xl/worksheets/sheet1.xml
	hidden bool
}

// Open reads an uploaded XLSX workbook. It refuses, with errs errors, files
// over the size limit (TooLarge), anything that is not an XLSX workbook,
// including legacy .xls and password-protected workbooks (Unsupported), zip
// bombs (TooLarge) and broken files (Malformed).
func Open(r io.Reader, limits Limits) (*Book, error) {
	limits = limits.orDefaults()
	data, err := io.ReadAll(io.LimitReader(r, limits.FileSize+1))
	if err != nil {
		return nil, corrupt(err)
	}
	if int64(len(data)) > limits.FileSize {
		return nil, errs.New(errs.TooLarge, "error.sheet.too_large", megabytes(limits.FileSize))
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, errs.New(errs.Unsupported, notZipKey(data))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, corrupt(err)
	}
	parts, err := checkZip(zr, limits)
	if err != nil {
		return nil, err
	}
	b := &Book{parts: parts, limits: limits}
	if err := b.load(); err != nil {
		return nil, err
	}
	return b, nil
}

// checkZip indexes a workbook's parts after refusing zip bombs on what the
// central directory declares. Declared sizes are binding: archive/zip fails
// a read that inflates past its entry's declared size, so nothing read later
// can exceed what is checked here.
func checkZip(zr *zip.Reader, limits Limits) (map[string]*zip.File, error) {
	if len(zr.File) > limits.Entries {
		return nil, errs.New(errs.TooLarge, "error.sheet.zip_entries", limits.Entries)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(limits.Unzipped) {
			return nil, errs.New(errs.TooLarge, "error.sheet.unzipped_too_large", megabytes(limits.Unzipped))
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(limits.Ratio) {
			return nil, errs.New(errs.TooLarge, "error.sheet.zip_ratio", f.Name)
		}
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := parts[name]; !dup {
			parts[name] = f
		}
	}
	if parts["[content_types].xml"] == nil || parts["xl/workbook.xml"] == nil {
		if isODS(parts["mimetype"]) {
			return nil, errs.New(errs.Unsupported, "error.sheet.ods")
		}
		return nil, errs.New(errs.Unsupported, "error.sheet.not_xlsx")
	}
	return parts, nil
}

func isODS(f *zip.File) bool {
	if f == nil || f.UncompressedSize64 > 100 {
		return false
	}
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return strings.Contains(string(b), "opendocument.spreadsheet")
}

// notZipKey names what a file that is not a zip archive looks like.
func notZipKey(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		// Password-protected XLSX files are OLE2 containers too; theirs
		// holds a stream named EncryptedPackage (UTF-16 in the directory).
		if bytes.Contains(data, utf16le("EncryptedPackage")) {
			return "error.sheet.encrypted"
		}
		return "error.sheet.xls"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "error.sheet.pdf"
	case looksLikeText(data):
		return "error.sheet.text"
	}
	return "error.sheet.not_xlsx"
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

// looksLikeText reports whether the start of data is text: no control bytes
// but tab and line ends. Any encoding passes, GBK as well as UTF-8.
func looksLikeText(data []byte) bool {
	head := data[:min(len(data), 4096)]
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return len(head) > 0
}

// Table reads the sheet spec names as a table: see TableSpec and Type.
// A sheet that is missing is an errs.Invalid error carrying Problems; a
// sheet over Limits.Rows is errs.TooLarge. Everything else wrong with the
// sheet is in Table.Problems, all of it, not only the first.
//
// Dates are read from cells formatted as dates, from ISO dates (t="d"), and
// from text such as 2024-03-31, 2024/3/31, 2024.3.31, 2024年3月31日 or
// 20240331 (full-width digits too; a time of day after the date is
// dropped). A number in a cell not formatted as a date, or written as text,
// is read as a date only when it is a serial between 1990-01-01 and
// 2100-12-31 (32874–73415), which is what a date pasted into a General cell
// shows; smaller numbers are likelier mistakes than dates.
func (b *Book) Table(spec TableSpec) (*Table, error) {
	ref, ok := b.find(spec.Sheet)
	if !ok {
		var found []string
		for _, s := range b.sheets {
			if !s.hidden {
				found = append(found, s.name)
			}
		}
		p := Problem{Key: "error.sheet.no_sheet", Args: []string{strings.Join(texts(spec.Sheet), " / "), strings.Join(found, " / ")}}
		return nil, Problems{p}.Err()
	}
	bd := newBuilder(ref.name, spec, b.limits, b.date1904)
	merges, err := b.scan(ref.part, bd.add)
	if err != nil {
		return nil, err
	}
	return bd.finish(merges), nil
}

// find picks the sheet named by a catalogue key in any language, or for ""
// the first visible sheet (the first sheet if all are hidden).
func (b *Book) find(key string) (sheetRef, bool) {
	if key == "" {
		for _, s := range b.sheets {
			if !s.hidden {
				return s, true
			}
		}
		return b.sheets[0], true
	}
	names := map[string]bool{}
	for _, t := range texts(key) {
		names[normalize(t)] = true
	}
	for _, s := range b.sheets {
		if names[normalize(s.name)] {
			return s, true
		}
	}
	return sheetRef{}, false
}
