package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"concord/internal/errs"
	"concord/internal/i18n"
)

// apiError is the one error shape of the API.
type apiError struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Fields    []fieldError `json:"fields,omitempty"`
	RequestID string       `json:"request_id"`
	Current   any          `json:"current,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

var statusOf = map[errs.Kind]int{
	errs.Malformed:    http.StatusBadRequest,
	errs.Invalid:      http.StatusUnprocessableEntity,
	errs.NotFound:     http.StatusNotFound,
	errs.Conflict:     http.StatusConflict,
	errs.Forbidden:    http.StatusForbidden,
	errs.Unauthorized: http.StatusUnauthorized,
	errs.Locked:       http.StatusLocked,
	errs.TooLarge:     http.StatusRequestEntityTooLarge,
	errs.Unsupported:  http.StatusUnsupportedMediaType,
	errs.Unavailable:  http.StatusServiceUnavailable,
}

// describe turns any error into a status and the API error shape in lang.
// Errors that are not service errors are logged and hidden behind a 500.
func (s *Server) describe(r *http.Request, err error) (int, apiError) {
	lang := langOf(r)
	e, ok := errs.As(err)
	if !ok {
		s.Log.Error("internal error", "err", err, "request_id", requestID(r), "path", r.URL.Path)
		e = errs.New(errs.Internal, "error.internal")
	}
	status, known := statusOf[e.Kind]
	if !known {
		status = http.StatusInternalServerError
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		args[i] = localizeArg(lang, a)
	}
	out := apiError{Code: string(e.Kind), Message: i18n.T(lang, e.Key, args...), RequestID: requestID(r), Current: e.Current}
	if e.Key != "error.validation" && e.Kind != errs.Internal {
		out.Code = strings.TrimPrefix(e.Key, "error.")
	}
	for _, f := range e.Fields {
		fargs := make([]any, len(f.Args))
		for i, a := range f.Args {
			fargs[i] = localizeArg(lang, a)
		}
		out.Fields = append(out.Fields, fieldError{Field: f.Field, Message: i18n.T(lang, f.Key, fargs...)})
	}
	return status, out
}

// localizeArg translates arguments that are themselves catalogue names
// (such as an object kind in "unit not found").
func localizeArg(lang string, a any) any {
	if s, ok := a.(string); ok && i18n.Has(lang, "object."+s) {
		return i18n.T(lang, "object."+s)
	}
	return a
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONBytes(w, status, encodeJSON(v))
}

func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// encodeJSON is v as the API writes it: HTML characters as they are, and a
// final newline. The API's values always encode.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return buf.Bytes()
}

func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	s.recordIfDenied(r, err)
	status, body := s.describe(r, err)
	writeJSON(w, status, body)
}

// maxBody caps request bodies of the JSON API.
const maxBody = 1 << 20

// decode reads a JSON body into v strictly: one object, known fields only,
// right types, at most maxBody bytes. Its errors name the field.
func decode(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.New(errs.Unsupported, "error.json.content_type")
	}
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.New(errs.Malformed, "error.json.trailing")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return errs.New(errs.TooLarge, "error.json.too_large", maxBody)
	case errors.Is(err, io.EOF):
		return errs.New(errs.Malformed, "error.json.empty")
	case errors.As(err, &syn):
		return errs.New(errs.Malformed, "error.json.syntax", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.Malformed, "error.json.syntax", "EOF")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &errs.Error{Kind: errs.Invalid, Key: "error.validation",
			Fields: []errs.Field{{Field: field, Key: "error.json.type", Args: []any{typ.Type.String()}}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &errs.Error{Kind: errs.Invalid, Key: "error.validation",
			Fields: []errs.Field{{Field: name, Key: "error.json.unknown_field"}}}
	}
	return errs.New(errs.Malformed, "error.json.syntax", err.Error())
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "error.not_found", name)
	}
	return id, nil
}

// page is the pagination of a list request.
type page struct{ Page, PerPage int }

func (p page) offset() int { return (p.Page - 1) * p.PerPage }

func pageOf(r *http.Request) (page, error) {
	p := page{Page: 1, PerPage: 50}
	var v errs.Validation
	if s := r.URL.Query().Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			v.Add("page", "error.range", 1, 1000000)
		}
		p.Page = n
	}
	if s := r.URL.Query().Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			v.Add("per_page", "error.range", 1, 200)
		}
		p.PerPage = n
	}
	return p, v.Err()
}

// list is the envelope of every paginated API list.
type list[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

func newList[T any](items []T, total int, p page) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total, Page: p.Page, PerPage: p.PerPage}
}

// etag is the entity tag of an object at version.
func etag(version int) string { return fmt.Sprintf(`"v%d"`, version) }

// ifMatch reads the version an update is made against, from If-Match (API)
// or the form's version field (UI). Missing is a 422 naming the header.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimPrefix(strings.TrimSpace(r.Header.Get("If-Match")), "W/")
	if h == "" {
		return 0, errs.New(errs.Invalid, "error.if_match_required")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.Trim(h, `"`), "v"))
	if err != nil || n < 1 {
		return 0, errs.New(errs.Invalid, "error.if_match_format")
	}
	return n, nil
}
