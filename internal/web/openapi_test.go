package web_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/db"
	"concord/internal/web"
)

// The OpenAPI document at /api/v1/openapi.json is written by hand; these
// tests keep it in step with the route table and the Go types the API reads
// and writes. A route added without documenting it, a request field renamed,
// or a $ref broken fails here.

const oaPrefix = "/api/v1"

// oaFields lists the JSON fields of an input type that the test cannot name
// (the small unexported or anonymous input structs of package web). A value
// is nil for a plain field, or a zero value of the Go type of a nested
// object, whose fields are then compared too.
type oaFields map[string]any

// oaRequestBodies maps each operation that reads a JSON body to the Go type
// it is decoded into: every operation with a request body must be here.
var oaRequestBodies = map[string]any{
	"login":             oaFields{"login": nil, "password": nil},        // web.loginInput
	"changeOwnPassword": oaFields{"old_password": nil, "password": nil}, // web.passwordInput
	"setOwnLanguage":    oaFields{"language": nil},                      // anonymous, apiSetLanguage
	"createToken":       oaFields{"name": nil},                          // anonymous, apiCreateToken
	"renameAlliance":    oaFields{"name": alliance.Names{}},             // anonymous, apiRenameAlliance
	"createUnit":        alliance.UnitInput{},
	"updateUnit":        alliance.UnitInput{},
	"createArea":        alliance.AreaInput{},
	"updateArea":        alliance.AreaInput{},
	"createUser":        accounts.UserInput{},
	"updateUser":        accounts.UserInput{},
	"setUserRoles":      oaFields{"roles": nil},    // web.rolesInput
	"resetUserPassword": oaFields{"password": nil}, // web.resetInput
}

// oaErrorFields are the JSON fields of web.apiError and web.fieldError.
var oaErrorFields = []string{"code", "message", "fields", "request_id", "current"}
var oaFieldErrorFields = []string{"field", "message"}

// oaPutWithoutIfMatch are the PUT routes that change no versioned object the
// caller has read (one's own password and language), so take no If-Match.
var oaPutWithoutIfMatch = map[string]bool{"changeOwnPassword": true, "setOwnLanguage": true}

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

type oaOperation struct {
	method, path string // method upper-case, path relative to /api/v1
	op           map[string]any
}

// oaSpec is the parsed document with helpers to walk it.
type oaSpec struct {
	t   *testing.T
	doc map[string]any
}

func oaObj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func oaArr(v any) []any          { a, _ := v.([]any); return a }
func oaStr(v any) string         { s, _ := v.(string); return s }

// resolve follows a local reference such as #/components/schemas/Unit.
func (s *oaSpec) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference: %q", ref)
	}
	var cur any = s.doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[part]
			if !ok {
				return nil, fmt.Errorf("%s: no %q", ref, part)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("%s: no index %q", ref, part)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("%s: cannot descend into %q", ref, part)
		}
	}
	return cur, nil
}

// deref returns the object a $ref points to, or m itself.
func (s *oaSpec) deref(m map[string]any) map[string]any {
	for i := 0; i < 32; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		v, err := s.resolve(ref)
		if err != nil {
			s.t.Errorf("%v", err)
			return map[string]any{}
		}
		m = oaObj(v)
	}
	s.t.Errorf("reference loop at %v", m)
	return map[string]any{}
}

// object merges a schema and its allOf parts into one object schema: the
// union of properties and required names, additionalProperties from any part.
func (s *oaSpec) object(schema map[string]any) (props map[string]any, required []string, closed bool) {
	props = map[string]any{}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		m = s.deref(m)
		for k, v := range oaObj(m["properties"]) {
			props[k] = v
		}
		for _, r := range oaArr(m["required"]) {
			required = append(required, oaStr(r))
		}
		if ap, ok := m["additionalProperties"].(bool); ok && !ap {
			closed = true
		}
		for _, part := range oaArr(m["allOf"]) {
			walk(oaObj(part))
		}
	}
	walk(schema)
	return props, required, closed
}

