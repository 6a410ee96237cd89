package bench

import (
	"encoding/json"
	"math"
	"slices"
	"time"
)

// Stats summarise a set of timings.
type Stats struct {
	N      int
	Min    time.Duration
	Median time.Duration
	P90    time.Duration
	P95    time.Duration
	P99    time.Duration
	Max    time.Duration
	Mean   time.Duration
}

// Summarize computes Stats of ds (which it sorts).
func Summarize(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Stats{
		N: len(ds), Min: ds[0], Max: ds[len(ds)-1], Mean: sum / time.Duration(len(ds)),
		Median: median(ds), P90: rank(ds, 0.90), P95: rank(ds, 0.95), P99: rank(ds, 0.99),
	}
}

// median of sorted ds: the middle value, or the mean of the two middle ones.
func median(ds []time.Duration) time.Duration {
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}

// rank is the nearest-rank percentile p (0–1) of sorted ds.
func rank(ds []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// ms is a duration in milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// MarshalJSON writes the figures in milliseconds.
func (s Stats) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"n": s.N, "min_ms": ms(s.Min), "median_ms": ms(s.Median), "p90_ms": ms(s.P90),
		"p95_ms": ms(s.P95), "p99_ms": ms(s.P99), "max_ms": ms(s.Max), "mean_ms": ms(s.Mean),
	})
}

// ratio is a/b rounded to two decimals (0 when b is 0).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*100) / 100
}
