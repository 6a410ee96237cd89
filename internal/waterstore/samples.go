package waterstore

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"concord/internal/water"
)

// A stored sample is one row of water_samples: a station's values at one
// time, packed as a JSON object by item code (migration 00011). A normal
// value of the row's batch is a plain number; any other is
// [value, flag, batch].

// value is one stored value of a sample.
type value struct {
	item  water.Item
	value float64
	flag  Flag
	batch int64
}

// appendData packs vals, whose row names batch, as the JSON the data
// column holds. Item codes are plain identifiers; values are finite (the
// readers refuse others) and written in their shortest exact form.
func appendData(b []byte, batch int64, vals []value) []byte {
	b = append(b, '{')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, v.item...)
		b = append(b, '"', ':')
		if v.flag == Normal && v.batch == batch {
			b = strconv.AppendFloat(b, v.value, 'g', -1, 64)
			continue
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, v.value, 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(v.flag), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, v.batch, 10)
		b = append(b, ']')
	}
	return append(b, '}')
}

// parseData unpacks a data column of a row of batch, the values in item
// order.
func parseData(data []byte, batch int64) ([]value, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("water_samples data %q: %w", data, err)
	}
	out := make([]value, 0, len(raw))
	for item, r := range raw {
		v := value{item: water.Item(item), batch: batch}
		if len(r) > 0 && r[0] == '[' {
			var a []float64
			if err := json.Unmarshal(r, &a); err != nil || len(a) != 3 || a[1] < 0 || a[1] > float64(Suspect) {
				return nil, fmt.Errorf("water_samples data %q: item %s", data, item)
			}
			v.value, v.flag, v.batch = a[0], Flag(a[1]), int64(a[2])
		} else if err := json.Unmarshal(r, &v.value); err != nil {
			return nil, fmt.Errorf("water_samples data %q: item %s", data, item)
		}
		if math.IsNaN(v.value) || math.IsInf(v.value, 0) {
			return nil, fmt.Errorf("water_samples data %q: item %s", data, item)
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b value) int { return cmp.Compare(a.item, b.item) })
	return out, nil
}

// suspectOf is the suspect column of a sample's values.
func suspectOf(vals []value) int {
	for _, v := range vals {
		if v.flag == Suspect {
			return 1
		}
	}
	return 0
}