func (s *oaSpec) operations() []oaOperation {
	var ops []oaOperation
	for path, item := range oaObj(s.doc["paths"]) {
		for _, m := range oaMethods {
			if o, ok := oaObj(item)[m]; ok {
				ops = append(ops, oaOperation{method: strings.ToUpper(m), path: path, op: oaObj(o)})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops
}

// parameters are an operation's parameters (path-level ones included),
// references resolved.
func (s *oaSpec) parameters(o oaOperation) []map[string]any {
	var out []map[string]any
	for _, p := range oaArr(oaObj(oaObj(s.doc["paths"])[o.path])["parameters"]) {
		out = append(out, s.deref(oaObj(p)))
	}
	for _, p := range oaArr(o.op["parameters"]) {
		out = append(out, s.deref(oaObj(p)))
	}
	return out
}

func (s *oaSpec) response(o oaOperation, status string) map[string]any {
	r, ok := oaObj(o.op["responses"])[status]
	if !ok {
		return nil
	}
	return s.deref(oaObj(r))
}

// oaRoutes are the API routes of the route table as "METHOD /path".
func oaRoutes(srv *web.Server) map[string]web.Route {
	out := map[string]web.Route{}
	for _, rt := range srv.Routes() {
		if !rt.API {
			continue
		}
		p := strings.TrimPrefix(rt.Pattern, oaPrefix)
		p = strings.ReplaceAll(p, "{$}", "")
		p = strings.ReplaceAll(p, "...}", "}")
		out[rt.Method+" "+p] = rt
	}
	return out
}

func oaServedSpec(t *testing.T, f *fixture) *oaSpec {
	t.Helper()
	res := f.do("GET", oaPrefix+"/openapi.json", "", nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET openapi.json: %d %s", res.StatusCode, res.Body)
	}
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != "application/json" {
		t.Errorf("openapi.json Content-Type = %q", res.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(res.Body), &doc); err != nil {
		t.Fatalf("openapi.json is not a JSON object: %v", err)
	}
	return &oaSpec{t: t, doc: doc}
}

func TestOpenAPI(t *testing.T) {
	f := newFixture(t, db.SQLite)
	s := oaServedSpec(t, f)
	routes := oaRoutes(f.Srv)
	ops := s.operations()

	t.Run("Document", func(t *testing.T) {
		s.t = t
		if v := oaStr(s.doc["openapi"]); !strings.HasPrefix(v, "3.0.") {
			t.Errorf("openapi = %q, want 3.0.x", v)
		}
		info := oaObj(s.doc["info"])
		if oaStr(info["title"]) == "" || oaStr(info["version"]) == "" {
			t.Errorf("info needs a title and a version: %v", info)
		}
		if servers := oaArr(s.doc["servers"]); len(servers) != 1 || oaStr(oaObj(servers[0])["url"]) != oaPrefix {
			t.Errorf("servers = %v, want one with url %s", servers, oaPrefix)
		}
		schemes := oaObj(oaObj(s.doc["components"])["securitySchemes"])
		if b := oaObj(schemes["bearer"]); oaStr(b["type"]) != "http" || oaStr(b["scheme"]) != "bearer" {
			t.Errorf("securitySchemes.bearer = %v", b)
		}
		if c := oaObj(schemes["cookie"]); oaStr(c["type"]) != "apiKey" || oaStr(c["in"]) != "cookie" || oaStr(c["name"]) != "concord_session" {
			t.Errorf("securitySchemes.cookie = %v", c)
		}
		if c := oaObj(schemes["csrf"]); oaStr(c["type"]) != "apiKey" || oaStr(c["in"]) != "header" || oaStr(c["name"]) != "X-CSRF-Token" {
			t.Errorf("securitySchemes.csrf = %v", c)
		}
		// The error shape is web.apiError.
		props, _, _ := s.object(oaObj(oaObj(oaObj(s.doc["components"])["schemas"])["Error"]))
		if got := oaKeys(props); !slices.Equal(got, oaSorted(oaErrorFields)) {
			t.Errorf("Error properties = %v, want %v", got, oaSorted(oaErrorFields))
		}
		items := oaObj(props["fields"])["items"]
		fprops, _, _ := s.object(oaObj(items))
		if got := oaKeys(fprops); !slices.Equal(got, oaSorted(oaFieldErrorFields)) {
			t.Errorf("Error.fields items = %v, want %v", got, oaSorted(oaFieldErrorFields))
		}
	})

	t.Run("Routes", func(t *testing.T) {
		s.t = t
		documented := map[string]bool{}
		for _, o := range ops {
			key := o.method + " " + o.path
			documented[key] = true
			if _, ok := routes[key]; !ok {
				t.Errorf("documented %s is not in the route table", key)
			}
		}
		for key := range routes {
			if !documented[key] {
				t.Errorf("route %s (%s) is not documented in openapi.json", key, routes[key].Pattern)
			}
		}
		if len(routes) == 0 {
			t.Fatal("no API routes in the route table")
		}
	})

	t.Run("Operations", func(t *testing.T) {
		s.t = t
		tags := map[string]bool{}
		for _, tg := range oaArr(s.doc["tags"]) {
			tags[oaStr(oaObj(tg)["name"])] = true
		}
		schemes := oaObj(oaObj(s.doc["components"])["securitySchemes"])
		ids := map[string]string{}
		for _, o := range ops {
			key := o.method + " " + o.path
			id := oaStr(o.op["operationId"])
			if id == "" {
				t.Errorf("%s: no operationId", key)
			} else if prev, dup := ids[id]; dup {
				t.Errorf("operationId %s used by %s and %s", id, prev, key)
			}
			ids[id] = key
			if oaStr(o.op["summary"]) == "" {
				t.Errorf("%s: no summary", key)
			}
			if !oaHasHan(oaStr(o.op["description"])) {
				t.Errorf("%s: the description should be in Simplified Chinese: %q", key, o.op["description"])
			}
			if len(oaArr(o.op["tags"])) == 0 {
				t.Errorf("%s: no tags", key)
			}
			for _, tg := range oaArr(o.op["tags"]) {
				if !tags[oaStr(tg)] {
					t.Errorf("%s: tag %v not declared in the document's tags", key, tg)
				}
			}

			// Path parameters match the path's placeholders.
			want := oaPlaceholders(o.path)
			var got []string
			for _, p := range s.parameters(o) {
				if oaStr(p["in"]) == "path" {
					got = append(got, oaStr(p["name"]))
					if p["required"] != true {
						t.Errorf("%s: path parameter %v must be required", key, p["name"])
					}
				}
				if p["schema"] == nil {
					t.Errorf("%s: parameter %v has no schema", key, p["name"])
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: path parameters %v, want %v", key, got, want)
			}

			// Security: public routes say so; the others accept a bearer
			// token or the cookie, which needs the CSRF token when unsafe.
			rt := routes[key]
			sec, own := o.op["security"]
			if !own {
				sec = s.doc["security"]
			}
			public := rt.Action == access.Public
			if public && (!own || len(oaArr(sec)) != 0) {
				t.Errorf("%s: a public route needs security: []", key)
			}
			if !public {
				if len(oaArr(sec)) == 0 {
					t.Errorf("%s: needs a security requirement", key)
				}
				var bearer, cookie bool
				for _, req := range oaArr(sec) {
					for name := range oaObj(req) {
						if _, ok := schemes[name]; !ok {
							t.Errorf("%s: unknown security scheme %s", key, name)
						}
					}
					_, hasCookie := oaObj(req)["cookie"]
					_, hasCSRF := oaObj(req)["csrf"]
					if _, ok := oaObj(req)["bearer"]; ok && len(oaObj(req)) == 1 {
						bearer = true
					}
					if hasCookie {
						cookie = true
						if unsafe := o.method != "GET" && o.method != "HEAD"; unsafe != hasCSRF {
							t.Errorf("%s: the cookie requirement must include csrf exactly for unsafe methods", key)
						}
					}
				}
				if !bearer || !cookie {
					t.Errorf("%s: security must offer bearer and cookie: %v", key, sec)
				}
			}

			// Responses: a success, errors in the error shape, and the
			// statuses the middleware can answer with.
			rs := oaObj(o.op["responses"])
			success := false
			for code := range rs {
				if strings.HasPrefix(code, "2") {
					success = true
				}
				if strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5") {
					s.checkErrorResponse(t, key+" "+code, s.response(o, code))
				}
			}
			if !success {
				t.Errorf("%s: no 2xx response", key)
			}
			need := []string{}
			if !public {
				need = append(need, "401")
			}
			if strings.Contains(o.path, "{id}") {
				need = append(need, "404")
			}
			if o.op["requestBody"] != nil {
				need = append(need, "400", "413", "415", "422")
			}
			if !public && o.method != "GET" || !public && !oaEveryRole(rt.Action) {
				need = append(need, "403")
			}
			for _, code := range need {
				if _, ok := rs[code]; !ok {
					t.Errorf("%s: response %s is not documented", key, code)
				}
			}

			// Versioned updates: If-Match in, 409 with current, ETag out.
			if o.method == "PUT" {
				ifMatch := false
				for _, p := range s.parameters(o) {
					if oaStr(p["in"]) == "header" && strings.EqualFold(oaStr(p["name"]), "If-Match") {
						ifMatch = p["required"] == true
					}
				}
				if ifMatch == oaPutWithoutIfMatch[id] {
					t.Errorf("%s: If-Match required = %v, want %v", key, ifMatch, !oaPutWithoutIfMatch[id])
				}
				if ifMatch {
					s.checkConflict(t, key, s.response(o, "409"))
				}
				if !oaHasHeader(s, s.response(o, "200"), "ETag") {
					t.Errorf("%s: the 200 response should declare the ETag header", key)
				}
			}
		}
	})

	t.Run("RequestBodies", func(t *testing.T) {
		s.t = t
		seen := map[string]bool{}
		for _, o := range ops {
			key := o.method + " " + o.path
			id := oaStr(o.op["operationId"])
			rb := o.op["requestBody"]
			goType, listed := oaRequestBodies[id]
			if rb == nil {
				if listed {
					t.Errorf("%s (%s) has no requestBody but the test expects %T", key, id, goType)
				}
				continue
			}
			seen[id] = true
			if !listed {
				t.Errorf("%s (%s) has a requestBody: add its Go input type to oaRequestBodies in openapi_test.go", key, id)
				continue
			}
			body := s.deref(oaObj(rb))
			if body["required"] != true {
				t.Errorf("%s: requestBody should be required", key)
			}
			content := oaObj(body["content"])
			if len(content) != 1 || content["application/json"] == nil {
				t.Errorf("%s: requestBody content should be application/json only, got %v", key, oaKeys(content))
			}
			s.compareBody(t, id, oaObj(oaObj(content["application/json"])["schema"]), goType)
		}
		for id := range oaRequestBodies {
			if !seen[id] {
				t.Errorf("oaRequestBodies names %s, which is no operation with a request body", id)
			}
		}
	})

	t.Run("Refs", func(t *testing.T) {
		s.t = t
		n := 0
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, c := range x {
					if k == "$ref" {
						n++
						if _, err := s.resolve(oaStr(c)); err != nil {
							t.Errorf("%s: %v", path, err)
						}
						continue
					}
					walk(path+"/"+k, c)
				}
			case []any:
				for i, c := range x {
					walk(path+"/"+strconv.Itoa(i), c)
				}
			}
		}
		walk("#", s.doc)
		if n == 0 {
			t.Error("no $ref at all: components are meant to be shared")
		}
	})

	t.Run("Responses", func(t *testing.T) { oaCheckLive(t, f, s, routes, ops) })
}

// checkErrorResponse insists a 4xx/5xx answers in the error shape.
func (s *oaSpec) checkErrorResponse(t *testing.T, where string, r map[string]any) {
	schema := oaObj(oaObj(oaObj(r["content"])["application/json"])["schema"])
	if schema == nil {
		t.Errorf("%s: no application/json schema", where)
		return
	}
	alts := []map[string]any{schema}
	if a := oaArr(s.deref(schema)["anyOf"]); a != nil {
		alts = nil
		for _, x := range a {
			alts = append(alts, oaObj(x))
		}
	}
	for _, alt := range alts {
		props, _, _ := s.object(alt)
		if got := oaKeys(props); !slices.Equal(got, oaSorted(oaErrorFields)) {
			t.Errorf("%s: not the error shape: properties %v", where, got)
		}
	}
}

// checkConflict insists a 409 can carry the current object, typed.
func (s *oaSpec) checkConflict(t *testing.T, where string, r map[string]any) {
	if r == nil {
		t.Errorf("%s: no 409 response", where)
		return
	}
	schema := oaObj(oaObj(oaObj(r["content"])["application/json"])["schema"])
	alts := []map[string]any{schema}
	if a := oaArr(s.deref(schema)["anyOf"]); a != nil {
		alts = nil
		for _, x := range a {
			alts = append(alts, oaObj(x))
		}
	}
	for _, alt := range alts {
		props, required, _ := s.object(alt)
		if slices.Contains(required, "current") && len(s.deref(oaObj(props["current"]))) > 0 {
			return
		}
	}
	t.Errorf("%s: the 409 response should require a typed `current`", where)
}

func oaHasHeader(s *oaSpec, r map[string]any, name string) bool {
	for h := range oaObj(r["headers"]) {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// compareBody checks a request-body schema against the JSON fields of the
// Go input type, down through nested objects and arrays of objects.
func (s *oaSpec) compareBody(t *testing.T, where string, schema map[string]any, goType any) {
	props, _, closed := s.object(schema)
	if !closed {
		t.Errorf("%s: additionalProperties must be false (the server rejects unknown fields)", where)
	}
	var want map[string]any
	switch g := goType.(type) {
	case oaFields:
		want = g
	default:
		want = map[string]any{}
		for name, ft := range oaJSONFields(reflect.TypeOf(goType)) {
			want[name] = ft
		}
	}
	if got, exp := oaKeys(props), oaKeys(want); !slices.Equal(got, exp) {
		t.Errorf("%s: schema properties %v, Go fields %v", where, got, exp)
	}
	for name, nested := range want {
		var ft reflect.Type
		switch n := nested.(type) {
		case nil:
			continue
		case reflect.Type:
			ft = n
		default:
			ft = reflect.TypeOf(n)
		}
		prop, ok := props[name]
		if !ok {
			continue
		}
		sch := s.deref(oaObj(prop))
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
			if ft.Kind() != reflect.Pointer {
				sch = s.deref(oaObj(sch["items"]))
			}
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
			s.compareBody(t, where+"."+name, sch, reflect.New(ft).Elem().Interface())
		}
	}
}

// oaJSONFields are the names encoding/json uses for t's fields, with their types.
func oaJSONFields(t reflect.Type) map[string]reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			et := sf.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for n, ft := range oaJSONFields(et) {
					out[n] = ft
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out[name] = sf.Type
	}
	return out
}

// oaCheckLive calls every API GET route as a role allowed to use it
// and validates the answer against the documented 200 response; it also
// checks that an anonymous call of every protected route gets the documented
// 401 in the error shape, and that a stale update gets the documented 409.
func oaCheckLive(t *testing.T, f *fixture, s *oaSpec, routes map[string]web.Route, ops []oaOperation) {
	s.t = t
	// Every role's user gets a token, so token lists are not empty.
	for _, r := range access.Roles {
		login := f.Users[r].Login
		if res := f.do("POST", oaPrefix+"/me/tokens", f.token(login), map[string]string{"name": "openapi"}, nil); res.StatusCode != http.StatusCreated {
			t.Fatalf("create token for %s: %d %s", login, res.StatusCode, res.Body)
		}
	}
	tokenFor := func(rt web.Route) string {
		if rt.Action == access.Public {
			return ""
		}
		// A role reaching every unit, else one reaching its own: a call
		// without a unit then concerns the caller's own unit.
		for _, reach := range []access.Reach{access.Any, access.OwnUnit} {
			for _, r := range access.Roles {
				if access.Policy[rt.Action][r] == reach {
					return f.token(f.Users[r].Login)
				}
			}
		}
		return ""
	}
	byKey := map[string]oaOperation{}
	for _, o := range ops {
		byKey[o.method+" "+o.path] = o
	}

	for _, o := range ops {
		key := o.method + " " + o.path
		rt, ok := routes[key]
		if !ok {
			continue
		}
		if rt.Action != access.Public {
			res := f.do(o.method, oaPrefix+oaFill(o.path, "1", "unit"), "", nil, nil)
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without credentials: %d, want 401", key, res.StatusCode)
			} else if r := s.response(o, "401"); r != nil {
				s.validateBody(t, key+" 401", res, r)
			}
		}
		if o.method != "GET" {
			continue
		}
		tok := tokenFor(rt)
		if tok == "" && rt.Action != access.Public {
			t.Errorf("%s: no role may call it", key)
			continue
		}
		path := o.path
		if strings.Contains(path, "{") {
			id := oaSampleID(t, f, s, routes, byKey, path, tokenFor)
			if id == "" {
				t.Logf("%s: no sample id found; response not checked", key)
				continue
			}
			path = oaFill(path, id, "unit")
		}
		res := f.do("GET", oaPrefix+path, tok, nil, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, res.StatusCode, res.Body)
			continue
		}
		r := s.response(o, "200")
		if r == nil {
			t.Errorf("%s: no documented 200", key)
			continue
		}
		s.validateBody(t, "GET "+path, res, r)
		for h := range oaObj(r["headers"]) {
			if strings.EqualFold(h, "ETag") && res.Header.Get("ETag") == "" {
				t.Errorf("GET %s: documented ETag header missing", path)
			}
		}
	}

	// A stale update answers with the documented 409 and the current object.
	sys := f.token(f.Users[access.SysAdmin].Login)
	unitPath := fmt.Sprintf("%s/units/%d", oaPrefix, f.Own.ID)
	in := map[string]any{"code": f.Own.Code, "kind": f.Own.Kind, "name": map[string]string{"zh_hans": f.Own.Name.ZhHans}}
	res := f.do("PUT", unitPath, sys, in, map[string]string{"If-Match": `"v999"`})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale PUT %s: %d %s", unitPath, res.StatusCode, res.Body)
	}
	if o, ok := byKey["PUT /units/{id}"]; ok {
		s.validateBody(t, "stale PUT /units/{id}", res, s.response(o, "409"))
	}
	if res.JSON["current"] == nil {
		t.Errorf("stale PUT: no current in %s", res.Body)
	}
}

