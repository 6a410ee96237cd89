package water

import (
	"bufio"
	"bytes"
	"cmp"
	_ "embed"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"

	"concord/internal/sheet"
)

// Station is what classification needs to know of a site: where it is and
// what kind of water it samples.
type Station struct {
	Province string
	Basin    string
	Section  string
	Body     WaterBody
}

// Stations finds stations by province and section name.
type Stations struct {
	byKey map[string]Station
	names []string
}

func stationKey(province, section string) string { return province + "\x00" + section }

// Lookup finds the station a sample names.
func (s *Stations) Lookup(province, section string) (Station, bool) {
	st, ok := s.byKey[stationKey(province, section)]
	return st, ok
}

// Closest suggests the listed section name nearest to name, for messages
// about an unknown station.
func (s *Stations) Closest(name string) (string, bool) { return sheet.Suggest(name, s.names) }

// Len is the number of stations.
func (s *Stations) Len() int { return len(s.byKey) }

// national.csv lists the lake and reservoir sites of the national
// automatic network found in the release data (the records carry no such
// flag); every other national site is a river section.
//
//go:embed stations/national.csv
var nationalCSV []byte

// National is the shipped stations file of the national network.
func National() *Stations {
	s, err := ReadStations(bytes.NewReader(nationalCSV), "stations/national.csv")
	if err != nil {
		panic(err)
	}
	return s
}

// ReadStations reads a stations file with the header
// province,basin,section,water_body (water_body: river, lake, reservoir,
// river_reservoir or sea). Every problem is returned, located.
func ReadStations(r io.Reader, file string) (*Stations, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, Problem{File: file, Row: 1, Key: "water.error.stations_header"}
	}
	want := []string{"province", "basin", "section", "water_body"}
	if len(head) != 4 || strings.TrimPrefix(strings.Join(head, ","), "\ufeff") != strings.Join(want, ",") {
		return nil, Problem{File: file, Row: 1, Key: "water.error.stations_header"}
	}
	s := &Stations{byKey: map[string]Station{}}
	var problems Problems
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, Problem{File: file, Row: pe.Line, Key: "water.error.csv", Args: []any{pe.Err.Error()}}
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 4 {
			problems = append(problems, Problem{File: file, Row: line, Key: "water.error.stations_fields", Args: []any{len(rec)}})
			continue
		}
		body, ok := ParseWaterBody(rec[3])
		if !ok {
			problems = append(problems, Problem{File: file, Row: line, Column: "water_body", Key: "water.error.water_body", Args: []any{rec[3]}})
			continue
		}
		st := Station{Province: strings.TrimSpace(rec[0]), Basin: strings.TrimSpace(rec[1]), Section: strings.TrimSpace(rec[2]), Body: body}
		if st.Section == "" {
			problems = append(problems, Problem{File: file, Row: line, Column: "section", Key: "water.error.no_section"})
			continue
		}
		k := stationKey(st.Province, st.Section)
		if _, dup := s.byKey[k]; dup {
			problems = append(problems, Problem{File: file, Row: line, Key: "water.error.stations_duplicate", Args: []any{st.Province, st.Section}})
			continue
		}
		s.byKey[k] = st
		s.names = append(s.names, st.Section)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return s, nil
}

// Problems is several problems at once, as one error.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Classifier classes samples by the real-time rule against a stations
// list, counting the samples whose station is not listed (classed as river
// sites).
type Classifier struct {
	stations  *Stations
	unmatched map[[2]string]int
	// The previous sample's station: files list a station's samples
	// together, so most lookups are this one.
	last     [2]string
	lastBody WaterBody
	listed   bool
	started  bool
}

// NewClassifier classes against stations.
func NewClassifier(stations *Stations) *Classifier {
	return &Classifier{stations: stations, unmatched: map[[2]string]int{}}
}

// Classify classes one sample.
func (c *Classifier) Classify(s Sample) Result {
	if key := [2]string{s.Province, s.Section}; !c.started || key != c.last {
		st, ok := c.stations.Lookup(s.Province, s.Section)
		c.last, c.lastBody, c.listed, c.started = key, st.Body, ok, true
		if !ok {
			c.lastBody = River
		}
	}
	if !c.listed {
		c.unmatched[c.last]++
	}
	return RealTime(s, c.lastBody)
}

// Unmatched is a station samples named that the list lacks.
type Unmatched struct {
	Province string
	Section  string
	Samples  int
	Closest  string // the nearest listed name, if one stands out
}

// Unmatched lists the stations not found, by province and section.
func (c *Classifier) Unmatched() []Unmatched {
	var out []Unmatched
	for k, n := range c.unmatched {
		u := Unmatched{Province: k[0], Section: k[1], Samples: n}
		u.Closest, _ = c.stations.Closest(k[1])
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b Unmatched) int {
		return cmp.Or(cmp.Compare(a.Province, b.Province), cmp.Compare(a.Section, b.Section))
	})
	return out
}
