package bulletin

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/meetings"
)

//go:embed bulletin.html
var bulletinHTML string

var pageTemplate = template.Must(template.New("bulletin").Funcs(template.FuncMap{
	"t":    func(string, ...any) string { return "" },
	"num":  func(int, int) string { return "" },
	"date": func(clock.Date) string { return "" },
}).Parse(bulletinHTML))

// view is a document as a template sees it: standalone on its own page
// (the title is its h1), or inside a page of the site, which has its own.
type view struct {
	Document
	Standalone bool
}

func (d Document) execute(w io.Writer, name string) error {
	t, err := pageTemplate.Clone()
	if err != nil {
		return err
	}
	return t.Funcs(template.FuncMap{
		"t":    func(key string, args ...any) string { return i18n.T(d.Lang, key, args...) },
		"num":  func(level, i int) string { return Numbering(d.Lang, level, i) },
		"date": func(day clock.Date) string { return LongDate(d.Lang, day) },
	}).ExecuteTemplate(w, name, view{d, name == "page"})
}

// HTML writes the bulletin as a print-ready page of its own: A4, the
// margins and fonts of official documents.
func (d Document) HTML(w io.Writer) error { return d.execute(w, "page") }

// Article writes the bulletin as a fragment for a page of the site: its
// styles, scoped to the article, and the article.
func (d Document) Article(w io.Writer) error {
	if _, err := io.WriteString(w, "<style>"); err != nil {
		return err
	}
	if err := d.execute(w, "css"); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "</style>\n"); err != nil {
		return err
	}
	return d.execute(w, "article")
}

// Text is the bulletin's visible text, one line a block, for golden files
// and for comparing the outputs with each other.
func (d Document) Text() (string, error) {
	var buf bytes.Buffer
	err := d.execute(&buf, "article")
	return meetings.Text(buf.String()), err
}

// Chromium is where the headless browser that prints PDFs is: the
// CONCORD_CHROMIUM setting when given (a path that does not exist means
// none), else /usr/bin/chromium or chromium on PATH; "" when it is not
// installed.
func Chromium() string {
	if p := os.Getenv("CONCORD_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// pdfTimeout bounds one print, so a hung browser fails the request.
const pdfTimeout = 60 * time.Second

// HasCJKFont reports whether fontconfig, which Chromium draws text with,
// knows a font for Chinese. Without fc-list it cannot tell and assumes so.
func HasCJKFont(ctx context.Context) bool {
	fc, err := exec.LookPath("fc-list")
	if err != nil {
		return true
	}
	out, err := exec.CommandContext(ctx, fc, ":lang=zh", "family").Output()
	return err != nil || len(bytes.TrimSpace(out)) > 0
}

// PDF prints the bulletin's page through headless Chromium. Without
// Chromium it says so with error.bulletin.no_chromium (503); without a
// font for Chinese (Debian: fonts-noto-cjk) with error.bulletin.no_cjk_font
// (503), rather than print the text as empty boxes.
func (d Document) PDF(ctx context.Context) ([]byte, error) {
	bin := Chromium()
	if bin == "" {
		return nil, errs.New(errs.Unavailable, "error.bulletin.no_chromium")
	}
	if !HasCJKFont(ctx) {
		return nil, errs.New(errs.Unavailable, "error.bulletin.no_cjk_font")
	}
	dir, err := os.MkdirTemp("", "concord-bulletin-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	page, out := filepath.Join(dir, "bulletin.html"), filepath.Join(dir, "bulletin.pdf")
	var buf bytes.Buffer
	if err := d.HTML(&buf); err != nil {
		return nil, err
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+page)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chromium prints the bulletin: %w: %s", err, strings.TrimSpace(string(msg)))
	}
	return os.ReadFile(out)
}

// Formats are the files a bulletin is written as, by name (also the file
// extension), with their media types.
var Formats = map[string]string{
	"html": "text/html; charset=utf-8",
	"pdf":  "application/pdf",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// Write writes the bulletin as format, one of Formats.
func (d Document) Write(ctx context.Context, w io.Writer, format string) error {
	switch format {
	case "html":
		return d.HTML(w)
	case "pdf":
		pdf, err := d.PDF(ctx)
		if err == nil {
			_, err = w.Write(pdf)
		}
		return err
	case "docx":
		return d.DOCX(w)
	case "xlsx":
		return d.XLSX(w)
	}
	var v errs.Validation
	v.Add("format", "error.choice")
	return v.Err()
}
