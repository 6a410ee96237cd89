package demo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"concord/internal/water"
	"concord/internal/waterstore"
)

// The real records: the Liaoning rows of the national automatic
// monitoring release in ../shared/testdata/cnemc-szzdjc-2020 (CNEMC's
// published data, used as a test fixture; see its SOURCE.md), loaded
// through the same ingest as any file. The release covers every province:
// only Liaoning's rows and stations are kept.

// realRecords is the folder of the records inside ../shared.
const realRecords = "testdata/cnemc-szzdjc-2020"

// SharedDir finds the shared design and data folder: ../shared beside the
// working directory or one of its parents (so a test in a package folder
// finds the one beside the repository), or beside the binary's folder or
// one of its parents. It returns "" when there is none with the real
// records.
func SharedDir() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			shared := filepath.Join(filepath.Dir(dir), "shared")
			if st, err := os.Stat(filepath.Join(shared, realRecords)); err == nil && st.IsDir() {
				return shared
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return ""
}

// releaseNames are the release's names for belt stations it names
// otherwise in its per-section export: the daily files call Panjin's 兴安
// section 盘锦兴安(兴安).
var releaseNames = map[string]string{"盘锦兴安(兴安)": "兴安"}

// realFile is a file of real records, ready to ingest.
type realFile struct {
	name   string // relative to ../shared
	format water.Format
	data   []byte
	year   int
}

// seedRealWater registers the Liaoning stations of the real records that
// the belt's stations file lacks (lake and reservoir sites as the shipped
// national list says) and ingests the records. Without ../shared it logs
// a line and loads nothing. It returns the values stored.
func seedRealWater(ctx context.Context, ws *waterstore.Service) (int, error) {
	shared := SharedDir()
	if shared == "" {
		slog.Info("demo: ../shared/" + realRecords + " not found: no real monitoring records in the demo")
		return 0, nil
	}
	files, err := realFiles(filepath.Join(shared, realRecords))
	if err != nil {
		return 0, err
	}
	known, err := ws.Stations(ctx)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, st := range known {
		have[st.Province+"/"+st.NameZh] = true
	}
	// The stations the files name that are not registered yet.
	missing := map[string]water.Station{}
	for _, f := range files {
		_, err := water.Read(bytes.NewReader(f.data), f.format, f.options(), func(s water.Sample) error {
			if k := s.Province + "/" + s.Section; !have[k] {
				missing[k] = water.Station{Province: s.Province, Basin: s.Basin, Section: s.Section}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err := registerReal(ctx, ws, missing); err != nil {
		return 0, err
	}
	values := 0
	for _, f := range files {
		rep, err := ws.Ingest(ctx, bytes.NewReader(f.data), waterstore.IngestOptions{Format: f.format, Options: f.options()})
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.name, err)
		}
		if !rep.OK() {
			return 0, fmt.Errorf("%s: %v", f.name, rep.Problems)
		}
		values += rep.Inserted
	}
	return values, nil
}

func (f realFile) options() water.Options {
	return water.Options{File: f.name, Year: f.year, Zone: chinaTime}
}

// registerReal adds the stations, numbered in name order: no unit (most
// are in cities outside the belt), the water body from the national list.
func registerReal(ctx context.Context, ws *waterstore.Service, stations map[string]water.Station) error {
	if len(stations) == 0 {
		return nil
	}
	list := slices.SortedFunc(func(yield func(water.Station) bool) {
		for _, s := range stations {
			if !yield(s) {
				return
			}
		}
	}, func(a, b water.Station) int { return cmp.Compare(a.Section, b.Section) })
	national := water.National()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"code", "name_zh", "province", "basin", "water_body", "status"})
	for i, s := range list {
		body := water.River
		if st, ok := national.Lookup(s.Province, s.Section); ok {
			body = st.Body
		}
		w.Write([]string{fmt.Sprintf("LN-CNEMC-%02d", i+1), s.Section, s.Province, s.Basin, string(body), string(waterstore.Active)})
	}
	w.Flush()
	res, err := ws.ImportStations(ctx, &b, "csv")
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		return fmt.Errorf("stations: %v", res.Problems)
	}
	return nil
}

// realFiles reads the monthly release files, keeping their Liaoning rows,
// and the per-section exports of Liaoning's sections.
func realFiles(dir string) ([]realFile, error) {
	var out []realFile
	jsons, err := filepath.Glob(filepath.Join(dir, "water_quality_by_time", "*", "*.json"))
	if err != nil {
		return nil, err
	}
	for _, path := range jsons {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		data, err := liaoningRows(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		year, err := strconv.Atoi(filepath.Base(path)[:4]) // YYYY-MM-DD.json
		if err != nil {
			return nil, fmt.Errorf("%s: no year in the name", path)
		}
		out = append(out, realFile{name: relName(dir, path) + "（辽宁省）", format: water.Release, data: data, year: year})
	}
	root := filepath.Join(dir, "water_quality_by_name", beltProvince)
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".csv") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// The export writes times without a year: its folder says 2021.
		out = append(out, realFile{name: relName(dir, path), format: water.CSV, data: data, year: 2021})
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return out, nil
}

func relName(dir, path string) string {
	rel, err := filepath.Rel(filepath.Dir(dir), path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}

// liaoningRows is a release file with only its Liaoning rows, the
// sections renamed as releaseNames says.
func liaoningRows(raw []byte) ([]byte, error) {
	var doc struct {
		Thead []string          `json:"thead"`
		Tbody []json.RawMessage `json:"tbody"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	province, section := slices.Index(doc.Thead, "省份"), slices.Index(doc.Thead, "断面名称")
	if province < 0 || section < 0 {
		return nil, fmt.Errorf("no 省份 or 断面名称 column")
	}
	rows := [][]*string{}
	for _, r := range doc.Tbody {
		var row []*string
		if err := json.Unmarshal(r, &row); err != nil {
			return nil, err
		}
		if len(row) <= max(province, section) || row[province] == nil || *row[province] != beltProvince {
			continue
		}
		if s := row[section]; s != nil {
			for from, to := range releaseNames {
				if *s == from || strings.Contains(*s, ">"+from+"<") {
					row[section] = &to
				}
			}
		}
		rows = append(rows, row)
	}
	return json.Marshal(struct {
		Thead []string    `json:"thead"`
		Tbody [][]*string `json:"tbody"`
	}{doc.Thead, rows})
}
