package web

import (
	"database/sql"
	"net/http"

	"concord/internal/audit"
	"concord/internal/errs"
)

// recordIfDenied puts a refused request on the audit trail, whether the
// route's rule or a service's own rule (such as changing one's own roles)
// refused it. A failure to record is logged, not shown: the request is
// refused either way.
func (s *Server) recordIfDenied(r *http.Request, reason error) {
	if !errs.Is(reason, errs.Forbidden) {
		return
	}
	err := s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		return audit.Record(r.Context(), tx, audit.Change{Action: "permission.denied", ObjectType: "route",
			Detail: r.Method + " " + r.URL.Path + " (" + r.Pattern + "): " + reason.Error()})
	})
	if err != nil {
		s.Log.Error("record permission denial", "err", err, "request_id", requestID(r))
	}
}
