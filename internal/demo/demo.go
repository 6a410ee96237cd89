// Package demo fills an empty store with a sample alliance, the six coastal
// cities of Liaoning (辽宁沿海经济带), and a sign-in for every role. The
// units are real; the people and everything they enter are sample data
// (示例数据), not official figures.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/clock"
)

// Password is every sample user's password.
const Password = "Concord-demo-2018"

// Login is one sample sign-in.
type Login struct {
	Login    string
	Password string
	Role     string
	Unit     string // the unit's code
}

// String is the line `concord demo` prints for the login.
func (l Login) String() string {
	return fmt.Sprintf("login: %s password: %s role: %s unit: %s", l.Login, l.Password, l.Role, l.Unit)
}

// Name is the sample alliance's name.
var Name = alliance.Names{ZhHans: "辽宁沿海经济带", ZhHant: "遼寧沿海經濟帶", En: "Liaoning Coastal Economic Belt"}

type unit struct {
	code   string
	name   alliance.Names
	kind   alliance.UnitKind
	parent string
}

// units are created in order, so a parent comes before its children.
var units = []unit{
	{"ln-leaders", alliance.Names{ZhHans: "辽宁省委、省政府", ZhHant: "遼寧省委、省政府", En: "Liaoning Provincial Party Committee and Government"}, alliance.Other, ""},
	{"ln-drc", alliance.Names{ZhHans: "辽宁省发展改革委", ZhHant: "遼寧省發展改革委", En: "Liaoning Provincial Development and Reform Commission"}, alliance.Department, ""},
	{"belt-office", alliance.Names{ZhHans: "辽宁沿海经济带协调办公室", ZhHant: "遼寧沿海經濟帶協調辦公室", En: "Liaoning Coastal Economic Belt Coordination Office"}, alliance.Office, "ln-drc"},
	{"ln-transport", alliance.Names{ZhHans: "辽宁省交通运输厅", ZhHant: "遼寧省交通運輸廳", En: "Liaoning Provincial Department of Transport"}, alliance.Department, ""},
	{"ln-commerce", alliance.Names{ZhHans: "辽宁省商务厅", ZhHant: "遼寧省商務廳", En: "Liaoning Provincial Department of Commerce"}, alliance.Department, ""},
	{"dalian", alliance.Names{ZhHans: "大连市", ZhHant: "大連市", En: "Dalian"}, alliance.City, ""},
	{"dandong", alliance.Names{ZhHans: "丹东市", ZhHant: "丹東市", En: "Dandong"}, alliance.City, ""},
	{"jinzhou", alliance.Names{ZhHans: "锦州市", ZhHant: "錦州市", En: "Jinzhou"}, alliance.City, ""},
	{"yingkou", alliance.Names{ZhHans: "营口市", ZhHant: "營口市", En: "Yingkou"}, alliance.City, ""},
	{"panjin", alliance.Names{ZhHans: "盘锦市", ZhHant: "盤錦市", En: "Panjin"}, alliance.City, ""},
	{"huludao", alliance.Names{ZhHans: "葫芦岛市", ZhHant: "葫蘆島市", En: "Huludao"}, alliance.City, ""},
	{"dalian-drc", alliance.Names{ZhHans: "大连市发展改革委", ZhHant: "大連市發展改革委", En: "Dalian Development and Reform Commission"}, alliance.Other, "dalian"},
	{"dalian-eco", alliance.Names{ZhHans: "大连市生态环境局", ZhHant: "大連市生態環境局", En: "Dalian Ecology and Environment Bureau"}, alliance.Other, "dalian"},
}

type user struct {
	login string
	name  string
	role  access.Role
	unit  string
}

// users hold every role in access.Roles, with a reporter for every unit
// that works on the sample plans; the three administrators are three
// people (三员分立).
var users = []user{
	{"coordinator", "协调办 协调员（示例）", access.Coordinator, "belt-office"},
	{"dalian-leader", "大连市 单位负责人（示例）", access.UnitLeader, "dalian"},
	{"yingkou-leader", "营口市 单位负责人（示例）", access.UnitLeader, "yingkou"},
	{"dalian-reporter", "大连市 填报员（示例）", access.Reporter, "dalian"},
	{"yingkou-reporter", "营口市 填报员（示例）", access.Reporter, "yingkou"},
	{"dandong-reporter", "丹东市 填报员（示例）", access.Reporter, "dandong"},
	{"jinzhou-reporter", "锦州市 填报员（示例）", access.Reporter, "jinzhou"},
	{"panjin-reporter", "盘锦市 填报员（示例）", access.Reporter, "panjin"},
	{"huludao-reporter", "葫芦岛市 填报员（示例）", access.Reporter, "huludao"},
	{"drc-reporter", "省发展改革委 填报员（示例）", access.Reporter, "ln-drc"},
	{"transport-reporter", "省交通运输厅 填报员（示例）", access.Reporter, "ln-transport"},
	{"commerce-reporter", "省商务厅 填报员（示例）", access.Reporter, "ln-commerce"},
	{"dalian-eco-reporter", "大连市生态环境局 填报员（示例）", access.Reporter, "dalian-eco"},
	{"inspector", "督查组 督查员（示例）", access.Inspector, "belt-office"},
	{"viewer", "省发展改革委 查阅人（示例）", access.Viewer, "ln-drc"},
	{"sysadmin", "系统管理员（示例）", access.SysAdmin, "belt-office"},
	{"secadmin", "安全管理员（示例）", access.SecAdmin, "belt-office"},
	{"auditadmin", "审计管理员（示例）", access.AuditAdmin, "belt-office"},
}

