package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
)

// record writes one entry in its own transaction, as a service would.
func record(t *testing.T, d *db.DB, ctx context.Context, c audit.Change) {
	t.Helper()
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return audit.Record(ctx, tx, c) }); err != nil {
		t.Fatalf("Record(%+v): %v", c, err)
	}
}

func as(login string, id, unit int64) context.Context {
	return access.WithActor(context.Background(), &access.Actor{
		UserID: id, Login: login, UnitID: unit, Roles: []access.Role{access.Coordinator},
		RequestID: "req-" + login, ClientAddr: "192.0.2." + strconv.FormatInt(id, 10),
	})
}

func all(t *testing.T, s *audit.Store) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := s.Each(context.Background(), audit.Filter{}, func(e audit.Entry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(es []audit.Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestRecordFields(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &audit.Store{DB: d}
		start := time.Now().UTC().Add(-time.Second)

		type obj struct {
			Name    string `json:"name"`
			Version int    `json:"version"`
		}
		// A signed-in actor: everything comes from the context.
		record(t, d, as("alice", 3, 11), audit.Change{Action: "unit.update", ObjectType: "unit", ObjectID: 42,
			Before: obj{"old", 1}, After: obj{"new", 2}, Detail: "renamed", Login: "ignored"})
		// No actor, as for a failed login: the login comes from the change.
		record(t, d, context.Background(), audit.Change{Action: "login.failed", ObjectType: "user", Login: "mallory", Detail: "unknown login"})
		// "system": a login but no user id.
		record(t, d, access.WithActor(context.Background(), &access.Actor{Login: "system", RequestID: "r-sys"}),
			audit.Change{Action: "user.create", ObjectType: "user", ObjectID: 9, After: map[string]any{"login": "bob"}})

		es := all(t, s)
		if len(es) != 3 {
			t.Fatalf("%d entries, want 3", len(es))
		}
		e := es[0]
		if e.ActorID == nil || *e.ActorID != 3 || e.UnitID == nil || *e.UnitID != 11 || e.ActorLogin != "alice" {
			t.Errorf("actor fields: %+v", e)
		}
		if e.Action != "unit.update" || e.ObjectType != "unit" || e.ObjectID != "42" || e.Detail != "renamed" {
			t.Errorf("object fields: %+v", e)
		}
		if e.RequestID != "req-alice" || e.ClientAddr != "192.0.2.3" {
			t.Errorf("request fields: %+v", e)
		}
		var before, after obj
		if err := json.Unmarshal(e.Before, &before); err != nil || before != (obj{"old", 1}) {
			t.Errorf("before = %s (%v)", e.Before, err)
		}
		if err := json.Unmarshal(e.After, &after); err != nil || after != (obj{"new", 2}) {
			t.Errorf("after = %s (%v)", e.After, err)
		}
		if e.At.Location() != time.UTC || e.At.Before(start) || e.At.After(time.Now().Add(time.Second)) {
			t.Errorf("at = %v", e.At)
		}

		e = es[1]
		if e.ActorID != nil || e.UnitID != nil || e.ActorLogin != "mallory" || e.ObjectID != "" || e.Before != nil || e.After != nil {
			t.Errorf("anonymous entry: %+v", e)
		}
		e = es[2]
		if e.ActorID != nil || e.UnitID != nil || e.ActorLogin != "system" || e.RequestID != "r-sys" || e.Before != nil || string(e.After) != `{"login":"bob"}` {
			t.Errorf("system entry: %+v before=%s after=%s", e, e.Before, e.After)
		}
	})
}

func TestRecordIsPartOfTheTransaction(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &audit.Store{DB: d}
		ctx := as("alice", 1, 1)
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := audit.Record(ctx, tx, audit.Change{Action: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v", err)
		}
		if es := all(t, s); len(es) != 0 {
			t.Fatalf("a rolled-back change left %d audit entries", len(es))
		}
	})
}

