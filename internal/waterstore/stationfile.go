package waterstore

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/sheet"
	"concord/internal/water"
)

// The stations file: one row per station, re-importable from an export.
// Units are named by code or by name in any language; target classes as
// published (Ⅲ, III, 3类, 劣Ⅴ).

func stationSpec() sheet.TableSpec {
	col := func(key string, typ sheet.Type, required bool, width float64) sheet.Column {
		return sheet.Column{Key: key, Label: "waterstore.col." + key, Aliases: []string{key}, Type: typ, Required: required, Width: width}
	}
	choice := func(key string, required bool, values ...string) sheet.Column {
		c := col(key, sheet.Choice, required, 14)
		for _, v := range values {
			c.Options = append(c.Options, sheet.Option{Value: v, Label: "waterstore." + key + "." + v})
		}
		return c
	}
	bodies := make([]string, len(water.WaterBodies))
	for i, b := range water.WaterBodies {
		bodies[i] = string(b)
	}
	return sheet.TableSpec{Sheet: "waterstore.sheet.stations", Columns: []sheet.Column{
		col("code", sheet.Text, true, 14),
		col("name_zh", sheet.Text, true, 16),
		col("name_en", sheet.Text, false, 16),
		col("province", sheet.Text, true, 8),
		col("basin", sheet.Text, false, 12),
		col("water", sheet.Text, false, 12),
		col("latitude", sheet.Decimal, false, 10),
		col("longitude", sheet.Decimal, false, 10),
		col("unit", sheet.Text, false, 12),
		choice("water_body", true, bodies...),
		col("target_class", sheet.Text, false, 8),
		choice("status", false, string(Active), string(Suspended), string(Retired)),
		choice("boundary", false, string(CrossCity), string(ProvinceEntry), string(SeaEntry), string(TributaryMouth)),
		col("upstream_unit", sheet.Text, false, 12),
		col("downstream_unit", sheet.Text, false, 12),
		choice("stem", false, string(MainStem), string(Tributary)),
	}}
}

// unitNames resolves the units a stations file names.
type unitNames struct {
	ids   map[string]int64
	codes map[int64]string
	shown []string // for suggestions
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func (n *unitNames) add(id int64, code string, names ...string) {
	n.codes[id] = code
	for _, s := range append(names, code) {
		if s != "" {
			n.ids[fold(s)] = id
			n.shown = append(n.shown, s)
		}
	}
}

func loadUnits(ctx context.Context, q db.Querier) (*unitNames, error) {
	n := &unitNames{ids: map[string]int64{}, codes: map[int64]string{}}
	rows, err := q.QueryContext(ctx, `SELECT id, code, name_zh_hans, name_zh_hant, name_en FROM units WHERE active ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code, hans, hant, en string
		if err := rows.Scan(&id, &code, &hans, &hant, &en); err != nil {
			return nil, err
		}
		n.add(id, code, hans, hant, en)
	}
	return n, rows.Err()
}

// fieldColumns are the file's columns for the fields validation names.
var fieldColumns = map[string]string{"unit_id": "unit", "upstream_unit_id": "upstream_unit", "downstream_unit_id": "downstream_unit"}

// readStationFile reads and checks a stations file: every problem is
// located by row and column, unknown units with the closest name.
func readStationFile(r io.Reader, format string, units *unitNames) ([]StationInput, sheet.Problems, error) {
	var t *sheet.Table
	var err error
	if format == "csv" {
		t, err = sheet.ReadCSV(r, sheet.Limits{}, stationSpec())
	} else {
		var b *sheet.Book
		if b, err = sheet.Open(r, sheet.Limits{}); err == nil {
			t, err = b.Table(stationSpec())
		}
	}
	if err != nil {
		return nil, nil, err
	}
	problems := t.Problems
	var out []StationInput
	codes, names := map[string]int{}, map[string]int{}
	for _, row := range t.Rows {
		in := StationInput{Code: row.Text("code"), NameZh: row.Text("name_zh"), NameEn: row.Text("name_en"), Province: row.Text("province"),
			Basin: row.Text("basin"), Water: row.Text("water"), Body: water.WaterBody(row.Text("water_body")),
			Status: Status(row.Text("status")), Boundary: Boundary(row.Text("boundary")), Stem: Stem(row.Text("stem"))}
		if v, ok := row.Float("latitude"); ok {
			in.Latitude = &v
		}
		if v, ok := row.Float("longitude"); ok {
			in.Longitude = &v
		}
		bad := false
		unit := func(key string) *int64 {
			name := row.Text(key)
			if name == "" {
				return nil
			}
			if id, ok := units.ids[fold(name)]; ok {
				return &id
			}
			if near, ok := sheet.Suggest(name, units.shown); ok {
				problems.Add(row.Problem(key, "error.water.unit_name_near", name, near))
			} else {
				problems.Add(row.Problem(key, "error.water.unit_name", name))
			}
			bad = true
			return nil
		}
		in.UnitID, in.UpstreamID, in.DownstreamID = unit("unit"), unit("upstream_unit"), unit("downstream_unit")
		if text := row.Text("target_class"); text != "" {
			c, ok := water.ParseClass(text)
			if !ok {
				problems.Add(row.Problem("target_class", "error.water.class", text))
				bad = true
			}
			in.Target = c
		}
		if prev, dup := codes[in.Code]; dup && in.Code != "" {
			problems.Add(row.Problem("code", "error.water.file_duplicate", in.Code, fmt.Sprint(prev)))
			bad = true
		}
		codes[in.Code] = row.Num
		if prev, dup := names[stationKey(in.Province, in.NameZh)]; dup && in.NameZh != "" {
			problems.Add(row.Problem("name_zh", "error.water.file_duplicate", in.NameZh, fmt.Sprint(prev)))
			bad = true
		}
		names[stationKey(in.Province, in.NameZh)] = row.Num
		if bad {
			continue
		}
		var v errs.Validation
		in.validate(&v)
		if e, ok := errs.As(v.Err()); ok {
			for _, f := range e.Fields {
				key := f.Field
				if c, ok := fieldColumns[key]; ok {
					key = c
				}
				args := make([]string, len(f.Args))
				for i, a := range f.Args {
					args[i] = fmt.Sprint(a)
				}
				problems.Add(row.Problem(key, f.Key, args...))
			}
			continue
		}
		out = append(out, in)
	}
	return out, problems, nil
}

// StationImport is what an import of a stations file did; with Problems,
// nothing.
type StationImport struct {
	Created   int            `json:"created"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Problems  sheet.Problems `json:"problems"`
}

// ImportStations creates and updates stations by code from a stations file
// (format "csv" or "xlsx"), all or nothing: with any problem nothing is
// written and every problem is listed.
func (s *Service) ImportStations(ctx context.Context, r io.Reader, format string) (StationImport, error) {
	if err := access.FromContext(ctx).Check(access.ManageWater, 0); err != nil {
		return StationImport{}, err
	}
	var res StationImport
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		units, err := loadUnits(ctx, tx)
		if err != nil {
			return err
		}
		list, problems, err := readStationFile(r, format, units)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			problems.Sort()
			res.Problems = problems
			return errRefused
		}
		now := s.now()
		var changes []audit.Change
		for _, in := range list {
			before, err := scanStation(tx.QueryRowContext(ctx, `SELECT `+stationColumns+` FROM water_stations WHERE code = $1`, in.Code))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				st, err := insertStation(ctx, tx, in, now)
				if err != nil {
					return err
				}
				res.Created++
				changes = append(changes, audit.Change{Action: "water.station.create", ObjectType: "water_station", ObjectID: st.ID, After: st, Detail: "import"})
			case err != nil:
				return err
			case before.StationInput.equal(in):
				res.Unchanged++
			default:
				st, err := updateStation(ctx, tx, before, in, now)
				if err != nil {
					return err
				}
				res.Updated++
				changes = append(changes, audit.Change{Action: "water.station.update", ObjectType: "water_station", ObjectID: st.ID, Before: before, After: st, Detail: "import"})
			}
		}
		return audit.RecordAll(ctx, tx, changes)
	})
	if errors.Is(err, errRefused) {
		return res, nil
	}
	if err != nil {
		return StationImport{}, err
	}
	return res, nil
}