// Logins are the sample sign-ins, in the order of access.Roles.
func Logins() []Login {
	out := make([]Login, len(users))
	for i, u := range users {
		out[i] = Login{Login: u.login, Password: Password, Role: string(u.role), Unit: u.unit}
	}
	return out
}

// marker is the audit action that says a store holds the demo.
const marker = "demo.seed"

// State is what a store holds, as far as the demo is concerned.
type State int

const (
	Empty   State = iota // nothing yet: Seed may fill it
	Seeded               // the demo, complete
	Foreign              // something else: the demo must leave it alone
)

// Inspect tells whether the store behind dir is empty, holds the demo, or
// holds something else (a real deployment, or a seed that failed half way).
func Inspect(ctx context.Context, dir *alliance.Service) (State, error) {
	var n int
	if err := dir.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, marker).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return Seeded, nil
	}
	var one int
	err := dir.DB.R.QueryRowContext(ctx, `SELECT 1 FROM alliance UNION ALL SELECT 1 FROM units UNION ALL SELECT 1 FROM users LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return Empty, nil
	}
	if err != nil {
		return 0, err
	}
	return Foreign, nil
}

// Seed fills an empty store with the sample alliance, its units and areas,
// one user per sample login, the sample plans with the meetings,
// inspections and problems around them as of now, and the belt's
// monitoring stations with their readings (water.go), then marks the
// store as the demo. It refuses a store that is not empty.
func Seed(ctx context.Context, accts *accounts.Service, dir *alliance.Service) ([]Login, error) {
	return SeedAt(ctx, accts, dir, clock.System.Now())
}

// SeedAt is Seed as if now were the present: the sample plans' history is
// played up to now, and the current plan is set around it.
func SeedAt(ctx context.Context, accts *accounts.Service, dir *alliance.Service, now time.Time) ([]Login, error) {
	switch st, err := Inspect(ctx, dir); {
	case err != nil:
		return nil, err
	case st != Empty:
		return nil, errors.New("the database is not empty: the demo seeds only an empty one")
	}
	if err := dir.BootstrapInit(ctx, Name); err != nil {
		return nil, fmt.Errorf("name the alliance: %w", err)
	}
	ids := map[string]int64{}
	for _, u := range units {
		in := alliance.UnitInput{Code: u.code, Name: u.name, Kind: u.kind}
		if u.parent != "" {
			p := ids[u.parent]
			in.ParentID = &p
		}
		created, err := dir.BootstrapUnit(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("unit %s: %w", u.code, err)
		}
		ids[u.code] = created.ID
	}
	// The defaults may already be there if a later release creates them with
	// the alliance.
	have, err := dir.Areas(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range alliance.DefaultAreas {
		if !hasArea(have, a.Code) {
			if _, err := dir.BootstrapArea(ctx, a); err != nil {
				return nil, fmt.Errorf("area %s: %w", a.Code, err)
			}
		}
	}
	made := map[string]accounts.User{}
	as := map[string]context.Context{}
	for _, u := range users {
		created, err := accts.AdminCreateUser(ctx, accounts.UserInput{
			Login: u.login, Name: u.name, UnitID: ids[u.unit], Password: Password, Roles: []access.Role{u.role},
		})
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", u.login, err)
		}
		made[u.login] = created
		as[u.login] = actorFor(ctx, created.ID, u, ids[u.unit])
	}
	if have, err = dir.Areas(ctx); err != nil {
		return nil, err
	}
	areas := map[string]int64{}
	for _, a := range have {
		areas[a.Code] = a.ID
	}
	if err := seedPlans(as, dir.DB, ids, areas, made, now); err != nil {
		return nil, fmt.Errorf("sample belt: %w", err)
	}
	if err := seedWater(as["coordinator"], dir.DB, now); err != nil {
		return nil, fmt.Errorf("sample waters: %w", err)
	}
	sys := access.WithActor(ctx, &access.Actor{Login: "system"})
	err = dir.DB.Tx(sys, func(tx *sql.Tx) error {
		return audit.Record(sys, tx, audit.Change{Action: marker, ObjectType: "alliance", ObjectID: 1,
			Detail: "示例数据 sample data: the Liaoning coastal belt demo, not official figures"})
	})
	if err != nil {
		return nil, err
	}
	return Logins(), nil
}

func hasArea(as []alliance.Area, code string) bool {
	for _, a := range as {
		if a.Code == code {
			return true
		}
	}
	return false
}