// oaSampleID finds an id for a GET route's path: the first item of the list
// route the path extends (GET /units for /units/{id}), or the fixture's own
// unit for /history/{type}/{id}.
func oaSampleID(t *testing.T, f *fixture, s *oaSpec, routes map[string]web.Route, byKey map[string]oaOperation, path string, tokenFor func(web.Route) string) string {
	if strings.Contains(path, "{type}") {
		return strconv.FormatInt(f.Own.ID, 10)
	}
	list, _, ok := strings.Cut(path, "/{id}")
	if !ok {
		return ""
	}
	rt, ok := routes["GET "+list]
	if !ok {
		return ""
	}
	res := f.do("GET", oaPrefix+list, tokenFor(rt), nil, nil)
	var body any
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(res.Body), &body) != nil {
		return ""
	}
	items := oaArr(body)
	if items == nil {
		items = oaArr(oaObj(body)["items"])
	}
	if len(items) == 0 {
		return ""
	}
	switch id := oaObj(items[0])["id"].(type) {
	case float64:
		return strconv.FormatInt(int64(id), 10)
	case string:
		return id
	}
	return ""
}

func oaFill(path, id, typ string) string {
	return strings.NewReplacer("{id}", id, "{type}", typ).Replace(path)
}

// validateBody checks an answer's media type is documented and, for JSON,
// that the body matches the documented schema.
func (s *oaSpec) validateBody(t *testing.T, where string, res result, r map[string]any) {
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	media, ok := oaObj(r["content"])[mt]
	if !ok {
		t.Errorf("%s: answered %q, documented %v", where, mt, oaKeys(oaObj(r["content"])))
		return
	}
	if mt != "application/json" {
		return
	}
	var v any
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
		t.Errorf("%s: body is not JSON: %v", where, err)
		return
	}
	for _, e := range s.validate(where, v, oaObj(oaObj(media)["schema"])) {
		t.Error(e)
	}
}