func TestSearchFilters(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &audit.Store{DB: d}
		alice, bob := as("alice", 1, 10), as("bob", 2, 20)
		changes := []struct {
			ctx context.Context
			c   audit.Change
		}{
			/* 0 */ {alice, audit.Change{Action: "unit.create", ObjectType: "unit", ObjectID: 1, After: map[string]string{"name": "Dalian"}}},
			/* 1 */ {alice, audit.Change{Action: "unit.update", ObjectType: "unit", ObjectID: 1, Before: map[string]string{"name": "Dalian"}, After: map[string]string{"name": "大连市"}}},
			/* 2 */ {bob, audit.Change{Action: "unit.create", ObjectType: "unit", ObjectID: 2, After: map[string]string{"name": "50%_off"}}},
			/* 3 */ {bob, audit.Change{Action: "user.create", ObjectType: "user", ObjectID: 1, After: map[string]string{"name": "50X_off"}}},
			/* 4 */ {bob, audit.Change{Action: "area.create", ObjectType: "area", ObjectID: 12, Detail: "50%Aoff"}},
			/* 5 */ {alice, audit.Change{Action: "login", ObjectType: "user", ObjectID: 1, Detail: `a\b c`}},
			/* 6 */ {context.Background(), audit.Change{Action: "login.failed", ObjectType: "user", Login: "eve", Detail: "a_b"}},
			/* 7 */ {alice, audit.Change{Action: "area.update", ObjectType: "area", ObjectID: 2, Detail: "axb R&D <x>"}},
			/* 8 */ {bob, audit.Change{Action: "unit.update", ObjectType: "unit", ObjectID: 3, After: map[string]string{"name": "R&D <Office>"}}},
		}
		for i, c := range changes {
			record(t, d, c.ctx, c.c)
			if i == 2 || i == 5 {
				time.Sleep(5 * time.Millisecond) // so the time filters have gaps to cut at
			}
		}
		es := all(t, s)
		if len(es) != len(changes) {
			t.Fatalf("%d entries, want %d", len(es), len(changes))
		}
		id := func(is ...int) []int64 {
			out := []int64{}
			for _, i := range is {
				out = append(out, es[i].ID)
			}
			return out
		}
		cases := []struct {
			name string
			f    audit.Filter
			want []int64 // oldest first
		}{
			{"everything", audit.Filter{}, id(0, 1, 2, 3, 4, 5, 6, 7, 8)},
			{"actor alice", audit.Filter{Actor: "alice"}, id(0, 1, 5, 7)},
			{"actor bob", audit.Filter{Actor: "bob"}, id(2, 3, 4, 8)},
			{"actor without a user", audit.Filter{Actor: "eve"}, id(6)},
			{"actor unknown", audit.Filter{Actor: "nobody"}, id()},
			{"actor is exact, not a pattern", audit.Filter{Actor: "ali%"}, id()},
			{"action", audit.Filter{Action: "unit.create"}, id(0, 2)},
			{"action update", audit.Filter{Action: "unit.update"}, id(1, 8)},
			{"action is exact", audit.Filter{Action: "unit"}, id()},
			{"object type user", audit.Filter{ObjectType: "user"}, id(3, 5, 6)},
			{"object type and id", audit.Filter{ObjectType: "unit", ObjectID: "1"}, id(0, 1)},
			{"object id alone", audit.Filter{ObjectID: "1"}, id(0, 1, 3, 5)},
			{"object id is exact", audit.Filter{ObjectID: "2"}, id(2, 7)},
			{"object type unit", audit.Filter{ObjectType: "unit"}, id(0, 1, 2, 8)},
			{"from (inclusive)", audit.Filter{From: es[3].At}, id(3, 4, 5, 6, 7, 8)},
			{"to (exclusive)", audit.Filter{To: es[3].At}, id(0, 1, 2)},
			{"from and to", audit.Filter{From: es[3].At, To: es[6].At}, id(3, 4, 5)},
			{"from in another time zone", audit.Filter{From: es[3].At.In(time.FixedZone("CST", 8*3600))}, id(3, 4, 5, 6, 7, 8)},
			{"text in after", audit.Filter{Text: "Dalian"}, id(0, 1)},
			{"text in Chinese", audit.Filter{Text: "大连"}, id(1)},
			{"text in detail", audit.Filter{Text: "axb"}, id(7)},
			{"text with % literal", audit.Filter{Text: "50%"}, id(2, 4)},
			{"text with %_ literal", audit.Filter{Text: "50%_"}, id(2)},
			{"text with _ literal", audit.Filter{Text: "a_b"}, id(6)},
			{"text with literal _ in JSON", audit.Filter{Text: "X_off"}, id(3)},
			{"text % does not match any run", audit.Filter{Text: "50%off"}, id()},
			{"text with backslash literal", audit.Filter{Text: `a\b`}, id(5)},
			{"text with & and < in detail", audit.Filter{Text: "R&D <x>"}, id(7)},
			{"text with & and < in after", audit.Filter{Text: "R&D <Office>"}, id(8)},
			{"text with &", audit.Filter{Text: "R&D"}, id(7, 8)},
			{"text and actor", audit.Filter{Text: "50", Actor: "bob"}, id(2, 3, 4)},
			{"all filters together", audit.Filter{Actor: "alice", Action: "unit.update", ObjectType: "unit", ObjectID: "1", From: es[0].At, To: es[7].At, Text: "大连"}, id(1)},
			{"filters that exclude each other", audit.Filter{Actor: "bob", Action: "login"}, id()},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, total, err := s.Search(context.Background(), c.f, 100, 0)
				if err != nil {
					t.Fatal(err)
				}
				want := slices.Clone(c.want)
				slices.Reverse(want) // Search is newest first
				if !slices.Equal(ids(got), want) || total != len(want) {
					t.Errorf("Search = %v (total %d), want %v (total %d)", ids(got), total, want, len(want))
				}
				var streamed []audit.Entry
				if err := s.Each(context.Background(), c.f, func(e audit.Entry) error { streamed = append(streamed, e); return nil }); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(streamed), c.want) {
					t.Errorf("Each = %v, want %v", ids(streamed), c.want)
				}
			})
		}
	})
}

