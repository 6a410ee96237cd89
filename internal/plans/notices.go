package plans

import (
	"context"
	"database/sql"
)

func (s *Service) afterReport(ctx context.Context, tx *sql.Tx, r Report, step reportStep) error {
	return nil
}
func (s *Service) afterTask(ctx context.Context, tx *sql.Tx, t Task, step taskStep) error { return nil }
func (s *Service) tellChase(ctx context.Context, tx *sql.Tx, t Task, a Assignment, r *Report, c Chase) error {
	return nil
}
