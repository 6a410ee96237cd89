// Package errs is the one error vocabulary of Concord's services. Messages are
// catalogue keys, not text, so the web layer can answer in the user's language.
package errs

import (
	"errors"
	"fmt"
)

// Kind says what went wrong, and so which HTTP status it maps to.
type Kind string

const (
	Malformed    Kind = "malformed"    // 400: the request cannot be read
	Invalid      Kind = "invalid"      // 422: the input breaks a rule
	NotFound     Kind = "not_found"    // 404
	Conflict     Kind = "conflict"     // 409: stale version or duplicate
	Forbidden    Kind = "forbidden"    // 403
	Unauthorized Kind = "unauthorized" // 401
	Locked       Kind = "locked"       // 423/429: too many failed logins
	TooLarge     Kind = "too_large"    // 413
	Unsupported  Kind = "unsupported"  // 415
	Unavailable  Kind = "unavailable"  // 503: a tool the request needs is not installed
	Internal     Kind = "internal"     // 500, never for user input
)

// Field is one field's problem: Key is a catalogue key, Args fill it in.
type Field struct {
	Field string `json:"field"`
	Key   string `json:"-"`
	Args  []any  `json:"-"`
}

// Error is a service error with a catalogue key and optional field errors.
type Error struct {
	Kind    Kind
	Key     string
	Args    []any
	Fields  []Field
	Current any // for Conflict: the object as it is now
	Cause   error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Kind, e.Key)
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args)
	}
	for _, f := range e.Fields {
		s += fmt.Sprintf("; %s: %s%v", f.Field, f.Key, f.Args)
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// New makes an error of kind with message key and arguments.
func New(kind Kind, key string, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: args}
}

// As extracts an *Error.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is an *Error of kind.
func Is(err error, kind Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == kind
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ fields []Field }

// Add records that field breaks the rule named by key.
func (v *Validation) Add(field, key string, args ...any) {
	v.fields = append(v.fields, Field{Field: field, Key: key, Args: args})
}

// Err is the collected error, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Key: "error.validation", Fields: v.fields}
}

// StaleVersion is the conflict for an edit made against an old version.
func StaleVersion(current any) *Error {
	return &Error{Kind: Conflict, Key: "error.stale_version", Current: current}
}
