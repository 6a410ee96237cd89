package meetings

import (
	"context"
	"slices"

	"concord/internal/access"
)

// Overview is how the decisions of every meeting stand, for the dashboard:
// how many in each status, and the overdue ones, the earliest due first.
type Overview struct {
	Total   int                    `json:"total"`
	Totals  map[DecisionStatus]int `json:"totals"`
	Overdue []Decision             `json:"overdue"`
}

// Overview counts every decision by status and lists up to limit overdue
// ones. It reads the decisions and their tasks' lights in two queries.
func (s *Service) Overview(ctx context.Context, limit int) (Overview, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return Overview{}, err
	}
	list, _, err := decisions(ctx, s.DB.R, DecisionFilter{})
	if err != nil {
		return Overview{}, err
	}
	o := Overview{Total: len(list), Totals: map[DecisionStatus]int{}, Overdue: []Decision{}}
	for _, d := range list {
		o.Totals[d.Status]++
		if d.Status == Overdue {
			o.Overdue = append(o.Overdue, d)
		}
	}
	// decisions come in meeting order; the dashboard wants the most late first.
	slices.SortStableFunc(o.Overdue, func(a, b Decision) int {
		switch {
		case a.DueOn.Before(b.DueOn):
			return -1
		case b.DueOn.Before(a.DueOn):
			return 1
		}
		return 0
	})
	if len(o.Overdue) > limit {
		o.Overdue = o.Overdue[:limit]
	}
	return o, nil
}
