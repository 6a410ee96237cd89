package alliance

import (
	"context"

	"concord/internal/access"
	"concord/internal/errs"
)

// The Bootstrap calls set up a deployment before anyone can sign in (a
// system administrator needs a unit to belong to): the CLI and the demo use
// them. They check the same rules as the ordinary calls and are recorded on
// the audit trail as done by "system".

func system(ctx context.Context) context.Context {
	return access.WithActor(ctx, &access.Actor{Login: "system"})
}

// BootstrapUnit adds a unit without an acting system administrator.
func (s *Service) BootstrapUnit(ctx context.Context, in UnitInput) (Unit, error) {
	return s.insertUnit(system(ctx), in)
}

// BootstrapArea adds a coordination area without an acting system
// administrator.
func (s *Service) BootstrapArea(ctx context.Context, in AreaInput) (Area, error) {
	return s.insertArea(system(ctx), in)
}

// BootstrapInit names the alliance, as Init does, recorded as done by "system".
func (s *Service) BootstrapInit(ctx context.Context, name Names) error {
	return s.Init(system(ctx), name)
}

// UnitByCode returns the unit with code, retired or not.
func (s *Service) UnitByCode(ctx context.Context, code string) (Unit, error) {
	u, err := scanUnit(s.DB.R.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units WHERE code = $1`, code))
	return u, errs.NotFoundIf(err, "unit")
}
