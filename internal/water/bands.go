package water

// ClassLimit is the range of values that meets class c (1-based) at a site
// of body: lo and hi bound it (±Inf where the table sets none on that
// side); ok is false when the table has no limit for the class (any value
// meets it) or c is beyond the table. Charts draw class bands from it.
func (l *Limit) ClassLimit(c Class, body WaterBody) (lo, hi float64, ok bool) {
	spans := l.spans(body)
	if c < ClassI || int(c) > len(spans) || !spans[c-1].ok {
		return 0, 0, false
	}
	sp := spans[c-1]
	return sp.lo, sp.hi, true
}
