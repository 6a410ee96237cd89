package web

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"concord/internal/errs"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// Readings imports run in the background: the upload is spooled to a
// temporary file (never held in memory), the request answers at once (or
// after ?wait= seconds) with the import's address, and the page polls
// that address for the bytes read until the report is there. One import
// at a time per user. Imports are kept in this instance's memory for an
// hour after they end: behind a load balancer, polling needs sticky
// sessions (the readings themselves are in the store either way).

// maxReadingsUpload caps a readings file: a year of 4-hourly samples of
// 2,000 stations is about 400 MB as CSV.
const maxReadingsUpload = 2 << 30

// importKeep is how long a finished import's report stays to be read.
const importKeep = time.Hour

// waterImport is one readings import, running or done.
type waterImport struct {
	ID      int64
	UserID  int64
	Name    string
	Size    int64
	Started time.Time
	read    atomic.Int64
	done    chan struct{}
	// Set when done is closed.
	Finished time.Time
	Report   waterstore.Report
	Err      error
}

// waterImports are the imports of this instance.
type waterImports struct {
	mu   sync.Mutex
	seq  int64
	byID map[int64]*waterImport
}

// start registers an import for user, refusing a second one while the
// first runs, and forgets imports that ended long ago.
func (wi *waterImports) start(user int64, name string, size int64) (*waterImport, error) {
	wi.mu.Lock()
	defer wi.mu.Unlock()
	if wi.byID == nil {
		wi.byID = map[int64]*waterImport{}
	}
	now := time.Now()
	for id, j := range wi.byID {
		select {
		case <-j.done:
			if now.Sub(j.Finished) > importKeep {
				delete(wi.byID, id)
			}
		default:
			if j.UserID == user {
				return nil, errs.New(errs.Conflict, "waterui.error.import_running", j.Name)
			}
		}
	}
	wi.seq++
	j := &waterImport{ID: wi.seq, UserID: user, Name: name, Size: size, Started: now, done: make(chan struct{})}
	wi.byID[j.ID] = j
	return j, nil
}

// get is import id, if it is user's.
func (wi *waterImports) get(id, user int64) (*waterImport, error) {
	wi.mu.Lock()
	defer wi.mu.Unlock()
	j := wi.byID[id]
	if j == nil || j.UserID != user {
		return nil, errs.New(errs.NotFound, "error.not_found", "water_import")
	}
	return j, nil
}

// importState is running, done (stored), refused (problems, nothing
// stored) or failed (an error, nothing stored).
func (j *waterImport) state() string {
	select {
	case <-j.done:
	default:
		return "running"
	}
	switch {
	case j.Err != nil:
		return "failed"
	case !j.Report.OK():
		return "refused"
	}
	return "done"
}

// importJSON is an import's progress and, when it has ended, its report.
type importJSON struct {
	ID      int64       `json:"id"`
	Name    string      `json:"name"`
	State   string      `json:"state"`
	Size    int64       `json:"size"`
	Read    int64       `json:"read"`
	Percent float64     `json:"percent"`
	Started time.Time   `json:"started_at"`
	Report  *ingestJSON `json:"report,omitempty"`
	Error   string      `json:"error,omitempty"`
}

func (s *Server) importBody(r *http.Request, j *waterImport) importJSON {
	out := importJSON{ID: j.ID, Name: j.Name, State: j.state(), Size: j.Size, Read: j.read.Load(), Started: j.Started}
	if out.State != "running" {
		out.Read = j.Size
		if j.Err != nil {
			_, body := s.describe(r, j.Err)
			out.Error = body.Message
		} else {
			rep := ingestBody(j.Report, langOf(r))
			out.Report = &rep
		}
	}
	if j.Size > 0 {
		out.Percent = float64(int(1000*float64(out.Read)/float64(j.Size))) / 10
	}
	return out
}

// readingsUpload is a spooled readings file and how to read it.
type readingsUpload struct {
	name, path string
	size       int64
	opt        waterstore.IngestOptions
}

