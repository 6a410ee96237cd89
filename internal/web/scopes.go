package web

import (
	"net/http"
)

// ownerOf scopes a route to the unit that owns the {id} object of kind: a
// task is its lead unit's; an assignment, a report and a completion report
// are their unit's.
func ownerOf(kind string) func(*Server, *http.Request) (int64, error) {
	return func(s *Server, r *http.Request) (int64, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return 0, err
		}
		return s.Plans.Owner(r.Context(), kind, id)
	}
}