func (in StationInput) equal(o StationInput) bool {
	eqf := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	eqi := func(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return in.Code == o.Code && in.NameZh == o.NameZh && in.NameEn == o.NameEn && in.Province == o.Province &&
		in.Basin == o.Basin && in.Water == o.Water && eqf(in.Latitude, o.Latitude) && eqf(in.Longitude, o.Longitude) &&
		eqi(in.UnitID, o.UnitID) && in.Body == o.Body && in.Target == o.Target && in.Status == o.Status &&
		in.Boundary == o.Boundary && eqi(in.UpstreamID, o.UpstreamID) && eqi(in.DownstreamID, o.DownstreamID) && in.Stem == o.Stem
}

// ExportStations writes every station as a stations file in lang (format
// "csv" or "xlsx"), which imports again unchanged.
func (s *Service) ExportStations(ctx context.Context, w io.Writer, format, lang string) error {
	list, err := s.Stations(ctx)
	if err != nil {
		return err
	}
	units, err := loadUnits(ctx, s.DB.R)
	if err != nil {
		return err
	}
	spec := stationSpec()
	rows := make([]map[string]any, len(list))
	for i, st := range list {
		row := map[string]any{"code": st.Code, "name_zh": st.NameZh, "name_en": st.NameEn, "province": st.Province,
			"basin": st.Basin, "water": st.Water, "water_body": string(st.Body), "status": string(st.Status)}
		// A choice left empty is no option: leave the cell blank.
		if st.Boundary != "" {
			row["boundary"], row["stem"] = string(st.Boundary), string(st.Stem)
		}
		if st.Latitude != nil {
			row["latitude"], row["longitude"] = *st.Latitude, *st.Longitude
		}
		std := water.GB3838
		if st.Body == water.Sea {
			std = water.GB3097
		}
		row["target_class"] = std.ClassName(st.Target)
		for key, id := range map[string]*int64{"unit": st.UnitID, "upstream_unit": st.UpstreamID, "downstream_unit": st.DownstreamID} {
			if id != nil {
				row[key] = units.codes[*id]
			}
		}
		rows[i] = row
	}
	if format == "csv" {
		return writeStationsCSV(w, spec, rows, lang)
	}
	t := sheet.NewTemplate(lang)
	tw, err := t.AddTable(spec, nil)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := tw.Append(row); err != nil {
			return err
		}
	}
	return t.Write(w)
}

// writeStationsCSV writes rows under headers in lang, with a BOM so that
// spreadsheet programs read the UTF-8.
func writeStationsCSV(w io.Writer, spec sheet.TableSpec, rows []map[string]any, lang string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(spec.Columns))
	for i, c := range spec.Columns {
		head[i] = i18n.T(lang, c.Label)
	}
	cw.Write(head)
	rec := make([]string, len(spec.Columns))
	for _, row := range rows {
		for i, c := range spec.Columns {
			switch v := row[c.Key].(type) {
			case nil:
				rec[i] = ""
			case float64:
				rec[i] = water.Num(v)
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
