package alliance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
)

// as is a context whose actor holds roles in unit 1. The actor need not
// exist as a user: services take the actor from the context.
func as(roles ...access.Role) context.Context {
	return access.WithActor(context.Background(), &access.Actor{UserID: 100, Login: "tester", UnitID: 1, Roles: roles})
}

var sys = as(access.SysAdmin)

func ptr[T any](v T) *T { return &v }

func names(zh string) alliance.Names { return alliance.Names{ZhHans: zh} }

func auditCount(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lastAudit returns the newest audit entry, after checking that exactly
// want entries were written since the count was before.
func lastAudit(t *testing.T, d *db.DB, before, want int) audit.Entry {
	t.Helper()
	if n := auditCount(t, d); n != before+want {
		t.Fatalf("%d audit entries written, want %d", n-before, want)
	}
	es, _, err := (&audit.Store{DB: d}).Search(context.Background(), audit.Filter{}, 1, 0)
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit entry: %v", err)
	}
	return es[0]
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func createUnit(t *testing.T, s *alliance.Service, code string, parent *int64) alliance.Unit {
	t.Helper()
	u, err := s.CreateUnit(sys, alliance.UnitInput{Code: code, Name: names("单位" + code), Kind: alliance.City, ParentID: parent})
	if err != nil {
		t.Fatalf("CreateUnit %s: %v", code, err)
	}
	return u
}

func input(u alliance.Unit) alliance.UnitInput {
	return alliance.UnitInput{Code: u.Code, Name: u.Name, Kind: u.Kind, ParentID: u.ParentID, Active: ptr(u.Active)}
}

func TestNamesIn(t *testing.T) {
	n := alliance.Names{ZhHans: "简", ZhHant: "繁", En: "En"}
	for lang, want := range map[string]string{"zh-Hans": "简", "zh-Hant": "繁", "en": "En", "": "简", "fr": "简"} {
		if got := n.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
	only := names("简")
	for _, lang := range []string{"zh-Hant", "en"} {
		if got := only.In(lang); got != "简" {
			t.Errorf("In(%q) without a translation = %q", lang, got)
		}
	}
}

func TestAlliance(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		ctx := context.Background()
		if _, err := s.Get(ctx); !errs.Is(err, errs.NotFound) {
			t.Fatalf("Get before Init = %v, want not found", err)
		}
		errstest.WantField(t, s.Init(ctx, alliance.Names{En: "Alliance"}), "name.zh_hans", "error.required")
		errstest.WantField(t, s.Init(ctx, alliance.Names{ZhHans: strings.Repeat("长", 201)}), "name.zh_hans", "error.too_long")
		if n := auditCount(t, d); n != 0 {
			t.Fatalf("failed Init wrote %d audit entries", n)
		}

		if err := s.Init(ctx, alliance.Names{ZhHans: "辽宁协同联盟", En: "Liaoning Alliance"}); err != nil {
			t.Fatal(err)
		}
		a, err := s.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != (alliance.Names{"辽宁协同联盟", "辽宁协同联盟", "Liaoning Alliance"}) || a.Version != 1 {
			t.Errorf("after Init: %+v", a)
		}
		e := lastAudit(t, d, 0, 1)
		if e.Action != "alliance.create" || e.ObjectType != "alliance" || e.ObjectID != "1" || e.Before != nil {
			t.Errorf("Init audit: %+v", e)
		}
		errstest.WantKind(t, s.Init(ctx, names("again")), errs.Conflict)

		n := auditCount(t, d)
		for _, c := range []struct {
			ctx  context.Context
			kind errs.Kind
		}{
			{context.Background(), errs.Unauthorized},
			{as(access.SecAdmin), errs.Forbidden},
			{as(access.AuditAdmin), errs.Forbidden},
			{as(access.Coordinator), errs.Forbidden},
		} {
			_, err := s.Rename(c.ctx, names("新"), 1)
			errstest.WantKind(t, err, c.kind)
		}
		_, err = s.Rename(sys, alliance.Names{}, 1)
		errstest.WantField(t, err, "name.zh_hans", "error.required")
		if auditCount(t, d) != n {
			t.Fatal("refused renames were recorded as changes")
		}

		b, err := s.Rename(sys, alliance.Names{ZhHans: "新联盟", ZhHant: "新聯盟"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if b.Version != 2 || b.Name != (alliance.Names{"新联盟", "新聯盟", "新联盟"}) {
			t.Errorf("after Rename: %+v", b)
		}
		e = lastAudit(t, d, n, 1)
		if e.Action != "alliance.update" || decode[alliance.Alliance](t, e.Before).Version != 1 || decode[alliance.Alliance](t, e.After).Name.ZhHant != "新聯盟" {
			t.Errorf("Rename audit: %+v %s %s", e, e.Before, e.After)
		}
		_, err = s.Rename(sys, names("旧版本"), 1)
		ce := errstest.WantKind(t, err, errs.Conflict)
		if cur, ok := ce.Current.(alliance.Alliance); !ok || cur.Version != 2 || cur.Name.ZhHans != "新联盟" {
			t.Errorf("stale Rename: Current = %#v", ce.Current)
		}
		if got, _ := s.Get(ctx); got.Version != 2 || got.Name.ZhHans != "新联盟" {
			t.Errorf("a stale Rename changed the alliance: %+v", got)
		}
	})
}

func TestUnitValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		root := createUnit(t, s, "root", nil)
		child := createUnit(t, s, "child", &root.ID)
		grandchild := createUnit(t, s, "grandchild", &child.ID)
		valid := alliance.UnitInput{Code: "dalian", Name: names("大连市"), Kind: alliance.City}
		with := func(f func(*alliance.UnitInput)) alliance.UnitInput {
			in := valid
			f(&in)
			return in
		}
		cases := []struct {
			name       string
			in         alliance.UnitInput
			field, key string
		}{
			{"no code", with(func(in *alliance.UnitInput) { in.Code = "" }), "code", "error.required"},
			{"code with a space", with(func(in *alliance.UnitInput) { in.Code = "da lian" }), "code", "error.code_format"},
			{"code starting with a dash", with(func(in *alliance.UnitInput) { in.Code = "-dalian" }), "code", "error.code_format"},
			{"code starting with a dot", with(func(in *alliance.UnitInput) { in.Code = ".x" }), "code", "error.code_format"},
			{"code in Chinese", with(func(in *alliance.UnitInput) { in.Code = "大连" }), "code", "error.code_format"},
			{"code with a slash", with(func(in *alliance.UnitInput) { in.Code = "a/b" }), "code", "error.code_format"},
			{"code of 41 characters", with(func(in *alliance.UnitInput) { in.Code = strings.Repeat("a", 41) }), "code", "error.code_format"},
			{"no zh_hans name", with(func(in *alliance.UnitInput) { in.Name = alliance.Names{ZhHant: "大連", En: "Dalian"} }), "name.zh_hans", "error.required"},
			{"blank zh_hans name", with(func(in *alliance.UnitInput) { in.Name.ZhHans = "   " }), "name.zh_hans", "error.required"},
			{"zh_hans name too long", with(func(in *alliance.UnitInput) { in.Name.ZhHans = strings.Repeat("市", 201) }), "name.zh_hans", "error.too_long"},
			{"en name too long", with(func(in *alliance.UnitInput) { in.Name.En = strings.Repeat("x", 201) }), "name.en", "error.too_long"},
			{"zh_hant name too long", with(func(in *alliance.UnitInput) { in.Name.ZhHant = strings.Repeat("市", 201) }), "name.zh_hant", "error.too_long"},
			{"name not UTF-8", with(func(in *alliance.UnitInput) { in.Name.ZhHans = "\xff\xfe" }), "name.zh_hans", "error.encoding"},
			{"no kind", with(func(in *alliance.UnitInput) { in.Kind = "" }), "kind", "error.choice"},
			{"bad kind", with(func(in *alliance.UnitInput) { in.Kind = "province" }), "kind", "error.choice"},
			{"kind in capitals", with(func(in *alliance.UnitInput) { in.Kind = "City" }), "kind", "error.choice"},
			{"parent missing", with(func(in *alliance.UnitInput) { in.ParentID = ptr(int64(9999)) }), "parent_id", "error.unit.parent_missing"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				n := auditCount(t, d)
				_, err := s.CreateUnit(sys, c.in)
				errstest.WantField(t, err, c.field, c.key)
				// The same rules hold for an update.
				_, err = s.UpdateUnit(sys, root.ID, c.in, root.Version)
				errstest.WantField(t, err, c.field, c.key)
				if auditCount(t, d) != n {
					t.Error("a refused change was recorded")
				}
			})
		}
		// Every problem is reported at once.
		_, err := s.CreateUnit(sys, alliance.UnitInput{Code: "bad code", Kind: "x"})
		e := errstest.WantKind(t, err, errs.Invalid)
		if len(e.Fields) != 3 {
			t.Errorf("want 3 field errors, got %v", e)
		}

		// The boundaries of what is allowed.
		for i, in := range []alliance.UnitInput{
			with(func(in *alliance.UnitInput) { in.Code = strings.Repeat("a", 40) }),
			with(func(in *alliance.UnitInput) { in.Code = "0" }),
			with(func(in *alliance.UnitInput) { in.Code = "A-b_c.9" }),
			with(func(in *alliance.UnitInput) { in.Code = "n200"; in.Name.ZhHans = strings.Repeat("市", 200) }),
			with(func(in *alliance.UnitInput) { in.Code = "office"; in.Kind = alliance.Office }),
			with(func(in *alliance.UnitInput) {
				in.Code = "dept"
				in.Kind = alliance.Department
				in.ParentID = &grandchild.ID
			}),
			with(func(in *alliance.UnitInput) { in.Code = "other"; in.Kind = alliance.Other }),
		} {
			if _, err := s.CreateUnit(sys, in); err != nil {
				t.Errorf("valid input %d (%s): %v", i, in.Code, err)
			}
		}

		// Cycles in the unit tree.
		for _, c := range []struct {
			name   string
			unit   alliance.Unit
			parent int64
			key    string
		}{
			{"own parent", root, root.ID, "error.unit.parent_self"},
			{"child as parent", root, child.ID, "error.unit.parent_cycle"},
			{"grandchild as parent", root, grandchild.ID, "error.unit.parent_cycle"},
			{"grandchild as parent of child", child, grandchild.ID, "error.unit.parent_cycle"},
		} {
			in := input(c.unit)
			in.ParentID = ptr(c.parent)
			_, err := s.UpdateUnit(sys, c.unit.ID, in, c.unit.Version)
			if e, _ := errs.As(err); e == nil || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "parent_id" || e.Fields[0].Key != c.key {
				t.Errorf("%s: %v, want %s on parent_id", c.name, err, c.key)
			}
		}
		// Moving a leaf under a sibling branch is fine.
		other := createUnit(t, s, "other-root", nil)
		in := input(grandchild)
		in.ParentID = &other.ID
		if _, err := s.UpdateUnit(sys, grandchild.ID, in, grandchild.Version); err != nil {
			t.Errorf("move a unit: %v", err)
		}
	})
}

