package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// MaxImage bounds an uploaded scan of a form.
const MaxImage = 10 << 20

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// routeSubmit serves the submission API:
//
//	POST /api/v1/records       body: one signed record (text/plain)
//	                           200: the receipt (c2sp.org/tlog-proof@v1)
//	                           4xx: the JSON error (errors.go); nothing was logged
//	                           503 with X-Log-Index: the record is durable at
//	                           that index but no checkpoint covers it yet (the
//	                           witnesses have not cosigned); submit it again
//	                           after Retry-After to get the receipt
//	POST /api/v1/records/batch body: {"records": [signed record, ...]}
//	                           200: one result per record (batch.go)
//	PUT  /api/v1/images/{hash} body: the scanned form whose SHA-256 is hash,
//	                           named by a logged record
//	GET  /images/{hash}        the stored scan
func (s *Server) routeSubmit(mux *http.ServeMux) {
	lim := newRecordLimits(DefaultRateLimits, time.Now)
	mux.HandleFunc("POST /api/v1/records", s.measureRecords(s.limitRecordsBy(lim, s.handleRecord)))
	mux.HandleFunc("POST /api/v1/records/batch", s.handleBatch(lim))
	mux.HandleFunc("PUT /api/v1/images/{hash}", s.measureUploads(s.handleImagePut))
	mux.HandleFunc("GET /images/{hash}", s.handleImageGet)
}

// handleRecord logs a submitted record. The rate limiter has read its
// body (at most one byte more than a record may have) and, when the
// signature verified with a registered key, authenticated it as v.
func (s *Server) handleRecord(w http.ResponseWriter, r *http.Request, body []byte, v *registry.Verified) {
	if s.refuseStopped(w) {
		return
	}
	if len(body) > record.MaxEntry {
		writeError(w, &apiErr{Status: http.StatusRequestEntityTooLarge, Field: "body", Rule: "a record is at most 65535 bytes"})
		return
	}
	var env *record.Envelope
	if v != nil {
		env = v.Envelope()
	} else if e, err := record.Open(body); err == nil {
		env = e
	}
	charged := func(bool, bool) {}
	if env != nil {
		logged := func() (in bool) {
			s.Intake.Registry(func(reg *registry.Registry) { _, in = reg.Lookup(env.Hash) })
			return in
		}
		var err error
		if charged, err = s.limits.admitAttestation(env, len(body), logged); err != nil {
			writeError(w, err)
			return
		}
	}
	var index uint64
	var err error
	if v != nil {
		index, err = s.Intake.AppendVerified(r.Context(), v)
	} else {
		index, err = s.Intake.Append(r.Context(), body)
	}
	applied, _ := s.Applied()
	charged(err == nil, err == nil && index < applied)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.receiptWait)
	defer cancel()
	rc, err := s.Intake.Receipt(ctx, body, index)
	if err != nil {
		w.Header().Set("X-Log-Index", strconv.FormatUint(index, 10))
		w.Header().Set("Retry-After", "5")
		rule := fmt.Sprintf("the record is durable at index %d, but no checkpoint covering it has been published yet", index)
		if why := s.publicationProblem(); why != "" {
			rule += " (" + why + ")"
		}
		writeError(w, &apiErr{Status: http.StatusServiceUnavailable, Field: "checkpoint", Rule: rule + "; submit the same record again to get its receipt"})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Log-Index", strconv.FormatUint(rc.Index, 10))
	w.Write(rc.Marshal())
}

func (s *Server) handleImagePut(w http.ResponseWriter, r *http.Request) {
	if s.refuseStopped(w) {
		return
	}
	hash := r.PathValue("hash")
	if !hexHash.MatchString(hash) {
		writeError(w, &apiErr{Status: http.StatusBadRequest, Field: "hash", Rule: "must be a SHA-256 in 64 lower-case hex digits"})
		return
	}
	if !s.Intake.ImageNamed(hash) {
		writeError(w, &apiErr{Status: http.StatusForbidden, Field: "hash", Rule: "no logged record names this image: submit the sheet first"})
		return
	}
	path := filepath.Join(s.Dir.ImagesDir(), hash)
	if _, err := os.Stat(path); err == nil {
		w.WriteHeader(http.StatusNoContent) // already stored: nothing to read
		return
	}
	if err := s.storeImage(w, r, hash, path); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// storeImage streams an upload to a temporary file while hashing it, and
// keeps it under its hash if the hash matches and the quotas of the record
// naming it allow.
func (s *Server) storeImage(w http.ResponseWriter, r *http.Request, hash, path string) error {
	done, err := s.limits.startUpload(clientAddr(r))
	if err != nil {
		w.Header().Set("Retry-After", "5")
		return err
	}
	defer done()
	st, err := stage(s.Dir.ImagesDir(), http.MaxBytesReader(w, r.Body, MaxImage), MaxImage)
	if errors.Is(err, errTooLarge) {
		return &apiErr{Status: http.StatusRequestEntityTooLarge, Field: "body", Rule: "an image is at most 10 MiB"}
	} else if err != nil {
		return &apiErr{Status: http.StatusServiceUnavailable, Field: "image", Rule: "could not store the image (" + err.Error() + "); retry"}
	}
	defer os.Remove(st.path) // after a rename, removes nothing
	if st.sum != hash {
		return &apiErr{Status: http.StatusBadRequest, Field: "body", Rule: "the image's SHA-256 is " + st.sum + ", not the hash in the URL"}
	}
	if err := s.limits.admitImage(hash, st.size); err != nil {
		if err == errNotApplied {
			w.Header().Set("Retry-After", "1")
		}
		return err
	}
	if err := datadir.RenameDurable(st.path, path); err != nil {
		return &apiErr{Status: http.StatusServiceUnavailable, Field: "image", Rule: "could not store the image (" + err.Error() + "); retry"}
	}
	return nil
}

func (s *Server) handleImageGet(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if !hexHash.MatchString(hash) {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join(s.Dir.ImagesDir(), hash))
	if err != nil {
		http.Error(w, "no image with this hash has been uploaded", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(data))
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(data)
}
