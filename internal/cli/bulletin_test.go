package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBulletinCommands drafts a bulletin, publishes it and writes it as a
// page and a Word document from the command line; a viewer may not draft.
func TestBulletinCommands(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "c.db")
	must(t, "", "migrate", "up", "--db", file)
	must(t, "", "alliance", "init", "--db", file, "--name", "测试联盟")
	must(t, "", "unit", "create", "--db", file, "--code", "dalian", "--name", "大连市", "--kind", "city")
	must(t, "Secure-pass-2018\n", "user", "create", "--db", file, "--login", "coord", "--name", "协调员", "--unit", "dalian", "--role", "coordinator", "--password-stdin")
	must(t, "Secure-pass-2018\n", "user", "create", "--db", file, "--login", "look", "--name", "查看", "--unit", "dalian", "--role", "viewer", "--password-stdin")
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("大连市建立任务台账周调度机制。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	draft := []string{"bulletin", "draft", "--db", file, "--title", "三月督查通报", "--issuer", "协调办公室", "--from", "2026-03-01", "--to", "2026-03-31", "--notes", notes}
	if _, _, err := run(t, "", append(draft, "--as", "look")...); err == nil || !strings.Contains(err.Error(), "权限") {
		t.Fatalf("a viewer drafts: %v", err)
	}
	if _, _, err := run(t, "", "bulletin", "draft", "--db", file, "--as", "coord", "--title", "x", "--issuer", "y", "--from", "2026-03-31", "--to", "2026-03-01"); err == nil || !strings.Contains(err.Error(), "period_to") {
		t.Fatalf("a period backwards: %v", err)
	}
	id := strings.TrimSpace(must(t, "", append(draft, "--as", "coord")...))
	if out := must(t, "", "bulletin", "publish", id, "--db", file, "--as", "coord"); !strings.Contains(out, "published") {
		t.Fatalf("publish: %s", out)
	}
	page := must(t, "", "bulletin", "write", id, "--db", file, "--as", "look")
	if !strings.Contains(page, "<h1>三月督查通报</h1>") || !strings.Contains(page, "周调度") {
		t.Fatalf("page:\n%s", page)
	}
	docx := filepath.Join(dir, "b.docx")
	must(t, "", "bulletin", "write", id, "--db", file, "--as", "look", "--format", "docx", "-o", docx)
	if data, err := os.ReadFile(docx); err != nil || !strings.HasPrefix(string(data), "PK") {
		t.Fatalf("docx: %v", err)
	}
}