func TestUnits(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		ctx := context.Background()

		n := auditCount(t, d)
		u, err := s.CreateUnit(sys, alliance.UnitInput{Code: "shenyang", Name: alliance.Names{ZhHans: "沈阳市", En: "Shenyang"}, Kind: alliance.City})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Version != 1 || !u.Active || u.ParentID != nil || u.Name.ZhHant != "沈阳市" || u.Name.En != "Shenyang" || u.CreatedAt.IsZero() || !u.CreatedAt.Equal(u.UpdatedAt) {
			t.Errorf("created: %+v", u)
		}
		e := lastAudit(t, d, n, 1)
		if e.Action != "unit.create" || e.ObjectType != "unit" || e.ObjectID != strconv.FormatInt(u.ID, 10) || e.Before != nil || e.ActorLogin != "tester" {
			t.Errorf("create audit: %+v", e)
		}
		if got := decode[alliance.Unit](t, e.After); !reflect.DeepEqual(got, u) {
			t.Errorf("create audit after = %+v, want %+v", got, u)
		}
		if got, err := s.Unit(ctx, u.ID); err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("Unit = %+v, %v; want %+v", got, err, u)
		}
		if _, err := s.Unit(ctx, 9999); !errs.Is(err, errs.NotFound) {
			t.Errorf("Unit(9999) = %v, want not found", err)
		}

		// Duplicate code.
		n = auditCount(t, d)
		_, err = s.CreateUnit(sys, alliance.UnitInput{Code: "shenyang", Name: names("另一个"), Kind: alliance.Department})
		e2 := errstest.WantKind(t, err, errs.Conflict)
		if len(e2.Fields) != 1 || e2.Fields[0].Field != "code" {
			t.Errorf("duplicate code: %v", e2)
		}
		if auditCount(t, d) != n {
			t.Error("a refused create was recorded")
		}

		mk := func(in alliance.UnitInput) alliance.Unit {
			u, err := s.CreateUnit(sys, in)
			if err != nil {
				t.Fatalf("CreateUnit %s: %v", in.Code, err)
			}
			return u
		}
		office := mk(alliance.UnitInput{Code: "zz-office", Name: names("协同办"), Kind: alliance.Office})
		dept := mk(alliance.UnitInput{Code: "a-dept", Name: names("发改委"), Kind: alliance.Department, ParentID: &office.ID})
		dalian := mk(alliance.UnitInput{Code: "dalian", Name: names("大连市"), Kind: alliance.City})
		misc := mk(alliance.UnitInput{Code: "misc", Name: names("其他"), Kind: alliance.Other, Active: ptr(false)})
		if dept.ParentID == nil || *dept.ParentID != office.ID {
			t.Errorf("parent not kept: %+v", dept)
		}
		if misc.Active {
			t.Error("a unit created retired is active")
		}
		codes := func(withRetired bool) []string {
			us, err := s.Units(ctx, withRetired)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, u := range us {
				out = append(out, u.Code)
			}
			return out
		}
		// Office first, then cities, then departments, then the rest; by code within a kind.
		if got, want := codes(true), []string{"zz-office", "dalian", "shenyang", "a-dept", "misc"}; !slices.Equal(got, want) {
			t.Errorf("Units(true) = %v, want %v", got, want)
		}
		if got, want := codes(false), []string{"zz-office", "dalian", "shenyang", "a-dept"}; !slices.Equal(got, want) {
			t.Errorf("Units(false) = %v, want %v", got, want)
		}

		// Update: every field, with the version.
		n = auditCount(t, d)
		in := alliance.UnitInput{Code: "shenyang-city", Name: alliance.Names{ZhHans: "沈阳", ZhHant: "瀋陽", En: "Shenyang City"}, Kind: alliance.Department, ParentID: &office.ID}
		v2, err := s.UpdateUnit(sys, u.ID, in, 1)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Code != "shenyang-city" || v2.Name != in.Name || v2.Kind != alliance.Department || v2.ParentID == nil || *v2.ParentID != office.ID || !v2.Active || !v2.CreatedAt.Equal(u.CreatedAt) || v2.UpdatedAt.Before(u.UpdatedAt) {
			t.Errorf("updated: %+v", v2)
		}
		e = lastAudit(t, d, n, 1)
		if e.Action != "unit.update" || e.ObjectID != strconv.FormatInt(u.ID, 10) {
			t.Errorf("update audit: %+v", e)
		}
		if before := decode[alliance.Unit](t, e.Before); !reflect.DeepEqual(before, u) {
			t.Errorf("update audit before = %+v, want %+v", before, u)
		}
		if after := decode[alliance.Unit](t, e.After); !reflect.DeepEqual(after, v2) {
			t.Errorf("update audit after = %+v, want %+v", after, v2)
		}

		// A stale version is refused with the unit as it is now, and changes nothing.
		n = auditCount(t, d)
		_, err = s.UpdateUnit(sys, u.ID, alliance.UnitInput{Code: "lost", Name: names("丢失"), Kind: alliance.City}, 1)
		ce := errstest.WantKind(t, err, errs.Conflict)
		if cur, ok := ce.Current.(alliance.Unit); !ok || !reflect.DeepEqual(cur, v2) {
			t.Errorf("Current = %#v, want %+v", ce.Current, v2)
		}
		if got, _ := s.Unit(ctx, u.ID); !reflect.DeepEqual(got, v2) {
			t.Errorf("a stale update changed the unit: %+v", got)
		}
		// A version from the future is stale too.
		_, err = s.UpdateUnit(sys, u.ID, input(v2), 99)
		errstest.WantKind(t, err, errs.Conflict)
		// Unknown unit.
		_, err = s.UpdateUnit(sys, 9999, input(v2), 1)
		errstest.WantKind(t, err, errs.NotFound)
		// Duplicate code on update.
		dup := input(v2)
		dup.Code = "dalian"
		_, err = s.UpdateUnit(sys, u.ID, dup, 2)
		errstest.WantKind(t, err, errs.Conflict)
		if auditCount(t, d) != n {
			t.Error("refused updates were recorded")
		}
		if got, _ := s.Unit(ctx, u.ID); got.Version != 2 {
			t.Errorf("refused updates bumped the version to %d", got.Version)
		}

		// Retire: hidden from Units(false), still there with Units(true) and by id.
		retire := input(dalian)
		retire.Active = ptr(false)
		r, err := s.UpdateUnit(sys, dalian.ID, retire, dalian.Version)
		if err != nil || r.Active || r.Version != 2 {
			t.Fatalf("retire: %+v, %v", r, err)
		}
		e = lastAudit(t, d, n, 1)
		if !decode[alliance.Unit](t, e.Before).Active || decode[alliance.Unit](t, e.After).Active {
			t.Errorf("retire audit: %s → %s", e.Before, e.After)
		}
		if slices.Contains(codes(false), "dalian") || !slices.Contains(codes(true), "dalian") {
			t.Errorf("after retiring: %v / %v", codes(false), codes(true))
		}
		// Leaving Active out keeps the unit as it is.
		keep := input(r)
		keep.Active = nil
		keep.Name.En = "Dalian"
		r2, err := s.UpdateUnit(sys, dalian.ID, keep, r.Version)
		if err != nil || r2.Active {
			t.Errorf("update without Active: %+v, %v", r2, err)
		}
		// Reinstating.
		keep.Active = ptr(true)
		if r3, err := s.UpdateUnit(sys, dalian.ID, keep, r2.Version); err != nil || !r3.Active || !slices.Contains(codes(false), "dalian") {
			t.Errorf("reinstate: %+v, %v", r3, err)
		}

		// The history of the unit is its create and each update.
		h, err := (&audit.Store{DB: d}).History(ctx, "unit", dalian.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range h {
			actions = append(actions, e.Action)
		}
		if want := []string{"unit.create", "unit.update", "unit.update", "unit.update"}; !slices.Equal(actions, want) {
			t.Errorf("history = %v, want %v", actions, want)
		}
	})
}

