package waterstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/water"
)

// tokenPrefix marks station push tokens.
const tokenPrefix = "cwp_"

// Token is an automatic station's push token. Secret is known only when
// the token is created; the store keeps its SHA-256.
type Token struct {
	ID        int64      `json:"id"`
	StationID int64      `json:"station_id"`
	Label     string     `json:"label"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Secret    string     `json:"secret,omitempty"`
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

const tokenColumns = `id, station_id, label, created_by, created_at, revoked_at`

func scanToken(row db.Scanner) (Token, error) {
	var t Token
	err := row.Scan(&t.ID, &t.StationID, &t.Label, &t.CreatedBy, &t.CreatedAt, &t.RevokedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	if t.RevokedAt != nil {
		u := t.RevokedAt.UTC()
		t.RevokedAt = &u
	}
	return t, err
}

// CreateToken issues a push token for a station.
func (s *Service) CreateToken(ctx context.Context, stationID int64, label string) (Token, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return Token{}, err
	}
	var v errs.Validation
	v.Text("label", label, true, 100)
	if err := v.Err(); err != nil {
		return Token{}, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Token{}, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var t Token
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := getStation(ctx, tx, stationID); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO water_push_tokens (station_id, token_hash, label, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, stationID, hashToken(secret), label, loginOf(ctx), s.now()).Scan(&id)
		if err != nil {
			return err
		}
		if t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM water_push_tokens WHERE id = $1`, id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "water.token.create", ObjectType: "water_push_token", ObjectID: id, After: t})
	})
	if err != nil {
		return Token{}, err
	}
	t.Secret = secret
	return t, nil
}

// RevokeToken stops a push token working; revoking twice changes nothing.
func (s *Service) RevokeToken(ctx context.Context, id int64) (Token, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return Token{}, err
	}
	var t Token
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM water_push_tokens WHERE id = $1`, id))
		if err != nil {
			return errs.NotFoundIf(err, "water_push_token")
		}
		if t = before; before.RevokedAt != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE water_push_tokens SET revoked_at = $1 WHERE id = $2`, s.now(), id); err != nil {
			return err
		}
		if t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM water_push_tokens WHERE id = $1`, id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "water.token.revoke", ObjectType: "water_push_token", ObjectID: id, Before: before, After: t})
	})
	return t, err
}

// Tokens lists a station's push tokens, the newest first.
func (s *Service) Tokens(ctx context.Context, stationID int64) ([]Token, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return nil, err
	}
	return db.All(ctx, s.DB.R, scanToken, `SELECT `+tokenColumns+` FROM water_push_tokens WHERE station_id = $1 ORDER BY id DESC`, stationID)
}

// PushSample is one sample an automatic station sends.
type PushSample struct {
	Time time.Time `json:"time"`
	// Status is normal (or empty), maintenance or stopped.
	Status string `json:"status"`
	// Values are by item code or name (ph, do, codmn, 总磷, …).
	Values map[string]float64 `json:"values"`
	// Units name a value's unit when it is not the item's own (water.UnitOf),
	// such as μg/L for total phosphorus; it is converted or refused.
	Units map[string]string `json:"units"`
}

// MaxPush is the most samples one push may carry.
const MaxPush = 10000

// Push stores the samples an automatic station sends with its token, all
// or nothing: a sample with a problem refuses the push with the field
// named (samples[2].values.tp). Pushing the same samples again changes
// nothing; differing values are conflicts, the stored ones kept.
func (s *Service) Push(ctx context.Context, token string, samples []PushSample) (Report, error) {
	var ref stationRef
	err := s.DB.R.QueryRowContext(ctx, `SELECT s.id, s.code FROM water_push_tokens t JOIN water_stations s ON s.id = t.station_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, hashToken(token)).Scan(&ref.id, &ref.code)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, errs.New(errs.Unauthorized, "error.water.token")
	}
	if err != nil {
		return Report{}, err
	}
	if len(samples) > MaxPush {
		return Report{}, errs.New(errs.TooLarge, "error.water.push_size", MaxPush)
	}
	read, err := readPush(samples)
	if err != nil {
		return Report{}, err
	}
	login := "station:" + ref.code
	var rep Report
	err = s.DB.ConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		in, err := s.begin(ctx, conn, tx, "push", ref.code, false)
		if err != nil {
			return err
		}
		defer in.close()
		for _, smp := range read {
			if err := in.addAt(ref, smp); err != nil {
				return err
			}
		}
		if err := in.flush(); err != nil {
			return err
		}
		if err := in.finish(); err != nil {
			return err
		}
		rep = in.rep
		return audit.Record(ctx, tx, audit.Change{Action: "water.push", ObjectType: "water_batch", ObjectID: rep.BatchID,
			After: recordOf(ref.code, rep), Login: login})
	})
	return rep, err
}

// readPush checks and converts pushed samples to the readers' samples.
func readPush(samples []PushSample) ([]water.Sample, error) {
	var v errs.Validation
	out := make([]water.Sample, 0, len(samples))
	for i, p := range samples {
		field := fmt.Sprintf("samples[%d].", i)
		smp := water.Sample{Time: p.Time, Row: i + 1}
		if p.Time.IsZero() {
			v.Add(field+"time", "error.required")
		}
		st, ok := water.ParseStatus(p.Status)
		if !ok {
			v.Add(field+"status", "error.water.sample_status", p.Status)
		}
		smp.Status = st
		seen := map[water.Item]bool{}
		for _, name := range slices.Sorted(maps.Keys(p.Values)) {
			it, ok := water.ItemByName(name)
			switch {
			case !ok:
				v.Add(field+"values."+name, "error.water.item", name)
				continue
			case seen[it]:
				v.Add(field+"values."+name, "error.water.item_twice", name)
				continue
			}
			seen[it] = true
			conv, ok := water.Convert(it, p.Units[name], p.Values[name])
			if !ok {
				v.Add(field+"units."+name, "error.water.unit", p.Units[name], water.UnitOf(it))
				continue
			}
			smp.Values = append(smp.Values, water.Reading{Item: it, Value: conv})
		}
		for _, name := range slices.Sorted(maps.Keys(p.Units)) {
			if _, ok := p.Values[name]; !ok {
				v.Add(field+"units."+name, "error.water.unit_without_value", name)
			}
		}
		out = append(out, smp)
	}
	return out, v.Err()
}
