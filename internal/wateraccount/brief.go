package wateraccount

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/i18n"
	"concord/internal/inspect"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// TrendMonths is how many months the brief's trend covers.
const TrendMonths = 12

// OffStation is a station off its target in the brief's month.
type OffStation struct {
	City        string `json:"city"` // the unit answerable for it
	StationID   int64  `json:"station_id"`
	Code        string `json:"code"`
	Section     string `json:"section"`
	Water       string `json:"water"`
	Class       string `json:"class"`
	Target      string `json:"target"`
	Exceeding   string `json:"exceeding"`
	Explanation string `json:"explanation"`
}

// TrendPoint is one month of the trend: stations assessed against a
// target, and how many met it.
type TrendPoint struct {
	Month     string  `json:"month"`
	Assessed  int     `json:"assessed"`
	Compliant int     `json:"compliant"`
	Share     float64 `json:"share"` // percent compliant, one decimal; 0 when none assessed
}

// Payment is what one unit owes another for a year under the scheme.
type Payment struct {
	Year   int        `json:"year"`
	Payer  string     `json:"payer"`
	Payee  string     `json:"payee"`
	Amount float64    `json:"amount"` // the months to the brief's month
	Due    clock.Date `json:"due"`    // paid by the end of the scheme's month of the next year
	Owed   float64    `json:"owed"`   // as of the brief's day: with the surcharge once past due
	Late   bool       `json:"late"`
}

// WaterItem is an open rectification item of the water loop.
type WaterItem struct {
	ID        int64      `json:"id"`
	Unit      string     `json:"unit"`
	StationID int64      `json:"station_id"`
	Station   string     `json:"station"`
	Months    []string   `json:"months"`
	DueOn     clock.Date `json:"due_on"`
	Status    string     `json:"status"`
	Overdue   bool       `json:"overdue"`
}

// Brief is the monthly water brief for the environmental joint meeting:
// its figures and the document made of them.
type Brief struct {
	Month          string                     `json:"month"`
	AsOf           clock.Date                 `json:"as_of"`
	Assessed       int                        `json:"assessed"`
	Compliant      int                        `json:"compliant"`
	Off            []OffStation               `json:"off_target"`
	Trend          []TrendPoint               `json:"trend"`
	Boundary       []waterstore.BoundaryMonth `json:"boundary"` // the month's cross-boundary sections
	Payments       []Payment                  `json:"payments"`
	Rectifications []WaterItem                `json:"rectifications"`
	Document       bulletin.Document          `json:"document"`
}

