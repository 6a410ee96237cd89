package demo

import "testing"

// WithoutWaters seeds no waters until the test ends: the plans' tests
// need none, and the waters cost seconds under the race detector.
func WithoutWaters(t *testing.T) {
	seedWaters = false
	t.Cleanup(func() { seedWaters = true })
}
