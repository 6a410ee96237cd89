package errs

import (
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"
)

// Text checks a required or optional string against a length limit in runes.
func (v *Validation) Text(field, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		v.Add(field, "error.required")
	case !utf8.ValidString(value):
		v.Add(field, "error.encoding")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, "error.too_long", max)
	}
}

// NotFoundIf turns sql.ErrNoRows into a not-found error for what.
func NotFoundIf(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return New(NotFound, "error.not_found", what)
	}
	return err
}

// Unique turns a unique-constraint violation into a conflict on field;
// other errors pass through.
func Unique(err error, field string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint") || strings.Contains(msg, "duplicate key") || strings.Contains(msg, "SQLSTATE 23505") {
		return &Error{Kind: Conflict, Key: "error.duplicate", Fields: []Field{{Field: field, Key: "error.duplicate"}}}
	}
	return err
}