func TestSearchPagination(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &audit.Store{DB: d}
		ctx := as("alice", 1, 1)
		for i := range 25 {
			action := "even"
			if i%2 == 1 {
				action = "odd"
			}
			record(t, d, ctx, audit.Change{Action: action, ObjectType: "thing", ObjectID: int64(i + 1)})
		}
		es := all(t, s)
		cases := []struct {
			f             audit.Filter
			limit, offset int
			wantN, total  int
		}{
			{audit.Filter{}, 10, 0, 10, 25},
			{audit.Filter{}, 10, 10, 10, 25},
			{audit.Filter{}, 10, 20, 5, 25},
			{audit.Filter{}, 10, 30, 0, 25},
			{audit.Filter{}, 100, 0, 25, 25},
			{audit.Filter{Action: "odd"}, 5, 0, 5, 12},
			{audit.Filter{Action: "odd"}, 5, 10, 2, 12},
			{audit.Filter{Action: "none"}, 5, 0, 0, 0},
		}
		for _, c := range cases {
			got, total, err := s.Search(context.Background(), c.f, c.limit, c.offset)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.wantN || total != c.total {
				t.Errorf("%+v limit %d offset %d: %d entries of %d, want %d of %d", c.f, c.limit, c.offset, len(got), total, c.wantN, c.total)
			}
		}
		// The pages put together are the whole trail, newest first, each
		// entry once.
		var paged []int64
		for off := 0; ; off += 7 {
			page, total, err := s.Search(context.Background(), audit.Filter{}, 7, off)
			if err != nil {
				t.Fatal(err)
			}
			if total != 25 {
				t.Fatalf("total %d", total)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page)...)
		}
		want := ids(es)
		slices.Reverse(want)
		if !slices.Equal(paged, want) {
			t.Errorf("pages = %v, want %v", paged, want)
		}
	})
}

func TestHistory(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &audit.Store{DB: d}
		ctx := as("alice", 1, 1)
		for v := 1; v <= 4; v++ {
			record(t, d, ctx, audit.Change{Action: fmt.Sprintf("unit.v%d", v), ObjectType: "unit", ObjectID: 5, After: map[string]int{"version": v}})
			// Other objects in between must not show up.
			record(t, d, ctx, audit.Change{Action: "unit.update", ObjectType: "unit", ObjectID: 50})
			record(t, d, ctx, audit.Change{Action: "area.update", ObjectType: "area", ObjectID: 5})
		}
		h, err := s.History(context.Background(), "unit", 5)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range h {
			got = append(got, e.Action)
			if e.ObjectType != "unit" || e.ObjectID != "5" {
				t.Errorf("history of unit 5 has %s %s", e.ObjectType, e.ObjectID)
			}
		}
		if want := []string{"unit.v1", "unit.v2", "unit.v3", "unit.v4"}; !slices.Equal(got, want) {
			t.Errorf("History = %v, want %v", got, want)
		}
		for i := 1; i < len(h); i++ {
			if h[i].At.Before(h[i-1].At) || h[i].ID <= h[i-1].ID {
				t.Errorf("history out of order at %d", i)
			}
		}
		if h, err := s.History(context.Background(), "unit", 999); err != nil || len(h) != 0 {
			t.Errorf("History of an object without entries = %v, %v", h, err)
		}
	})
}

func TestEachStreamsAndStops(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &audit.Store{DB: d}
		ctx := as("alice", 1, 1)
		for i := range 10 {
			record(t, d, ctx, audit.Change{Action: "tick", ObjectType: "clock", ObjectID: int64(i + 1)})
		}
		var seen []string
		err := s.Each(context.Background(), audit.Filter{Action: "tick"}, func(e audit.Entry) error {
			seen = append(seen, e.ObjectID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}; !slices.Equal(seen, want) {
			t.Errorf("Each = %v, want %v", seen, want)
		}
		// An error from fn stops the stream and comes back.
		stop := errors.New("enough")
		n := 0
		err = s.Each(context.Background(), audit.Filter{}, func(audit.Entry) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("Each with a failing fn: err %v after %d entries", err, n)
		}
	})
}

func TestAppendOnly(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		record(t, d, as("alice", 1, 1), audit.Change{Action: "x"})
		if _, err := d.W.Exec(`UPDATE audit_log SET action = 'y'`); err == nil {
			t.Error("an audit entry was changed")
		}
		if _, err := d.W.Exec(`DELETE FROM audit_log`); err == nil {
			t.Error("an audit entry was deleted")
		}
		if es := all(t, &audit.Store{DB: d}); len(es) != 1 || es[0].Action != "x" {
			t.Errorf("entries after tampering: %+v", es)
		}
	})
}
