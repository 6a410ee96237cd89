package cli

import (
	"fmt"
	"strings"

	"concord/internal/access"
	"concord/internal/errs"
)

// messages are the command line's English wording of the service error keys
// it can meet; a key not listed is shown as it is.
var messages = map[string]string{
	"error.validation":          "invalid input",
	"error.required":            "is required",
	"error.too_long":            "is longer than %v characters",
	"error.encoding":            "is not valid UTF-8",
	"error.password.length":     "must be %v to %v characters long",
	"error.password.mix":        "must contain both letters and digits",
	"error.login_format":        "must be 2 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
	"error.email":               "is not an email address",
	"error.choice":              "is not one of the choices",
	"error.code_format":         "must be up to 40 letters, digits, '.', '_' or '-', starting with a letter or digit",
	"error.unit.unknown":        "no such unit",
	"error.unit.retired":        "the unit is retired",
	"error.unit.parent_missing": "no such parent unit",
	"error.unit.parent_cycle":   "would make the unit its own ancestor",
	"error.unit.parent_self":    "a unit cannot be its own parent",
	"error.duplicate":           "is already taken",
	"error.role.unknown":        "unknown role %q (roles: " + roleList() + ")",
	"error.role.admin_alone":    "an administrator role (sys_admin, sec_admin, audit_admin) must be held alone",
	"error.not_found":           "no such %v",
	"error.stale_version":       "was changed by someone else meanwhile: try again",
}

func roleList() string {
	s := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func message(key string, args []any) string {
	if m, ok := messages[key]; ok {
		if strings.Contains(m, "%") {
			return fmt.Sprintf(m, args...)
		}
		return m
	}
	if len(args) > 0 {
		return fmt.Sprintf("%s %v", key, args)
	}
	return key
}

// describe words an error for the terminal.
func describe(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	// Keep any context wrapped around the service error ("unit x: …").
	s := strings.TrimSuffix(err.Error(), e.Error()) + message(e.Key, e.Args)
	for _, f := range e.Fields {
		s += fmt.Sprintf("; %s: %s", f.Field, message(f.Key, f.Args))
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}
