// Package access says who may do what. Every action has one rule here, and
// every route and service asks Check; nothing else decides permissions.
package access

import (
	"context"
	"slices"

	"concord/internal/errs"
)

// Role is a duty a user holds.
type Role string

const (
	Coordinator Role = "coordinator" // alliance-wide plan and supervision work
	UnitLeader  Role = "unit_leader" // leads their own unit's work
	Reporter    Role = "reporter"    // reports their own unit's work
	Inspector   Role = "inspector"   // inspections and findings
	Viewer      Role = "viewer"      // reads
	SysAdmin    Role = "sys_admin"   // configuration and units (系统管理员)
	SecAdmin    Role = "sec_admin"   // users, roles and tokens (安全管理员)
	AuditAdmin  Role = "audit_admin" // reads the audit trail (审计管理员)
)

// Roles lists every role in display order.
var Roles = []Role{Coordinator, UnitLeader, Reporter, Inspector, Viewer, SysAdmin, SecAdmin, AuditAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Admin reports whether r is one of the three separate administrator duties.
func (r Role) Admin() bool { return r == SysAdmin || r == SecAdmin || r == AuditAdmin }

// Action names one thing a user may try to do.
type Action string

const (
	ViewDirectory  Action = "directory.view" // alliance, units, areas
	EditAlliance   Action = "alliance.edit"
	CreateUnit     Action = "unit.create"
	EditUnit       Action = "unit.edit"
	CreateArea     Action = "area.create"
	EditArea       Action = "area.edit"
	ListUsers      Action = "user.list"
	ViewUser       Action = "user.view"
	CreateUser     Action = "user.create"
	EditUser       Action = "user.edit"
	SetRoles       Action = "user.roles"
	ResetPassword  Action = "user.password"
	ManageTokens   Action = "token.manage" // other users' tokens
	SearchAudit    Action = "audit.search"
	ExportAudit    Action = "audit.export"
	ViewHistory    Action = "history.view"
	ViewDashboard  Action = "dashboard.view"
	ViewPlans      Action = "plan.view"       // plans, tasks, reports, lists and their exports
	EditPlans      Action = "plan.edit"       // plans, goals, tasks, revisions, imports
	EditAssignment Action = "assignment.edit" // a unit's share of a task: responsible person, deadline
	ReportProgress Action = "report.write"    // draft and submit a unit's progress report
	ApproveReport  Action = "report.approve"  // the unit leader's sign-off before the office sees it
	ReviewReport   Action = "report.review"   // the office accepts or returns a report
	CompleteTask   Action = "task.complete"   // the lead unit's completion report (办结报告)
	CloseTask      Action = "task.close"      // verify and close (销号), reopen, cancel, merge
	ChaseTask      Action = "task.chase"      // a chase (催办) sent by hand
	ManageWebhooks Action = "webhook.manage"

	ViewInspections      Action = "inspection.view"       // rounds, findings, rectifications
	EditInspections      Action = "inspection.edit"       // rounds, findings, rectification items, verification
	RespondRectification Action = "rectification.respond" // a unit's response and evidence
	ViewProblems         Action = "problem.view"
	RaiseProblem         Action = "problem.raise"   // a unit raises a problem, or confirms it solved
	TriageProblem        Action = "problem.triage"  // accept, reject, assign, escalate
	RespondProblem       Action = "problem.respond" // the handling unit's response
	Self                 Action = "self"            // one's own profile, password, tokens
	Public               Action = "public"
)

// Joint meetings (联席会议), their decisions, committees and agreements.
const (
	ViewMeetings   Action = "meeting.view"   // meetings, decisions, committees, agreements, briefs
	ManageMeetings Action = "meeting.manage" // record them and turn decisions into tasks
)

// Scorecards (考核评价) and their appeals.
const (
	ViewScores   Action = "score.view"   // models, scorecards, rankings, the records behind a score, appeals
	ManageScores Action = "score.manage" // models, scorecards, publication, corrections, rulings on appeals
	AppealScore  Action = "score.appeal" // a unit appeals one item of its published scorecard
)

// Supervision bulletins (督查通报).
const (
	ViewBulletins   Action = "bulletin.view"   // bulletins, drafts and their downloads
	ManageBulletins Action = "bulletin.manage" // draft, publish and correct them
)

// Water quality: monitoring stations, readings and assessments.
const (
	ViewWater   Action = "water.view"   // stations, readings, suspect values, assessments
	ManageWater Action = "water.manage" // stations, imports, push tokens
)

// Reach is how far a role's permission extends.
type Reach int

const (
	None    Reach = iota
	OwnUnit       // only objects of the user's own unit
	Any           // every unit
)

var business = []Role{Coordinator, UnitLeader, Reporter, Inspector, Viewer}

func all(roles []Role, r Reach) map[Role]Reach {
	m := map[Role]Reach{}
	for _, role := range roles {
		m[role] = r
	}
	return m
}

// Policy is the whole permission table: action → role → reach.
var Policy = map[Action]map[Role]Reach{
	// The audit administrator reads the audit trail and nothing else.
	ViewDirectory:  all(append(business[:len(business):len(business)], SysAdmin, SecAdmin), Any),
	EditAlliance:   {SysAdmin: Any},
	CreateUnit:     {SysAdmin: Any},
	EditUnit:       {SysAdmin: Any},
	CreateArea:     {SysAdmin: Any},
	EditArea:       {SysAdmin: Any},
	ListUsers:      {SecAdmin: Any, UnitLeader: OwnUnit},
	ViewUser:       {SecAdmin: Any, UnitLeader: OwnUnit},
	CreateUser:     {SecAdmin: Any},
	EditUser:       {SecAdmin: Any},
	SetRoles:       {SecAdmin: Any},
	ResetPassword:  {SecAdmin: Any},
	ManageTokens:   {SecAdmin: Any},
	SearchAudit:    {AuditAdmin: Any},
	ExportAudit:    {AuditAdmin: Any},
	ViewHistory:    {AuditAdmin: Any, Coordinator: Any, UnitLeader: OwnUnit},
	ViewDashboard:  all(business, Any),
	ViewPlans:      all(business, Any),
	EditPlans:      {Coordinator: Any},
	EditAssignment: {Coordinator: Any, UnitLeader: OwnUnit},
	ReportProgress: {Reporter: OwnUnit, UnitLeader: OwnUnit},
	ApproveReport:  {UnitLeader: OwnUnit},
	ReviewReport:   {Coordinator: Any},
	CompleteTask:   {Reporter: OwnUnit, UnitLeader: OwnUnit},
	CloseTask:      {Coordinator: Any},
	ChaseTask:      {Coordinator: Any},
	ManageWebhooks: {SysAdmin: Any},

	ViewInspections:      all(business, Any),
	EditInspections:      {Coordinator: Any, Inspector: Any},
	RespondRectification: {Reporter: OwnUnit, UnitLeader: OwnUnit},
	ViewProblems:         all(business, Any),
	RaiseProblem:         {Reporter: OwnUnit, UnitLeader: OwnUnit},
	TriageProblem:        {Coordinator: Any},
	RespondProblem:       {Reporter: OwnUnit, UnitLeader: OwnUnit},
	ViewMeetings:         all(business, Any),
	ManageMeetings:       {Coordinator: Any},
	ViewScores:           all(business, Any),
	ManageScores:         {Coordinator: Any},
	AppealScore:          {UnitLeader: OwnUnit, Reporter: OwnUnit},
	ViewBulletins:        all(business, Any),
	ManageBulletins:      {Coordinator: Any},
	ViewWater:            all(business, Any),
	ManageWater:          {Coordinator: Any},
	Self:                 all(Roles, Any),
}

// Actor is who is acting, and from where.
type Actor struct {
	UserID     int64
	Login      string
	UnitID     int64
	Roles      []Role
	RequestID  string
	ClientAddr string
	Language   string // the UI language the user chose, "" to follow the browser
}

// Has reports whether the actor holds role.
func (a *Actor) Has(role Role) bool { return a != nil && slices.Contains(a.Roles, role) }

// LoginOrSystem names the actor on the record: their login, or "system"
// for work no user started (scheduled jobs).
func (a *Actor) LoginOrSystem() string {
	if a == nil || a.Login == "" {
		return "system"
	}
	return a.Login
}

// Reach is the widest reach the actor's roles give for action.
func (a *Actor) Reach(action Action) Reach {
	if action == Public {
		return Any
	}
	if a == nil || a.UserID == 0 {
		return None
	}
	best := None
	for _, r := range a.Roles {
		if reach := Policy[action][r]; reach > best {
			best = reach
		}
	}
	return best
}

// Can reports whether the actor may do action on an object of unit (0 when
// the object belongs to no unit, which only an Any reach covers).
func (a *Actor) Can(action Action, unit int64) bool {
	switch a.Reach(action) {
	case Any:
		return true
	case OwnUnit:
		return unit != 0 && unit == a.UnitID
	}
	return false
}

// Check is Can as an error: forbidden, or unauthorized when nobody is signed in.
func (a *Actor) Check(action Action, unit int64) error {
	if a.Can(action, unit) {
		return nil
	}
	if a == nil || a.UserID == 0 {
		return errs.New(errs.Unauthorized, "error.unauthorized")
	}
	return errs.New(errs.Forbidden, "error.forbidden")
}

// CheckGrant enforces the separation of the three administrators (三员分立)
// when granter sets target's roles to roles:
//   - only the security administrator assigns roles, and never their own;
//   - the security-administrator role can be granted only by one who holds it;
//   - an administrator role is held alone: no one holds two duties, nor an
//     administrator duty together with business roles.
func CheckGrant(granter *Actor, targetUser int64, roles []Role) error {
	if !granter.Has(SecAdmin) {
		return errs.New(errs.Forbidden, "error.grant.not_security_admin")
	}
	if granter.UserID == targetUser {
		return errs.New(errs.Forbidden, "error.grant.self")
	}
	for _, r := range roles {
		if r.Valid() && !granter.Has(r) && !grantable(r) {
			return errs.New(errs.Forbidden, "error.grant.not_held", string(r))
		}
	}
	_, err := CheckRoles(roles)
	return err
}

// CheckRoles keeps the rules on a set of roles that hold whoever grants
// them: every role known, and an administrator duty held alone. It returns
// the roles without repeats.
func CheckRoles(roles []Role) ([]Role, error) {
	var v errs.Validation
	var out []Role
	admins := 0
	for _, r := range roles {
		switch {
		case slices.Contains(out, r):
			continue
		case !r.Valid():
			v.Add("roles", "error.role.unknown", string(r))
		case r.Admin():
			admins++
		}
		out = append(out, r)
	}
	if admins > 0 && len(out) > 1 {
		v.Add("roles", "error.role.admin_alone")
	}
	return out, v.Err()
}

// grantable are the roles a security administrator may hand out without
// holding them: the business roles and the other two administrator duties.
func grantable(r Role) bool { return r != SecAdmin }

type ctxKey struct{}

// WithActor stores the actor in ctx.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor in ctx, or nil.
func FromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(ctxKey{}).(*Actor)
	return a
}