// Brief makes the brief of month (yyyymm) as of today, in lang.
func (s *Service) Brief(ctx context.Context, month int, lang string) (Brief, error) {
	if err := access.FromContext(ctx).Check(access.ViewWater, 0); err != nil {
		return Brief{}, err
	}
	today := clock.Today(s.Clock)
	b := Brief{Month: waterstore.MonthString(month), AsOf: today, Off: []OffStation{}, Trend: []TrendPoint{}, Payments: []Payment{},
		Rectifications: []WaterItem{}}
	// One assessment per month serves the trend and the compensation: the
	// months from January of last year (whose compensation falls due this
	// year) to the brief's, which cover the last twelve.
	year := month / 100
	span := waterstore.Period{From: (year-1)*100 + 1, To: month}
	trend, err := s.Water.MonthAssessments(ctx, span)
	if err != nil {
		return b, err
	}
	names, err := waterstore.UnitNames(ctx, s.DB.R)
	if err != nil {
		return b, err
	}
	unit := func(id *int64) string {
		if id == nil {
			return i18n.T(lang, "wateraccount.brief.no_unit")
		}
		return names[*id].In(lang)
	}
	for i := TrendMonths - 1; i >= 0; i-- {
		m := waterstore.AddMonths(month, -i)
		p := TrendPoint{Month: waterstore.MonthString(m)}
		for _, a := range trend[m] {
			if a.Target == water.NoClass || a.Class == water.NoClass {
				continue
			}
			p.Assessed++
			if a.Compliant {
				p.Compliant++
			}
		}
		if p.Assessed > 0 {
			p.Share = math.Round(float64(p.Compliant)*1000/float64(p.Assessed)) / 10
		}
		b.Trend = append(b.Trend, p)
	}
	cur := b.Trend[len(b.Trend)-1]
	b.Assessed, b.Compliant = cur.Assessed, cur.Compliant
	for _, a := range trend[month] {
		if a.Target == water.NoClass || a.Class == water.NoClass || a.Compliant {
			continue
		}
		std := a.Standard()
		b.Off = append(b.Off, OffStation{City: unit(a.Station.Responsible()), StationID: a.Station.ID, Code: a.Station.Code,
			Section: stationName(a.Station, lang), Water: a.Station.Water, Class: std.ClassName(a.Class), Target: std.ClassName(a.Target),
			Exceeding: exceedingLabels(a, lang), Explanation: a.Explain(lang)})
	}
	slices.SortStableFunc(b.Off, func(x, y OffStation) int { return cmp.Or(cmp.Compare(x.City, y.City), cmp.Compare(x.Code, y.Code)) })

	// Compensation: the previous year's (due by the end of the scheme's
	// month this year) and this year's to the brief's month.
	rep, err := s.Water.BoundaryOf(ctx, span, trend, lang)
	if err != nil {
		return b, err
	}
	scheme := rep.Scheme.Scheme()
	zone := s.Water.MonthZone()
	now := s.Clock.Now().In(zone)
	type key struct {
		year         int
		payer, payee string
	}
	sums := map[key]float64{}
	var keys []key
	for _, r := range rep.Rows {
		if r.Month == b.Month {
			b.Boundary = append(b.Boundary, r)
		}
		if r.Amount == 0 {
			continue
		}
		y, _ := strconv.Atoi(r.Month[:4])
		k := key{y, r.Payer, r.Payee}
		if _, ok := sums[k]; !ok {
			keys = append(keys, k)
		}
		sums[k] += r.Amount
	}
	if b.Boundary == nil {
		b.Boundary = []waterstore.BoundaryMonth{}
	}
	for _, k := range keys {
		due := scheme.Due(k.year, zone)
		last := due.AddDate(0, 0, -1) // the last day to pay, in the zone
		owed := scheme.Owed(sums[k], k.year, now)
		b.Payments = append(b.Payments, Payment{Year: k.year, Payer: k.payer, Payee: k.payee, Amount: sums[k],
			Due: clock.DateOf(last.Year(), last.Month(), last.Day()), Owed: owed, Late: !now.Before(due)})
	}
	slices.SortStableFunc(b.Payments, func(x, y Payment) int {
		return cmp.Or(cmp.Compare(x.Year, y.Year), cmp.Compare(x.Payer, y.Payer), cmp.Compare(x.Payee, y.Payee))
	})

	items, err := s.Inspect.Rectifications(ctx, inspect.RectFilter{SourceKind: inspect.SourceWater, OpenOnly: true})
	if err != nil {
		return b, err
	}
	stations, err := s.Water.Stations(ctx)
	if err != nil {
		return b, err
	}
	byID := map[int64]waterstore.Station{}
	for _, st := range stations {
		byID[st.ID] = st
	}
	for _, it := range items {
		if it.Water == nil {
			continue
		}
		st := byID[it.Water.StationID]
		b.Rectifications = append(b.Rectifications, WaterItem{ID: it.ID, Unit: names[it.UnitID].In(lang), StationID: st.ID,
			Station: st.Code + " " + stationName(st, lang), Months: it.Water.Months, DueOn: it.DueOn,
			Status: i18n.T(lang, "rectification.status."+string(it.Status)), Overdue: it.Overdue(today)})
	}
	al, err := (&alliance.Service{DB: s.DB}).Get(ctx)
	if err != nil {
		return b, err
	}
	b.Document = b.document(al.Name.In(lang), rep.Scheme, lang)
	return b, nil
}

func stationName(st waterstore.Station, lang string) string {
	if lang == "en" && st.NameEn != "" {
		return st.NameEn
	}
	return st.NameZh
}

// Yuan writes an amount in yuan with thousands separators.
func Yuan(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var out strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out.WriteByte(',')
		}
		out.WriteRune(r)
	}
	return out.String()
}

// monthTitle writes a month as documents do: 2026年5月, May 2026.
func monthTitle(month, lang string) string {
	t, _ := time.Parse("2006-01", month)
	if lang == "en" {
		return t.Format("January 2006")
	}
	return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
}