func TestDirectoryPermissions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		if err := s.Init(context.Background(), names("联盟")); err != nil {
			t.Fatal(err)
		}
		unit := createUnit(t, s, "u1", nil)
		area, err := s.CreateArea(sys, alliance.AreaInput{Code: "a1", Name: names("领域"), Position: 1})
		if err != nil {
			t.Fatal(err)
		}
		ctxs := map[string]context.Context{"anonymous": context.Background()}
		for _, r := range access.Roles {
			ctxs[string(r)] = as(r)
		}
		// A unit leader of the very unit being edited is no better off.
		ctxs["unit_leader of the unit"] = access.WithActor(context.Background(), &access.Actor{UserID: 5, Login: "leader", UnitID: unit.ID, Roles: []access.Role{access.UnitLeader}})
		ctxs["all business roles"] = as(access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer)
		i := 0
		for who, ctx := range ctxs {
			i++
			code := fmt.Sprintf("c%d", i)
			calls := map[string]func() error{
				"CreateUnit": func() error {
					_, err := s.CreateUnit(ctx, alliance.UnitInput{Code: code, Name: names("x"), Kind: alliance.City})
					return err
				},
				"UpdateUnit": func() error {
					u, _ := s.Unit(context.Background(), unit.ID)
					_, err := s.UpdateUnit(ctx, unit.ID, input(u), u.Version)
					return err
				},
				"CreateArea": func() error {
					_, err := s.CreateArea(ctx, alliance.AreaInput{Code: code, Name: names("x"), Position: 2})
					return err
				},
				"UpdateArea": func() error {
					a, _ := s.Area(context.Background(), area.ID)
					_, err := s.UpdateArea(ctx, area.ID, alliance.AreaInput{Code: a.Code, Name: a.Name, Position: a.Position}, a.Version)
					return err
				},
				"Rename": func() error {
					a, _ := s.Get(context.Background())
					_, err := s.Rename(ctx, a.Name, a.Version)
					return err
				},
			}
			for name, call := range calls {
				n := auditCount(t, d)
				err := call()
				switch who {
				case string(access.SysAdmin):
					if err != nil {
						t.Errorf("%s: %s = %v", who, name, err)
					} else if auditCount(t, d) != n+1 {
						t.Errorf("%s: %s wrote %d audit entries", who, name, auditCount(t, d)-n)
					}
				case "anonymous":
					if !errs.Is(err, errs.Unauthorized) {
						t.Errorf("%s: %s = %v, want unauthorized", who, name, err)
					}
				default:
					if !errs.Is(err, errs.Forbidden) {
						t.Errorf("%s: %s = %v, want forbidden", who, name, err)
					}
				}
				if who != string(access.SysAdmin) && auditCount(t, d) != n {
					t.Errorf("%s: refused %s was recorded as a change", who, name)
				}
			}
		}
		// Reading the directory needs no role at the service level.
		if _, err := s.Units(context.Background(), true); err != nil {
			t.Error(err)
		}
	})
}

