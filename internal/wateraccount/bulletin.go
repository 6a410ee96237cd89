package wateraccount

import (
	"context"
	"strconv"

	"concord/internal/bulletin"
	"concord/internal/i18n"
	"concord/internal/inspect"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// BulletinSections gives the supervision bulletin its water section: for
// each whole or partial month of the bulletin's period, the stations
// assessed against a target and those off it, and the water items still
// open. A period without any assessed station and no open water item has
// no section.
func (s *Service) BulletinSections(ctx context.Context, scope bulletin.Scope) ([]bulletin.Section, error) {
	from := scope.From.Time()
	to := scope.To.Time()
	p := waterstore.Period{From: from.Year()*100 + int(from.Month()), To: to.Year()*100 + int(to.Month())}
	months, err := s.Water.MonthAssessments(ctx, p)
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return i18n.T(scope.Lang, key, args...) }
	table := &bulletin.Table{Sheet: t("wateraccount.bulletin.sheet"), Head: []string{t("wateraccount.col.month"), t("wateraccount.col.assessed"),
		t("wateraccount.col.compliant"), t("wateraccount.bulletin.off")}}
	found := false
	for _, m := range p.Months() {
		assessed, met := 0, 0
		for _, a := range months[m] {
			if a.Target == water.NoClass || a.Class == water.NoClass {
				continue
			}
			assessed++
			if a.Compliant {
				met++
			}
		}
		found = found || assessed > 0
		table.Rows = append(table.Rows, []string{waterstore.MonthString(m), strconv.Itoa(assessed), strconv.Itoa(met), strconv.Itoa(assessed - met)})
	}
	items, err := s.Inspect.Rectifications(ctx, inspect.RectFilter{SourceKind: inspect.SourceWater, OpenOnly: true})
	if err != nil {
		return nil, err
	}
	if !found && len(items) == 0 {
		return nil, nil
	}
	return []bulletin.Section{{Title: t("wateraccount.bulletin.title"), Paragraphs: []string{t("wateraccount.bulletin.items", len(items))}, Table: table}}, nil
}
