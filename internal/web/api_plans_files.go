package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"concord/internal/errs"
	"concord/internal/plans"
)

// uploadCap caps an upload's body: the largest file accepted and room for
// the form around it, so a huge body is refused before it is read whole.
// A file between plans.MaxAttachment and the cap reaches the service, which
// refuses it with the same message.
const uploadCap = plans.MaxAttachment + 64<<10

// uploadedFile reads the file of a multipart/form-data body: the first part
// named "file"; other parts are skipped.
func uploadedFile(w http.ResponseWriter, r *http.Request) (name string, data []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, uploadCap)
	mr, err := r.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		return "", nil, errs.New(errs.Unsupported, "error.api.upload")
	}
	if err != nil {
		return "", nil, errs.New(errs.Malformed, "error.api.upload")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			var v errs.Validation
			v.Add("file", "error.required")
			return "", nil, v.Err()
		}
		if err != nil {
			return "", nil, uploadFault(err)
		}
		if p.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return "", nil, uploadFault(err)
		}
		return p.FileName(), data, nil
	}
}

func uploadFault(err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return errs.New(errs.TooLarge, "error.attachment.too_large", plans.MaxAttachment>>20)
	}
	return errs.New(errs.Malformed, "error.api.upload")
}

// apiUpload stores an evidence file on the {id} report or completion report;
// the service checks the file's size and type and whether the owner still
// takes files.
func (s *Server) apiUpload(ownerType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		var name string
		var data []byte
		if err == nil {
			name, data, err = uploadedFile(w, r)
		}
		var a plans.Attachment
		if err == nil {
			a, err = s.Plans.AddAttachment(r.Context(), ownerType, id, name, data)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/v1/attachments/"+itoa(a.ID))
		writeJSON(w, http.StatusCreated, a)
	}
}

// apiAttachment sends a stored file as a download, never for the browser to
// display: its type is the one the service settled on at upload, and the
// browser must not second-guess it.
func (s *Server) apiAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var a plans.Attachment
	var data []byte
	if err == nil {
		a, data, err = s.Plans.AttachmentContent(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sendFile(w, a.Name, a.ContentType, data)
}

// sendFile writes a stored file as a download the browser must not sniff.
func sendFile(w http.ResponseWriter, name, contentType string, data []byte) {
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disposition == "" {
		disposition = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