func TestAreas(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		ctx := context.Background()
		// Create the defaults in reverse, to see that the list follows position.
		for i := len(alliance.DefaultAreas) - 1; i >= 0; i-- {
			if _, err := s.CreateArea(sys, alliance.DefaultAreas[i]); err != nil {
				t.Fatal(err)
			}
		}
		as, err := s.Areas(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range as {
			codes = append(codes, a.Code)
			if !a.Active || a.Version != 1 || a.Name.En == "" || a.Name.ZhHant == "" {
				t.Errorf("default area %+v", a)
			}
		}
		if want := []string{"planning", "industry", "innovation", "reform", "policy", "environment"}; !slices.Equal(codes, want) {
			t.Errorf("Areas = %v, want %v", codes, want)
		}
		if auditCount(t, d) != 6 {
			t.Errorf("%d audit entries for 6 areas", auditCount(t, d))
		}

		valid := alliance.AreaInput{Code: "energy", Name: names("能源协同"), Position: 7}
		with := func(f func(*alliance.AreaInput)) alliance.AreaInput {
			in := valid
			f(&in)
			return in
		}
		for _, c := range []struct {
			name       string
			in         alliance.AreaInput
			field, key string
		}{
			{"no code", with(func(in *alliance.AreaInput) { in.Code = "" }), "code", "error.required"},
			{"bad code", with(func(in *alliance.AreaInput) { in.Code = "能源" }), "code", "error.code_format"},
			{"no name", with(func(in *alliance.AreaInput) { in.Name = alliance.Names{En: "Energy"} }), "name.zh_hans", "error.required"},
			{"negative position", with(func(in *alliance.AreaInput) { in.Position = -1 }), "position", "error.range"},
			{"position too large", with(func(in *alliance.AreaInput) { in.Position = 1001 }), "position", "error.range"},
		} {
			n := auditCount(t, d)
			_, err := s.CreateArea(sys, c.in)
			errstest.WantField(t, err, c.field, c.key)
			_, err = s.UpdateArea(sys, as[0].ID, c.in, as[0].Version)
			errstest.WantField(t, err, c.field, c.key)
			if auditCount(t, d) != n {
				t.Errorf("%s: a refused change was recorded", c.name)
			}
		}
		_, err = s.CreateArea(sys, with(func(in *alliance.AreaInput) { in.Code = "planning" }))
		errstest.WantKind(t, err, errs.Conflict)

		n := auditCount(t, d)
		a, err := s.CreateArea(sys, valid)
		if err != nil {
			t.Fatal(err)
		}
		e := lastAudit(t, d, n, 1)
		if e.Action != "area.create" || e.ObjectType != "area" || !reflect.DeepEqual(decode[alliance.Area](t, e.After), a) {
			t.Errorf("create audit %+v", e)
		}
		if got, err := s.Area(ctx, a.ID); err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("Area = %+v, %v", got, err)
		}
		if _, err := s.Area(ctx, 9999); !errs.Is(err, errs.NotFound) {
			t.Errorf("Area(9999) = %v", err)
		}

		// Move energy to the front and retire it.
		n = auditCount(t, d)
		b, err := s.UpdateArea(sys, a.ID, alliance.AreaInput{Code: "energy", Name: alliance.Names{ZhHans: "能源协同", En: "Energy"}, Position: 0, Active: ptr(false)}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if b.Version != 2 || b.Position != 0 || b.Active || b.Name.En != "Energy" {
			t.Errorf("updated area %+v", b)
		}
		e = lastAudit(t, d, n, 1)
		if e.Action != "area.update" || !reflect.DeepEqual(decode[alliance.Area](t, e.Before), a) || !reflect.DeepEqual(decode[alliance.Area](t, e.After), b) {
			t.Errorf("update audit %+v %s %s", e, e.Before, e.After)
		}
		if all, _ := s.Areas(ctx); len(all) != 7 || all[0].Code != "energy" {
			t.Errorf("Areas after moving energy first: %v", all)
		}

		n = auditCount(t, d)
		_, err = s.UpdateArea(sys, a.ID, valid, 1)
		ce := errstest.WantKind(t, err, errs.Conflict)
		if cur, ok := ce.Current.(alliance.Area); !ok || !reflect.DeepEqual(cur, b) {
			t.Errorf("stale: Current = %#v", ce.Current)
		}
		_, err = s.UpdateArea(sys, a.ID, with(func(in *alliance.AreaInput) { in.Code = "policy" }), 2)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = s.UpdateArea(sys, 9999, valid, 1)
		errstest.WantKind(t, err, errs.NotFound)
		if auditCount(t, d) != n {
			t.Error("refused area updates were recorded")
		}
	})
}

