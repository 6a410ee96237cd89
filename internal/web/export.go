package web

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/audit"
	"concord/internal/errs"
	"concord/internal/i18n"
)

// table is an export: localized headers and a stream of rows.
type table struct {
	name    string // file name without extension
	headers []string
	rows    func(emit func([]any) error) error
}

// writeTable streams t as CSV (UTF-8 with BOM, so Excel reads Chinese) or
// XLSX, after recording the export on the audit trail.
func (s *Server) writeTable(w http.ResponseWriter, r *http.Request, t table, detail string) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		s.fail(w, r, &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "format", Key: "error.choice"}}})
		return
	}
	err := s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		return audit.Record(r.Context(), tx, audit.Change{Action: "export", ObjectType: t.name, Detail: format + " " + detail})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	file := fmt.Sprintf("%s-%s.%s", t.name, time.Now().UTC().Format("20060102-150405"), format)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(file))
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Write([]byte("\xEF\xBB\xBF"))
		cw := csv.NewWriter(w)
		cw.Write(t.headers)
		err = t.rows(func(row []any) error {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = fmt.Sprint(v)
			}
			return cw.Write(rec)
		})
		cw.Flush()
	} else {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		err = writeXLSX(w, t)
	}
	if err != nil {
		s.Log.Error("export failed midway", "err", err, "request_id", requestID(r))
	}
}

func writeXLSX(w http.ResponseWriter, t table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(t.headers))
	for i, h := range t.headers {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	if err := t.rows(func(row []any) error {
		n++
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, row)
	}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

func (s *Server) apiAuditExport(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	cols := []string{"id", "at", "actor", "unit", "action", "object_type", "object_id", "before", "after", "request_id", "client_addr", "detail"}
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = i18n.T(lang, "audit.col."+c)
	}
	s.writeTable(w, r, table{name: "audit", headers: headers, rows: func(emit func([]any) error) error {
		return s.Audit.Each(r.Context(), f, func(e audit.Entry) error {
			unit := ""
			if e.UnitID != nil {
				unit = itoa(*e.UnitID)
			}
			return emit([]any{e.ID, e.At.Format(time.RFC3339), e.ActorLogin, unit, e.Action, e.ObjectType, e.ObjectID,
				string(e.Before), string(e.After), e.RequestID, e.ClientAddr, e.Detail})
		})
	}}, r.URL.RawQuery)
}
