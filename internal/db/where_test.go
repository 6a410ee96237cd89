package db

import (
	"reflect"
	"testing"
)

func TestWhere(t *testing.T) {
	var w Where
	if w.SQL() != "" {
		t.Fatalf("empty: %q", w.SQL())
	}
	w.Add("a = ?", 1)
	w.Add("open")
	w.Add("(b = ? OR c = ?)", "x")
	w.Add("d BETWEEN ? AND ?", 2, 3)
	want := " WHERE a = $1 AND open AND (b = $2 OR c = $2) AND d BETWEEN $3 AND $4"
	if w.SQL() != want {
		t.Fatalf("SQL:\n got %q\nwant %q", w.SQL(), want)
	}
	if !reflect.DeepEqual(w.Args, []any{1, "x", 2, 3}) {
		t.Fatalf("args %v", w.Args)
	}
}