// TestConcurrentUnitUpdates: twenty writers with the same version, then
// twenty writers that retry on conflict.
func TestConcurrentUnitUpdates(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		ctx := context.Background()
		const writers = 20

		// Each round all writers hold the same version; one wins.
		u := createUnit(t, s, "contended", nil)
		for round := range 3 {
			cur, err := s.Unit(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := auditCount(t, d)
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := input(cur)
					in.Name.ZhHans = fmt.Sprintf("round %d writer %d", round, i)
					<-start
					_, results[i] = s.UpdateUnit(sys, u.ID, in, cur.Version)
				}()
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range results {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Errorf("round %d: writers %d and %d both succeeded with version %d", round, winner, i, cur.Version)
					}
					winner = i
				case errs.Is(err, errs.Conflict):
					e, _ := errs.As(err)
					if c, ok := e.Current.(alliance.Unit); !ok || c.Version <= cur.Version {
						t.Errorf("round %d writer %d: Current = %#v", round, i, e.Current)
					}
				default:
					t.Errorf("round %d writer %d: %v", round, i, err)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: nobody succeeded", round)
			}
			after, _ := s.Unit(ctx, u.ID)
			if after.Version != cur.Version+1 || after.Name.ZhHans != fmt.Sprintf("round %d writer %d", round, winner) {
				t.Errorf("round %d: unit is %+v, want writer %d's at version %d", round, after, winner, cur.Version+1)
			}
			if got := auditCount(t, d) - n; got != 1 {
				t.Errorf("round %d: %d audit entries, want 1", round, got)
			}
		}

		// Retrying writers: each adds one to the counter in the name and
		// its own marker. None may be lost.
		u = createUnit(t, s, "counter", nil)
		n := auditCount(t, d)
		var wg sync.WaitGroup
		errc := make(chan error, writers)
		var mu sync.Mutex
		attempts := 0
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for try := 0; ; try++ {
					if try > 10*writers {
						errc <- fmt.Errorf("writer %d gave up after %d conflicts", i, try)
						return
					}
					cur, err := s.Unit(ctx, u.ID)
					if err != nil {
						errc <- err
						return
					}
					count, marks := 0, ""
					if c, m, ok := strings.Cut(cur.Name.ZhHans, "|"); ok {
						count, _ = strconv.Atoi(c)
						marks = m
					}
					in := input(cur)
					in.Name.ZhHans = fmt.Sprintf("%d|%sw%02d,", count+1, marks, i)
					mu.Lock()
					attempts++
					mu.Unlock()
					_, err = s.UpdateUnit(sys, u.ID, in, cur.Version)
					if errs.Is(err, errs.Conflict) {
						continue
					}
					if err != nil {
						errc <- fmt.Errorf("writer %d: %w", i, err)
					}
					return
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		final, err := s.Unit(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		count, marks, _ := strings.Cut(final.Name.ZhHans, "|")
		if count != strconv.Itoa(writers) || final.Version != writers+1 {
			t.Errorf("final unit %q at version %d, want count %d at version %d", final.Name.ZhHans, final.Version, writers, writers+1)
		}
		for i := range writers {
			if !strings.Contains(marks, fmt.Sprintf("w%02d,", i)) {
				t.Errorf("writer %d's update was lost: %q", i, marks)
			}
		}
		if got := auditCount(t, d) - n; got != writers {
			t.Errorf("%d audit entries for %d updates", got, writers)
		}
		t.Logf("%d attempts for %d updates", attempts, writers)
	})
}