// spoolReadings copies the request's file (field "file") to a temporary
// file and reads the options (year, zone, replace). A multipart body the
// CSRF check has parsed already (a form posted without script) is taken
// from the parsed form; otherwise the parts are streamed.
func spoolReadings(w http.ResponseWriter, r *http.Request) (up readingsUpload, err error) {
	vals := map[string]string{}
	var tmp *os.File
	defer func() {
		if err != nil && tmp != nil {
			os.Remove(tmp.Name())
		}
	}()
	save := func(name string, src io.Reader) error {
		if tmp != nil {
			return nil // the first file only
		}
		f, err := os.CreateTemp("", "concord-readings-*")
		if err != nil {
			return err
		}
		tmp = f
		up.name = filepath.Base(name)
		up.size, err = io.Copy(f, src)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	if r.MultipartForm != nil {
		for k, v := range r.MultipartForm.Value {
			vals[k] = v[0]
		}
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 {
			var f multipart.File
			if f, err = fhs[0].Open(); err == nil {
				err = save(fhs[0].Filename, f)
				f.Close()
			}
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxReadingsUpload)
		var mr *multipart.Reader
		mr, err = r.MultipartReader()
		if errors.Is(err, http.ErrNotMultipart) {
			return up, errs.New(errs.Unsupported, "error.api.upload")
		}
		for err == nil {
			var p *multipart.Part
			if p, err = mr.NextPart(); err != nil {
				break
			}
			if p.FormName() == "file" {
				err = save(p.FileName(), p)
			} else {
				var b []byte
				b, err = io.ReadAll(io.LimitReader(p, 200))
				vals[p.FormName()] = strings.TrimSpace(string(b))
			}
		}
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return up, errs.New(errs.TooLarge, "waterui.error.upload_size", maxReadingsUpload>>20)
		}
		return up, errs.New(errs.Malformed, "error.api.upload")
	}
	var v errs.Validation
	if tmp == nil {
		v.Add("file", "error.required")
		return up, v.Err()
	}
	up.path = tmp.Name()
	up.opt.File = up.name
	switch strings.ToLower(filepath.Ext(up.name)) {
	case ".csv", ".xlsx", ".json":
		up.opt.Format = water.FormatOf(up.name)
	default:
		v.Add("file", "waterui.error.readings_file")
	}
	if y := vals["year"]; y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			v.Add("year", "waterui.error.year")
		}
		up.opt.Year = n
	}
	if z := vals["zone"]; z != "" {
		t, err := time.Parse("-07:00", z)
		if err != nil {
			v.Add("zone", "waterui.error.zone")
		} else {
			_, off := t.Zone()
			up.opt.Zone = time.FixedZone(z, off)
		}
	}
	up.opt.Replace = vals["replace"] == "true"
	return up, v.Err()
}

// startImport spools the upload and starts its import in the background;
// it waits up to wait for it to end.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request, wait time.Duration) (*waterImport, error) {
	up, err := spoolReadings(w, r)
	if err != nil {
		return nil, err
	}
	j, err := s.imports.start(actorOf(r).UserID, up.name, up.size)
	if err != nil {
		os.Remove(up.path)
		return nil, err
	}
	up.opt.Progress = func(n int64) { j.read.Store(n) }
	// The import outlives the request: keep its values (the actor, the
	// request id for the audit trail) but not its cancellation.
	ctx := context.WithoutCancel(r.Context())
	go func() {
		defer close(j.done)
		defer os.Remove(up.path)
		f, err := os.Open(up.path)
		if err == nil {
			j.Report, err = s.Water.Ingest(ctx, f, up.opt)
			f.Close()
		}
		j.Err, j.Finished = err, time.Now()
		if err != nil {
			s.Log.Error("water import", "err", err, "file", up.name, "request_id", requestID(r))
		}
	}()
	if wait > 0 {
		select {
		case <-j.done:
		case <-time.After(wait):
		}
	}
	return j, nil
}

// apiStartWaterImport uploads a readings file (multipart: file, and
// optionally year, zone, replace): 201 with the report when it ended
// within ?wait= seconds (at most 60), else 202 with the progress address.
func (s *Server) apiStartWaterImport(w http.ResponseWriter, r *http.Request) {
	wait, _ := strconv.Atoi(r.URL.Query().Get("wait"))
	j, err := s.startImport(w, r, time.Duration(min(max(wait, 0), 60))*time.Second)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/water/imports/"+itoa(j.ID))
	body := s.importBody(r, j)
	status := http.StatusAccepted
	if body.State != "running" {
		status = http.StatusCreated
	}
	writeJSON(w, status, body)
}

// apiWaterImport is an import's progress, or its report once it ended.
func (s *Server) apiWaterImport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var j *waterImport
	if err == nil {
		j, err = s.imports.get(id, actorOf(r).UserID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.importBody(r, j))
}
