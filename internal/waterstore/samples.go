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

// Stored samples are one row of water_days per station and Unix day
// (migration 00013): the day's samples in time order, each
// [at, batch, values] with its values packed as a JSON object by item
// code. A normal value of the sample's batch is a plain number; any other
// is [value, flag, batch].

// secondsPerDay divides Unix times into the days of water_days.
const secondsPerDay = 86400

// dayOf is the Unix day of a Unix time, rounded down.
func dayOf(at int64) int64 {
	d := at / secondsPerDay
	if at%secondsPerDay < 0 {
		d--
	}
	return d
}

// daySample is a stored sample: its time, the batch that brought it, and
// its values in item order.
type daySample struct {
	at, batch int64
	vals      []value
}

// appendSample packs a sample as an element of a day's data.
func appendSample(b []byte, s daySample) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, s.at, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, s.batch, 10)
	b = append(b, ',')
	b = appendData(b, s.batch, s.vals)
	return append(b, ']')
}

// parseDay unpacks a day's data, its samples in the order stored (time).
func parseDay(data []byte) ([]daySample, error) {
	var raw [][3]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("water_days data %q: %w", data, err)
	}
	out := make([]daySample, len(raw))
	for i, r := range raw {
		s := &out[i]
		if json.Unmarshal(r[0], &s.at) != nil || json.Unmarshal(r[1], &s.batch) != nil {
			return nil, fmt.Errorf("water_days data %q: sample %d", data, i)
		}
		var err error
		if s.vals, err = parseData(r[2], s.batch); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// value is one stored value of a sample.
type value struct {
	item  water.Item
	value float64
	flag  Flag
	batch int64
}

// appendData packs vals, of a sample of batch, as a JSON object. Item
// codes are plain identifiers; values are finite (the readers refuse
// others) and written so that they read back exactly.
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
			b = appendNum(b, v.value)
			continue
		}
		b = append(b, '[')
		b = appendNum(b, v.value)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(v.flag), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, v.batch, 10)
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendNum writes v as a JSON number that reads back as exactly v. A
// reading is nearly always a short decimal: the fewest decimals k ≤ 6
// whose rounding m of v·10^k gives back v (m/10^k is one correctly
// rounded division of exact numbers, what reading the decimal gives) are
// written from m's digits, several times faster than strconv's shortest
// form, which writes the rest.
func appendNum(b []byte, v float64) []byte {
	if a := math.Abs(v); a >= 1e-4 && a < 1e6 {
		for k, p := range [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6} {
			if m := math.Round(v * p); m/p == v {
				return appendFixed(b, int64(m), k)
			}
		}
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendFixed writes m·10^-k as a decimal: [-]int[.frac].
func appendFixed(b []byte, m int64, k int) []byte {
	if m < 0 {
		b, m = append(b, '-'), -m
	}
	var d [24]byte
	i := len(d)
	for n := 0; m > 0 || n <= k; n++ {
		if n == k && k > 0 {
			i--
			d[i] = '.'
		}
		i--
		d[i] = byte('0' + m%10)
		m /= 10
	}
	return append(b, d[i:]...)
}

// parseData unpacks a sample of batch's values, in item order.
func parseData(data []byte, batch int64) ([]value, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("water_days sample %q: %w", data, err)
	}
	out := make([]value, 0, len(raw))
	for item, r := range raw {
		v := value{item: water.Item(item), batch: batch}
		if len(r) > 0 && r[0] == '[' {
			var a []float64
			if err := json.Unmarshal(r, &a); err != nil || len(a) != 3 || a[1] < 0 || a[1] > float64(Suspect) {
				return nil, fmt.Errorf("water_days sample %q: item %s", data, item)
			}
			v.value, v.flag, v.batch = a[0], Flag(a[1]), int64(a[2])
		} else if err := json.Unmarshal(r, &v.value); err != nil {
			return nil, fmt.Errorf("water_days sample %q: item %s", data, item)
		}
		if math.IsNaN(v.value) || math.IsInf(v.value, 0) {
			return nil, fmt.Errorf("water_days sample %q: item %s", data, item)
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

// A month's sums are one row of water_month_sums per station × month
// (migration 00011): {"ph": [total, n], …} by item code.

// appendSums packs a month's item sums as the JSON the data column holds.
func appendSums(b []byte, sums []itemSum) []byte {
	b = append(b, '{')
	for i, s := range sums {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, s.item...)
		b = append(b, '"', ':', '[')
		b = strconv.AppendFloat(b, s.sum.Total, 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(s.sum.N), 10)
		b = append(b, ']')
	}
	return append(b, '}')
}

// parseSums unpacks a month's sums, calling add for each item. The items
// map shares item names between rows. It reads the JSON appendSums
// writes, and the spaced form PostgreSQL's json_object_agg wrote in the
// migration; anything else goes through encoding/json.
func parseSums(data []byte, items map[string]water.Item, add func(water.Item, water.Sum)) error {
	if fastSums(data, items, add) {
		return nil
	}
	var raw map[string][2]float64
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("water_month_sums data %q: %w", data, err)
	}
	for item, s := range raw {
		add(water.Item(item), water.Sum{Total: s[0], N: int(s[1])})
	}
	return nil
}

// fastSums is parseSums for {"item": [total, n], …} without escapes; it
// reports false, having called add for nothing, for anything else.
func fastSums(data []byte, items map[string]water.Item, add func(water.Item, water.Sum)) bool {
	type entry struct {
		item water.Item
		sum  water.Sum
	}
	var buf [24]entry
	list := buf[:0]
	i := 0
	ws := func() {
		for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
			i++
		}
	}
	expect := func(c byte) bool {
		ws()
		if i < len(data) && data[i] == c {
			i++
			return true
		}
		return false
	}
	number := func(end byte) (float64, bool) {
		ws()
		j := i
		for j < len(data) && data[j] != end && data[j] != ' ' {
			j++
		}
		v, err := strconv.ParseFloat(string(data[i:j]), 64)
		i = j
		return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	if !expect('{') {
		return false
	}
	if expect('}') {
		return i == len(data)
	}
	for {
		if !expect('"') {
			return false
		}
		j := i
		for j < len(data) && data[j] != '"' && data[j] != '\\' {
			j++
		}
		if j == len(data) || data[j] != '"' {
			return false
		}
		it, ok := items[string(data[i:j])]
		if !ok {
			it = water.Item(data[i:j])
			items[string(it)] = it
		}
		i = j + 1
		if !expect(':') || !expect('[') {
			return false
		}
		total, ok := number(',')
		if !ok || !expect(',') {
			return false
		}
		n, ok := number(']')
		if !ok || n != math.Trunc(n) || !expect(']') {
			return false
		}
		list = append(list, entry{it, water.Sum{Total: total, N: int(n)}})
		if expect('}') {
			break
		}
		if !expect(',') {
			return false
		}
	}
	ws()
	if i != len(data) {
		return false
	}
	for _, e := range list {
		add(e.item, e.sum)
	}
	return true
}
