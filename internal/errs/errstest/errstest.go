// Package errstest holds test assertions on errs values, shared by the
// service packages' tests.
package errstest

import (
	"testing"

	"concord/internal/errs"
)

// WantKind fails the test unless err is an *errs.Error of kind, and returns it.
func WantKind(t testing.TB, err error, kind errs.Kind) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != kind {
		t.Fatalf("error = %v, want %s", err, kind)
	}
	return e
}

// WantField fails unless err is a validation error on field with key.
func WantField(t testing.TB, err error, field, key string) {
	t.Helper()
	e := WantKind(t, err, errs.Invalid)
	for _, f := range e.Fields {
		if f.Field == field && f.Key == key {
			return
		}
	}
	t.Fatalf("error %v has no %s on %s", err, key, field)
}
