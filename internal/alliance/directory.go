package alliance

import (
	"context"
	"sync/atomic"

	"concord/internal/errs"
)

// Directory is the alliance, every unit and area at one moment, for naming
// and choosing them. It is shared by everyone who asks: treat it as
// read-only.
type Directory struct {
	// Alliance is the alliance, when it has been named (Init).
	Alliance    *Alliance
	Units       []Unit // as Units lists them, retired ones included
	Areas       []Area
	ActiveUnits []Unit
	ActiveAreas []Area
	unit        map[int64]Unit
	area        map[int64]Area
	byCode      map[string]Unit
	stamp       int64
}

// Unit is unit id, if there is one.
func (d *Directory) Unit(id int64) (Unit, bool) { u, ok := d.unit[id]; return u, ok }

// Area is area id, if there is one.
func (d *Directory) Area(id int64) (Area, bool) { a, ok := d.area[id]; return a, ok }

// UnitByCode is the unit with code, if there is one.
func (d *Directory) UnitByCode(code string) (Unit, bool) { u, ok := d.byCode[code]; return u, ok }

// directoryCache is the last directory read; a zero value is empty.
type directoryCache struct{ last atomic.Pointer[Directory] }

// Directory returns the alliance, the units and areas. Pages name them on
// every request, so the last copy read is kept and read again only when
// the database's change count for them (kept by triggers, whoever writes)
// has moved: one small query instead of three.
func (s *Service) Directory(ctx context.Context) (*Directory, error) {
	var stamp int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT n FROM change_stamps WHERE name = 'directory'`).Scan(&stamp); err != nil {
		return nil, err
	}
	if d := s.dir.last.Load(); d != nil && d.stamp == stamp {
		return d, nil
	}
	var al *Alliance
	switch a, err := s.Get(ctx); {
	case err == nil:
		al = &a
	case !errs.Is(err, errs.NotFound):
		return nil, err
	}
	units, err := s.Units(ctx, true)
	if err != nil {
		return nil, err
	}
	areas, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	// A change between reading the stamp and the lists makes the copy newer
	// than its stamp: the next call reads again, never the other way round.
	d := &Directory{Alliance: al, Units: units, Areas: areas, unit: map[int64]Unit{}, area: map[int64]Area{}, byCode: map[string]Unit{}, stamp: stamp}
	for _, u := range units {
		d.unit[u.ID], d.byCode[u.Code] = u, u
		if u.Active {
			d.ActiveUnits = append(d.ActiveUnits, u)
		}
	}
	for _, a := range areas {
		d.area[a.ID] = a
		if a.Active {
			d.ActiveAreas = append(d.ActiveAreas, a)
		}
	}
	s.dir.last.Store(d)
	return d, nil
}