// document writes the brief as an official document, its tables also the
// workbook's sheets.
func (b Brief) document(allianceName string, scheme waterstore.SchemeSettings, lang string) bulletin.Document {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	month := monthTitle(b.Month, lang)
	from, _ := time.Parse("2006-01", b.Month)
	doc := bulletin.Document{Head: bulletin.Head{Title: t("wateraccount.brief.title", allianceName, month), Issuer: t("wateraccount.brief.issuer", allianceName),
		IssuedOn: b.AsOf, PeriodFrom: clock.DayOf(from), PeriodTo: clock.DayOf(from).MonthEnd(), Lang: lang}}
	off := 0
	for _, r := range b.Boundary {
		if r.Assessed && !r.Compliant {
			off++
		}
	}
	var owedNow float64
	for _, p := range b.Payments {
		owedNow += p.Owed
	}
	share := "—"
	if b.Assessed > 0 {
		share = water.Num(b.Trend[len(b.Trend)-1].Share) + "%"
	}
	overview := bulletin.Section{Title: t("wateraccount.brief.overview"), Paragraphs: []string{
		t("wateraccount.brief.overview.stations", month, b.Assessed, b.Compliant, share, len(b.Off)),
		t("wateraccount.brief.overview.boundary", len(b.Boundary), off, Yuan(owedNow)),
		t("wateraccount.brief.overview.items", len(b.Rectifications)),
	}}

	offTable := &bulletin.Table{Sheet: t("wateraccount.brief.sheet.off"), Head: []string{t("wateraccount.col.city"), t("wateraccount.col.code"),
		t("wateraccount.col.section"), t("wateraccount.col.water"), t("wateraccount.col.class"), t("wateraccount.col.target"), t("wateraccount.col.exceeding")}}
	for _, o := range b.Off {
		offTable.Rows = append(offTable.Rows, []string{o.City, o.Code, o.Section, o.Water, o.Class, o.Target, o.Exceeding})
	}
	trend := &bulletin.Table{Sheet: t("wateraccount.brief.sheet.trend"), Head: []string{t("wateraccount.col.month"), t("wateraccount.col.assessed"),
		t("wateraccount.col.compliant"), t("wateraccount.col.share")}}
	for _, p := range b.Trend {
		sh := "—"
		if p.Assessed > 0 {
			sh = water.Num(p.Share) + "%"
		}
		trend.Rows = append(trend.Rows, []string{p.Month, strconv.Itoa(p.Assessed), strconv.Itoa(p.Compliant), sh})
	}
	pay := &bulletin.Table{Sheet: t("wateraccount.brief.sheet.payments"), Head: []string{t("wateraccount.col.year"), t("wateraccount.col.payer"),
		t("wateraccount.col.payee"), t("wateraccount.col.amount"), t("wateraccount.col.due"), t("wateraccount.col.owed")},
		Note: t("wateraccount.brief.scheme_note", scheme.Name, water.Num(scheme.LateRate*100), scheme.DueMonth)}
	for _, p := range b.Payments {
		owed := Yuan(p.Owed)
		if p.Late {
			owed = t("wateraccount.brief.late", owed)
		}
		pay.Rows = append(pay.Rows, []string{strconv.Itoa(p.Year), p.Payer, p.Payee, Yuan(p.Amount), p.Due.String(), owed})
	}
	items := &bulletin.Table{Sheet: t("wateraccount.brief.sheet.items"), Head: []string{t("wateraccount.col.item"), t("wateraccount.col.unit"),
		t("wateraccount.col.station"), t("wateraccount.col.months"), t("wateraccount.col.due_on"), t("wateraccount.col.status")}}
	for _, it := range b.Rectifications {
		status := it.Status
		if it.Overdue {
			status = t("wateraccount.brief.overdue", status)
		}
		items.Rows = append(items.Rows, []string{"#" + strconv.FormatInt(it.ID, 10), it.Unit, it.Station, strings.Join(it.Months, "、"), it.DueOn.String(), status})
	}
	section := func(title string, table *bulletin.Table) bulletin.Section {
		if len(table.Rows) == 0 {
			return bulletin.Section{Title: title, Paragraphs: []string{t("wateraccount.brief.none")}}
		}
		return bulletin.Section{Title: title, Table: table}
	}
	doc.Sections = []bulletin.Section{overview,
		section(t("wateraccount.brief.off"), offTable),
		{Title: t("wateraccount.brief.trend"), Table: trend},
		section(t("wateraccount.brief.payments"), pay),
		section(t("wateraccount.brief.items"), items),
	}
	if len(pay.Rows) == 0 { // the scheme is named even when nothing is owed
		doc.Sections[3].Paragraphs = append(doc.Sections[3].Paragraphs, pay.Note)
	}
	return doc
}
