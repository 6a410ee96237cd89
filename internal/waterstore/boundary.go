package waterstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/water"
)

// SchemeSettings is the alliance's compensation scheme (water.Scheme) as
// the office keeps it: one stored row, water.Liaoning2017 as shipped.
type SchemeSettings struct {
	Name              string    `json:"name"`
	PerClassMain      float64   `json:"per_class_main"`
	PerClassTributary float64   `json:"per_class_tributary"`
	PerMultiple       float64   `json:"per_multiple"`
	Province          string    `json:"province"`
	LateRate          float64   `json:"late_rate"`
	DueMonth          int       `json:"due_month"`
	Version           int       `json:"version"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Scheme is the settings as the rules apply them.
func (c SchemeSettings) Scheme() water.Scheme {
	return water.Scheme{Name: c.Name, PerClassMain: c.PerClassMain, PerClassTributary: c.PerClassTributary, PerMultiple: c.PerMultiple,
		Province: c.Province, LateRate: c.LateRate, DueMonth: time.Month(c.DueMonth)}
}

func loadScheme(ctx context.Context, q db.Querier) (SchemeSettings, error) {
	var c SchemeSettings
	err := q.QueryRowContext(ctx, `SELECT name, per_class_main, per_class_tributary, per_multiple, province, late_rate, due_month, version, updated_at
		FROM water_scheme WHERE id = 1`).Scan(&c.Name, &c.PerClassMain, &c.PerClassTributary, &c.PerMultiple, &c.Province, &c.LateRate,
		&c.DueMonth, &c.Version, &c.UpdatedAt)
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, err
}

// Scheme returns the compensation scheme in force.
func (s *Service) Scheme(ctx context.Context) (SchemeSettings, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return SchemeSettings{}, err
	}
	return loadScheme(ctx, s.DB.R)
}

// maxAmount bounds the amounts a scheme may name, in yuan.
const maxAmount = 1e10

func (c SchemeSettings) validate() error {
	var v errs.Validation
	v.Text("name", c.Name, true, 200)
	v.Text("province", c.Province, true, 200)
	for field, x := range map[string]float64{"per_class_main": c.PerClassMain, "per_class_tributary": c.PerClassTributary, "per_multiple": c.PerMultiple} {
		if math.IsNaN(x) || x < 0 || x > maxAmount {
			v.Add(field, "error.water.scheme_amount", water.Num(maxAmount))
		}
	}
	if math.IsNaN(c.LateRate) || c.LateRate < 0 || c.LateRate > 1 {
		v.Add("late_rate", "error.water.scheme_late_rate")
	}
	if c.DueMonth < 1 || c.DueMonth > 12 {
		v.Add("due_month", "error.water.scheme_due_month")
	}
	return v.Err()
}

// UpdateScheme replaces the scheme edited at version. Amounts already shown
// follow the scheme in force: they are computed, not stored.
func (s *Service) UpdateScheme(ctx context.Context, in SchemeSettings, version int) (SchemeSettings, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return SchemeSettings{}, err
	}
	if err := in.validate(); err != nil {
		return SchemeSettings{}, err
	}
	var after SchemeSettings
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := loadScheme(ctx, tx)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.StaleVersion(before)
		}
		res, err := tx.ExecContext(ctx, `UPDATE water_scheme SET name = $1, per_class_main = $2, per_class_tributary = $3, per_multiple = $4,
			province = $5, late_rate = $6, due_month = $7, version = version + 1, updated_at = $8 WHERE id = 1 AND version = $9`,
			in.Name, in.PerClassMain, in.PerClassTributary, in.PerMultiple, in.Province, in.LateRate, in.DueMonth, s.now(), version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return errs.StaleVersion(before)
		}
		if after, err = loadScheme(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "water.scheme.update", ObjectType: "water_scheme", ObjectID: 1, Before: before, After: after})
	})
	return after, err
}

// Responsible is the unit answerable for the station when it is off its
// target: the upstream unit of a cross-city or province-entry section (it
// pays the downstream one), the station's responsible unit otherwise
// (for sea-entry and tributary-mouth sections the city that pays the
// province). Nil when the station names none.
func (st Station) Responsible() *int64 {
	if st.Boundary == CrossCity || st.Boundary == ProvinceEntry {
		return st.UpstreamID
	}
	return st.UnitID
}

// Months are the period's months, yyyymm, in order.
func (p Period) Months() []int {
	var out []int
	for m := p.From; m <= p.To; m = AddMonths(m, 1) {
		out = append(out, m)
	}
	return out
}

// MonthString writes a month yyyymm as YYYY-MM.
func MonthString(m int) string { return fmt.Sprintf("%04d-%02d", m/100, m%100) }

// Exceedance is an item worse than the station's target class (Class Ⅲ
// when it has none), with its exceedance multiple over Class Ⅲ.
type Exceedance struct {
	Item        water.Item  `json:"item"`
	Name        string      `json:"name"`
	Unit        string      `json:"unit"`
	Value       float64     `json:"value"`
	Class       water.Class `json:"class"`
	Multiple    float64     `json:"multiple"`
	HasMultiple bool        `json:"has_multiple"`
}

// Label is the item as the tables write it: its name, multiple over
// Class Ⅲ where it has one, and class: 总磷(1.5) 劣Ⅴ.
func (e Exceedance) Label(std *water.Standard) string {
	class := std.ClassName(e.Class)
	if e.HasMultiple {
		return fmt.Sprintf("%s(%s)", e.Name, water.Num(math.Round(e.Multiple*100)/100)) + " " + class
	}
	return e.Name + " " + class
}

// Exceeding lists the items of a that are worse than its target (Class Ⅲ
// when it has none), in the standard's order.
func (a StationAssessment) Exceeding(lang string) []Exceedance {
	std := a.Standard()
	limit := a.Target
	if limit == water.NoClass {
		limit = water.ClassIII
	}
	out := []Exceedance{}
	for _, ic := range a.Items {
		if ic.Class <= limit {
			continue
		}
		l := std.Limit(ic.Item)
		out = append(out, Exceedance{Item: ic.Item, Name: l.Name(lang), Unit: l.Unit, Value: ic.Value, Class: ic.Class,
			Multiple: math.Round(ic.Multiple*100) / 100, HasMultiple: ic.HasMultiple})
	}
	return out
}

// BoundaryMonth is one cross-boundary section in one month: the handover,
// the target and the class found, the items exceeding, who answers for it
// and the compensation the scheme implies, with its arithmetic.
type BoundaryMonth struct {
	Month         string       `json:"month"` // YYYY-MM
	StationID     int64        `json:"station_id"`
	Code          string       `json:"code"`
	Section       string       `json:"section"`
	Water         string       `json:"water"`
	Kind          Boundary     `json:"kind"`
	Stem          Stem         `json:"stem"`
	UpstreamID    *int64       `json:"upstream_unit_id"`
	DownstreamID  *int64       `json:"downstream_unit_id"`
	ResponsibleID *int64       `json:"responsible_unit_id"`
	Upstream      string       `json:"upstream"`
	Downstream    string       `json:"downstream"`
	Responsible   string       `json:"responsible"`
	Target        water.Class  `json:"target_class"`
	Assessed      bool         `json:"assessed"` // false: no readings that month
	Class         water.Class  `json:"class"`
	Compliant     bool         `json:"compliant"`
	Exceeding     []Exceedance `json:"exceeding"`
	Payer         string       `json:"payer"`
	Payee         string       `json:"payee"`
	Amount        float64      `json:"amount"` // yuan
	Arithmetic    string       `json:"arithmetic"`
	Explanation   string       `json:"explanation"`
}

// BoundaryReport is the cross-boundary table of a period.
type BoundaryReport struct {
	Period string          `json:"period"`
	Scheme SchemeSettings  `json:"scheme"`
	Rows   []BoundaryMonth `json:"rows"`
	Total  float64         `json:"total"` // yuan
}

// UnitNames are the units' names by id.
func UnitNames(ctx context.Context, q db.Querier) (map[int64]alliance.Names, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name_zh_hans, name_zh_hant, name_en FROM units`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]alliance.Names{}
	for rows.Next() {
		var id int64
		var n alliance.Names
		if err := rows.Scan(&id, &n.ZhHans, &n.ZhHant, &n.En); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// MonthAssessments assesses every month of p on its own (Assess of that
// month), keyed by month yyyymm and station id.
func (s *Service) MonthAssessments(ctx context.Context, p Period) (map[int]map[int64]StationAssessment, error) {
	out := map[int]map[int64]StationAssessment{}
	for _, m := range p.Months() {
		list, err := s.Assess(ctx, Period{m, m})
		if err != nil {
			return nil, err
		}
		byStation := make(map[int64]StationAssessment, len(list))
		for _, a := range list {
			byStation[a.Station.ID] = a
		}
		out[m] = byStation
	}
	return out, nil
}

// Boundary evaluates every cross-boundary section month by month over p
// under the scheme in force, names in lang. A month without readings is
// listed unassessed and owes nothing.
func (s *Service) Boundary(ctx context.Context, p Period, lang string) (BoundaryReport, error) {
	months, err := s.MonthAssessments(ctx, p) // checks access
	if err != nil {
		return BoundaryReport{Period: p.String(), Rows: []BoundaryMonth{}}, err
	}
	return s.BoundaryOf(ctx, p, months, lang)
}

// BoundaryOf is Boundary from assessments already made (MonthAssessments
// of a span covering p), for a caller that needs them for more.
func (s *Service) BoundaryOf(ctx context.Context, p Period, months map[int]map[int64]StationAssessment, lang string) (BoundaryReport, error) {
	rep := BoundaryReport{Period: p.String(), Rows: []BoundaryMonth{}}
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return rep, err
	}
	var err error
	if rep.Scheme, err = loadScheme(ctx, s.DB.R); err != nil {
		return rep, err
	}
	stations, err := s.Stations(ctx)
	if err != nil {
		return rep, err
	}
	names, err := UnitNames(ctx, s.DB.R)
	if err != nil {
		return rep, err
	}
	name := func(id *int64) string {
		if id == nil {
			return ""
		}
		return names[*id].In(lang)
	}
	scheme := rep.Scheme.Scheme()
	for _, m := range p.Months() {
		for _, st := range stations {
			if st.Boundary == "" {
				continue
			}
			row := BoundaryMonth{Month: MonthString(m), StationID: st.ID, Code: st.Code, Section: st.NameZh, Water: st.Water,
				Kind: st.Boundary, Stem: st.Stem, UpstreamID: st.UpstreamID, DownstreamID: st.DownstreamID, ResponsibleID: st.Responsible(),
				Upstream: name(st.UpstreamID), Downstream: name(st.DownstreamID), Responsible: name(st.Responsible()), Target: st.Target,
				Exceeding: []Exceedance{}}
			if lang == "en" && st.NameEn != "" {
				row.Section = st.NameEn
			}
			a, ok := months[m][st.ID]
			if ok && a.Class != water.NoClass {
				row.Assessed, row.Class, row.Compliant = true, a.Class, a.Compliant
				row.Exceeding = a.Exceeding(lang)
				row.Explanation = a.Explain(lang)
				c := scheme.Month(water.Boundary{Section: row.Section, Kind: water.BoundaryKind(st.Boundary), Tributary: st.Stem == Tributary,
					Upstream: row.Upstream, Downstream: row.Downstream, Host: name(st.UnitID), Target: st.Target}, a.Assessment)
				row.Payer, row.Payee, row.Amount, row.Arithmetic = c.Payer, c.Payee, c.Amount, c.Explain(lang)
			}
			rep.Total += row.Amount
			rep.Rows = append(rep.Rows, row)
		}
	}
	return rep, nil
}

// MonthZone is where the store's months begin and end.
func (s *Service) MonthZone() *time.Location { return s.zone() }

// MonthOf is t's month, yyyymm, in the store's zone.
func (s *Service) MonthOf(t time.Time) int { return monthOf(t, s.zone()) }

// AddMonths moves a month yyyymm by n months.
func AddMonths(m, n int) int {
	i := (m/100)*12 + m%100 - 1 + n
	return (i/12)*100 + i%12 + 1
}