// validate checks v against the subset of OpenAPI schemas the document
// uses: $ref, allOf, anyOf/oneOf, nullable, object (properties, required,
// no undocumented keys), array, string (enum, date-time), integer, number,
// boolean; a schema without a type accepts anything.
func (s *oaSpec) validate(path string, v any, schema map[string]any) []string {
	schema = s.deref(schema)
	if alts := append(oaArr(schema["anyOf"]), oaArr(schema["oneOf"])...); len(alts) > 0 {
		var first []string
		for i, a := range alts {
			errs := s.validate(path, v, oaObj(a))
			if len(errs) == 0 {
				return nil
			}
			if i == 0 {
				first = errs
			}
		}
		return append([]string{path + ": matches no alternative"}, first...)
	}
	typ := oaStr(schema["type"])
	if oaArr(schema["allOf"]) != nil || schema["properties"] != nil {
		typ = "object"
	}
	if v == nil {
		if schema["nullable"] == true || typ == "" {
			return nil
		}
		return []string{path + ": null, but not nullable"}
	}
	var errs []string
	if enum := oaArr(schema["enum"]); enum != nil && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, v, enum))
	}
	switch typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want object", path, v))
		}
		props, required, _ := s.object(schema)
		if len(props) > 0 {
			for k := range m {
				if _, ok := props[k]; !ok {
					errs = append(errs, fmt.Sprintf("%s: key %q is not documented", path, k))
				}
			}
		}
		for _, k := range required {
			if _, ok := m[k]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required key %q missing", path, k))
			}
		}
		for k, pv := range m {
			if ps, ok := props[k]; ok {
				errs = append(errs, s.validate(path+"."+k, pv, oaObj(ps))...)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want array", path, v))
		}
		for i, x := range a {
			errs = append(errs, s.validate(fmt.Sprintf("%s[%d]", path, i), x, oaObj(schema["items"]))...)
		}
	case "string":
		x, ok := v.(string)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want string", path, v))
		}
		if oaStr(schema["format"]) == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", path, x))
			}
		}
	case "integer":
		x, ok := v.(float64)
		if !ok || x != float64(int64(x)) {
			errs = append(errs, fmt.Sprintf("%s: %v, want integer", path, v))
		}
	case "number":
		if _, ok := v.(float64); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want number", path, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want boolean", path, v))
		}
	}
	return errs
}

// oaEveryRole reports whether every role may take action (so no 403
// can come from the permission rule itself).
func oaEveryRole(action access.Action) bool {
	if action == access.Public {
		return true
	}
	for _, r := range access.Roles {
		if access.Policy[action][r] != access.Any {
			return false
		}
	}
	return true
}

func oaPlaceholders(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(seg[1:len(seg)-1], "..."))
		}
	}
	sort.Strings(out)
	return out
}

func oaHasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func oaKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func oaSorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}
