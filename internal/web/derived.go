package web

import (
	"sync"

	"concord/internal/alliance"
)

// derived keeps what handlers make from figures everyone shares (an encoded
// dashboard, its rendered charts, the supervision block) for as long as
// those figures are the same ones, so a crowd opening the dashboard encodes
// and renders it once.
type derived struct {
	mu sync.Mutex
	m  map[derivedKey]derivedValue
}

// derivedKey is what was made: its kind, the plan and the language.
type derivedKey struct {
	kind string
	plan int64
	lang string
}

// derivedFrom identifies the figures it was made from (one dashboard
// computation, or a supervisionStamp) and the directory of names.
type derivedFrom struct {
	figures any
	dir     *alliance.Directory
}

type derivedValue struct {
	from derivedFrom
	v    any
}

// maxDerived bounds the entries; plan ids come from requests.
const maxDerived = 256

func (c *derived) get(k derivedKey, from derivedFrom) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || e.from != from {
		return nil, false
	}
	return e.v, true
}

func (c *derived) put(k derivedKey, from derivedFrom, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxDerived {
		c.m = map[derivedKey]derivedValue{}
	}
	c.m[k] = derivedValue{from, v}
}
