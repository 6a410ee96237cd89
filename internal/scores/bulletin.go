package scores

import (
	"context"
	"strconv"

	"concord/internal/bulletin"
	"concord/internal/i18n"
)

// BulletinSections gives a bulletin the ranking of the latest scorecard
// published for a period that ends within the bulletin's (none: no
// section), so the bulletin reports only what units could already see and
// appeal.
func (s *Service) BulletinSections(ctx context.Context, scope bulletin.Scope) ([]bulletin.Section, error) {
	cards, err := s.Scorecards(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cards { // latest period first
		if c.Status != Published || c.EndsOn.After(scope.To) || c.EndsOn.Before(scope.From) {
			continue
		}
		standings, err := s.Ranking(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		t := func(key string, args ...any) string { return i18n.T(scope.Lang, key, args...) }
		table := &bulletin.Table{Sheet: t("scores.bulletin.sheet"), Head: []string{t("scores.bulletin.rank"), t("scores.bulletin.unit"), t("scores.bulletin.score")}}
		for _, st := range standings {
			table.Rows = append(table.Rows, []string{strconv.Itoa(st.Rank), st.Name.In(scope.Lang), strconv.FormatFloat(st.Total, 'f', 1, 64)})
		}
		return []bulletin.Section{{Title: t("scores.bulletin.title"),
			Paragraphs: []string{t("scores.bulletin.intro", c.Title, c.StartsOn.String(), c.EndsOn.String(), c.Revision)}, Table: table}}, nil
	}
	return nil, nil
}
