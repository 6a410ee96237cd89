package access_test

import (
	"context"
	"slices"
	"testing"

	"concord/internal/access"
	"concord/internal/errs"
)

// spec is the permission table as the issue and the design describe it,
// written out independently of access.Policy so that a change to the policy
// must be made in both places on purpose.
var spec = map[access.Action]struct{ any, own []access.Role }{
	access.ViewDirectory:  {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer, access.SysAdmin, access.SecAdmin}},
	access.EditAlliance:   {any: []access.Role{access.SysAdmin}},
	access.CreateUnit:     {any: []access.Role{access.SysAdmin}},
	access.EditUnit:       {any: []access.Role{access.SysAdmin}},
	access.CreateArea:     {any: []access.Role{access.SysAdmin}},
	access.EditArea:       {any: []access.Role{access.SysAdmin}},
	access.ListUsers:      {any: []access.Role{access.SecAdmin}, own: []access.Role{access.UnitLeader}},
	access.ViewUser:       {any: []access.Role{access.SecAdmin}, own: []access.Role{access.UnitLeader}},
	access.CreateUser:     {any: []access.Role{access.SecAdmin}},
	access.EditUser:       {any: []access.Role{access.SecAdmin}},
	access.SetRoles:       {any: []access.Role{access.SecAdmin}},
	access.ResetPassword:  {any: []access.Role{access.SecAdmin}},
	access.ManageTokens:   {any: []access.Role{access.SecAdmin}},
	access.SearchAudit:    {any: []access.Role{access.AuditAdmin}},
	access.ExportAudit:    {any: []access.Role{access.AuditAdmin}},
	access.ViewHistory:    {any: []access.Role{access.AuditAdmin, access.Coordinator}, own: []access.Role{access.UnitLeader}},
	access.ViewDashboard:  {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.ViewPlans:      {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.EditPlans:      {any: []access.Role{access.Coordinator}},
	access.EditAssignment: {any: []access.Role{access.Coordinator}, own: []access.Role{access.UnitLeader}},
	access.ReportProgress: {own: []access.Role{access.Reporter, access.UnitLeader}},
	access.ApproveReport:  {own: []access.Role{access.UnitLeader}},
	access.ReviewReport:   {any: []access.Role{access.Coordinator}},
	access.CompleteTask:   {own: []access.Role{access.Reporter, access.UnitLeader}},
	access.CloseTask:      {any: []access.Role{access.Coordinator}},
	access.ChaseTask:      {any: []access.Role{access.Coordinator}},
	access.ManageWebhooks: {any: []access.Role{access.SysAdmin}},

	access.ViewInspections:      {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.EditInspections:      {any: []access.Role{access.Coordinator, access.Inspector}},
	access.RespondRectification: {own: []access.Role{access.Reporter, access.UnitLeader}},
	access.ViewProblems:         {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.RaiseProblem:         {own: []access.Role{access.Reporter, access.UnitLeader}},
	access.TriageProblem:        {any: []access.Role{access.Coordinator}},
	access.RespondProblem:       {own: []access.Role{access.Reporter, access.UnitLeader}},
	access.ViewMeetings:         {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.ManageMeetings:       {any: []access.Role{access.Coordinator}},
	access.ViewScores:           {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.ManageScores:         {any: []access.Role{access.Coordinator}},
	access.AppealScore:          {own: []access.Role{access.Reporter, access.UnitLeader}},
	access.ViewBulletins:        {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.ManageBulletins:      {any: []access.Role{access.Coordinator}},
	access.ViewWater:            {any: []access.Role{access.Coordinator, access.UnitLeader, access.Reporter, access.Inspector, access.Viewer}},
	access.ManageWater:          {any: []access.Role{access.Coordinator}},
	access.Self:                 {any: access.Roles},
	access.Public:               {any: access.Roles},
}

const (
	ownUnit   int64 = 10
	otherUnit int64 = 20
)

func actor(roles ...access.Role) *access.Actor {
	return &access.Actor{UserID: 7, Login: "someone", UnitID: ownUnit, Roles: roles}
}

func kind(err error) errs.Kind {
	if err == nil {
		return ""
	}
	if e, ok := errs.As(err); ok {
		return e.Kind
	}
	return "untyped"
}

func TestPolicyCoversEveryAction(t *testing.T) {
	for action := range access.Policy {
		if _, ok := spec[action]; !ok {
			t.Errorf("access.Policy has %q, which the test's spec does not know", action)
		}
	}
	for action := range spec {
		if _, ok := access.Policy[action]; !ok && action != access.Public {
			t.Errorf("action %q has no rule in access.Policy", action)
		}
	}
}

// TestMatrix checks every action × role × (own unit, other unit, no unit).
func TestMatrix(t *testing.T) {
	for action, want := range spec {
		for _, role := range access.Roles {
			a := actor(role)
			wantReach := access.None
			switch {
			case slices.Contains(want.any, role):
				wantReach = access.Any
			case slices.Contains(want.own, role):
				wantReach = access.OwnUnit
			}
			if got := a.Reach(action); got != wantReach {
				t.Errorf("%s/%s: Reach = %d, want %d", action, role, got, wantReach)
			}
			for _, c := range []struct {
				name  string
				unit  int64
				allow bool
			}{
				{"own unit", ownUnit, wantReach != access.None},
				{"other unit", otherUnit, wantReach == access.Any},
				{"no unit", 0, wantReach == access.Any},
			} {
				if got := a.Can(action, c.unit); got != c.allow {
					t.Errorf("%s/%s/%s: Can = %v, want %v", action, role, c.name, got, c.allow)
				}
				err := a.Check(action, c.unit)
				switch {
				case c.allow && err != nil:
					t.Errorf("%s/%s/%s: Check = %v, want nil", action, role, c.name, err)
				case !c.allow && kind(err) != errs.Forbidden:
					t.Errorf("%s/%s/%s: Check = %v, want forbidden", action, role, c.name, err)
				}
			}
		}
	}
}

func TestAnonymous(t *testing.T) {
	for name, a := range map[string]*access.Actor{
		"nil actor":       nil,
		"no user id":      {Login: "system", UnitID: ownUnit, Roles: access.Roles},
		"zero value":      {},
		"no roles, no id": {UnitID: ownUnit},
	} {
		for action := range access.Policy {
			if a.Reach(action) != access.None {
				t.Errorf("%s: Reach(%s) = %d, want None", name, action, a.Reach(action))
			}
			if a.Can(action, ownUnit) || a.Can(action, 0) {
				t.Errorf("%s: Can(%s) = true", name, action)
			}
			if err := a.Check(action, ownUnit); kind(err) != errs.Unauthorized {
				t.Errorf("%s: Check(%s) = %v, want unauthorized", name, action, err)
			}
		}
		if err := a.Check(access.Public, 0); err != nil {
			t.Errorf("%s: Check(public) = %v, want nil", name, err)
		}
	}
}

func TestSignedInWithoutRoles(t *testing.T) {
	a := actor()
	for action := range access.Policy {
		if err := a.Check(action, ownUnit); kind(err) != errs.Forbidden {
			t.Errorf("Check(%s) = %v, want forbidden", action, err)
		}
	}
	if err := a.Check(access.Public, 0); err != nil {
		t.Errorf("Check(public) = %v", err)
	}
	// Self is for every role, not for a role-less account.
	if a.Can(access.Self, 0) {
		t.Error("a user without roles may act on their own profile")
	}
}

func TestWidestReachWins(t *testing.T) {
	a := actor(access.Reporter, access.UnitLeader, access.Coordinator)
	if got := a.Reach(access.ViewHistory); got != access.Any {
		t.Errorf("coordinator+unit_leader ViewHistory reach = %d, want Any", got)
	}
	if !a.Can(access.ViewHistory, otherUnit) {
		t.Error("coordinator+unit_leader cannot see another unit's history")
	}
	// A role the actor does not hold gives nothing, whatever the others.
	if a.Can(access.ListUsers, otherUnit) {
		t.Error("unit_leader lists users of another unit")
	}
	if !a.Can(access.ListUsers, ownUnit) {
		t.Error("unit_leader cannot list own unit's users")
	}
}

func TestHas(t *testing.T) {
	var nobody *access.Actor
	if nobody.Has(access.Viewer) {
		t.Error("nil actor has a role")
	}
	a := actor(access.Viewer, access.Inspector)
	if !a.Has(access.Viewer) || !a.Has(access.Inspector) || a.Has(access.Coordinator) {
		t.Errorf("Has is wrong for %v", a.Roles)
	}
}

func TestRoles(t *testing.T) {
	admins := map[access.Role]bool{access.SysAdmin: true, access.SecAdmin: true, access.AuditAdmin: true}
	for _, r := range access.Roles {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
		if r.Admin() != admins[r] {
			t.Errorf("%s: Admin = %v", r, r.Admin())
		}
	}
	for _, r := range []access.Role{"", "root", "SYS_ADMIN", "viewer "} {
		if r.Valid() {
			t.Errorf("%q is valid", r)
		}
	}
}

func TestContext(t *testing.T) {
	if access.FromContext(context.Background()) != nil {
		t.Error("empty context has an actor")
	}
	a := actor(access.Viewer)
	if got := access.FromContext(access.WithActor(context.Background(), a)); got != a {
		t.Errorf("FromContext = %v, want %v", got, a)
	}
}

func TestCheckGrant(t *testing.T) {
	sec := &access.Actor{UserID: 1, Login: "sec", UnitID: ownUnit, Roles: []access.Role{access.SecAdmin}}
	const target = 2
	type want struct {
		kind  errs.Kind
		key   string
		field string // for validation errors, the field with the problem
	}
	ok := want{}
	forbidden := func(key string) want { return want{kind: errs.Forbidden, key: key} }
	invalid := func(key string) want { return want{kind: errs.Invalid, key: "error.validation", field: key} }
	cases := []struct {
		name    string
		granter *access.Actor
		target  int64
		roles   []access.Role
		want    want
	}{
		{"sec_admin grants a business role", sec, target, []access.Role{access.Reporter}, ok},
		{"sec_admin grants several business roles", sec, target, []access.Role{access.UnitLeader, access.Reporter, access.Viewer}, ok},
		{"sec_admin grants no roles", sec, target, nil, ok},
		{"sec_admin grants sys_admin", sec, target, []access.Role{access.SysAdmin}, ok},
		{"sec_admin grants audit_admin", sec, target, []access.Role{access.AuditAdmin}, ok},
		{"sec_admin grants sec_admin, which it holds", sec, target, []access.Role{access.SecAdmin}, ok},
		{"sec_admin creating a user (target 0)", sec, 0, []access.Role{access.Coordinator}, ok},

		{"nil granter", nil, target, []access.Role{access.Viewer}, forbidden("error.grant.not_security_admin")},
		{"sys_admin grants", &access.Actor{UserID: 1, Roles: []access.Role{access.SysAdmin}}, target, []access.Role{access.Viewer}, forbidden("error.grant.not_security_admin")},
		{"audit_admin grants", &access.Actor{UserID: 1, Roles: []access.Role{access.AuditAdmin}}, target, []access.Role{access.Viewer}, forbidden("error.grant.not_security_admin")},
		{"coordinator grants", &access.Actor{UserID: 1, Roles: []access.Role{access.Coordinator}}, target, []access.Role{access.Viewer}, forbidden("error.grant.not_security_admin")},
		{"unit_leader grants a role it holds", &access.Actor{UserID: 1, UnitID: ownUnit, Roles: []access.Role{access.UnitLeader}}, target, []access.Role{access.UnitLeader}, forbidden("error.grant.not_security_admin")},
		{"sec_admin role only from a holder", &access.Actor{UserID: 1, Roles: []access.Role{access.SysAdmin}}, target, []access.Role{access.SecAdmin}, forbidden("error.grant.not_security_admin")},
		{"self-grant", sec, sec.UserID, []access.Role{access.Viewer}, forbidden("error.grant.self")},
		{"self-grant of own role", sec, sec.UserID, []access.Role{access.SecAdmin}, forbidden("error.grant.self")},
		{"self-removal of all roles", sec, sec.UserID, nil, forbidden("error.grant.self")},

		{"admin with a business role", sec, target, []access.Role{access.SysAdmin, access.Viewer}, invalid("roles")},
		{"two admin duties", sec, target, []access.Role{access.SysAdmin, access.AuditAdmin}, invalid("roles")},
		{"sec_admin and audit_admin", sec, target, []access.Role{access.SecAdmin, access.AuditAdmin}, invalid("roles")},
		{"sec_admin with a business role", sec, target, []access.Role{access.Coordinator, access.SecAdmin}, invalid("roles")},
		{"unknown role", sec, target, []access.Role{"root"}, invalid("roles")},
		{"unknown role among known ones", sec, target, []access.Role{access.Viewer, "superuser"}, invalid("roles")},
		{"empty role name", sec, target, []access.Role{""}, invalid("roles")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := access.CheckGrant(c.granter, c.target, c.roles)
			if c.want.kind == "" {
				if err != nil {
					t.Fatalf("CheckGrant = %v, want nil", err)
				}
				return
			}
			e, isErr := errs.As(err)
			if !isErr {
				t.Fatalf("CheckGrant = %v, want %s %s", err, c.want.kind, c.want.key)
			}
			if e.Kind != c.want.kind || e.Key != c.want.key {
				t.Fatalf("CheckGrant = %s %s, want %s %s", e.Kind, e.Key, c.want.kind, c.want.key)
			}
			if c.want.field != "" {
				if len(e.Fields) == 0 {
					t.Fatalf("no field errors in %v", e)
				}
				for _, f := range e.Fields {
					if f.Field != c.want.field {
						t.Errorf("field error on %q, want %q", f.Field, c.want.field)
					}
				}
			}
		})
	}
}

func TestCheckGrantFieldKeys(t *testing.T) {
	sec := &access.Actor{UserID: 1, Roles: []access.Role{access.SecAdmin}}
	keys := func(err error) []string {
		e, _ := errs.As(err)
		if e == nil {
			return nil
		}
		var out []string
		for _, f := range e.Fields {
			out = append(out, f.Key)
		}
		return out
	}
	if got := keys(access.CheckGrant(sec, 2, []access.Role{"root"})); !slices.Equal(got, []string{"error.role.unknown"}) {
		t.Errorf("unknown role: keys %v", got)
	}
	if got := keys(access.CheckGrant(sec, 2, []access.Role{access.SysAdmin, access.Viewer})); !slices.Equal(got, []string{"error.role.admin_alone"}) {
		t.Errorf("admin with business role: keys %v", got)
	}
	e, _ := errs.As(access.CheckGrant(sec, 2, []access.Role{"root"}))
	if e == nil || len(e.Fields) != 1 || len(e.Fields[0].Args) != 1 || e.Fields[0].Args[0] != "root" {
		t.Errorf("unknown role error does not name the role: %v", e)
	}
}
