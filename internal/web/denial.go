package web

import (
	"database/sql"
	"net/http"

	"concord/internal/audit"
)

// recordDenial puts a refused request on the audit trail. A failure to
// record is logged, not shown: the request is refused either way.
func (s *Server) recordDenial(r *http.Request, rt Route, reason error) {
	err := s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		return audit.Record(r.Context(), tx, audit.Change{Action: "permission.denied", ObjectType: "route",
			Detail: r.Method + " " + r.URL.Path + " (" + string(rt.Action) + "): " + reason.Error()})
	})
	if err != nil {
		s.Log.Error("record permission denial", "err", err, "request_id", requestID(r))
	}
}