// TestConcurrentSameVersion checks areas and the alliance as units are
// checked above: of writers holding one version, exactly one wins.
func TestConcurrentSameVersion(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := &alliance.Service{DB: d}
		ctx := context.Background()
		if err := s.Init(ctx, names("联盟")); err != nil {
			t.Fatal(err)
		}
		area, err := s.CreateArea(sys, alliance.AreaInput{Code: "a", Name: names("领域"), Position: 1})
		if err != nil {
			t.Fatal(err)
		}
		const writers = 20
		for name, update := range map[string]func(i int) error{
			"area": func(i int) error {
				_, err := s.UpdateArea(sys, area.ID, alliance.AreaInput{Code: "a", Name: names(fmt.Sprint("领域", i)), Position: i}, 1)
				return err
			},
			"alliance": func(i int) error {
				_, err := s.Rename(sys, names(fmt.Sprint("联盟", i)), 1)
				return err
			},
		} {
			start := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok, conflicts := 0, 0
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					err := update(i)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case errs.Is(err, errs.Conflict):
						conflicts++
					default:
						t.Errorf("%s writer %d: %v", name, i, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			if ok != 1 || conflicts != writers-1 {
				t.Errorf("%s: %d succeeded and %d conflicted with one version, want 1 and %d", name, ok, conflicts, writers-1)
			}
		}
		if a, _ := s.Area(ctx, area.ID); a.Version != 2 {
			t.Errorf("area at version %d, want 2", a.Version)
		}
		if a, _ := s.Get(ctx); a.Version != 2 {
			t.Errorf("alliance at version %d, want 2", a.Version)
		}
	})
}
