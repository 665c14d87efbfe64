package web

// The claim checker: anyone asks "is this sheet real?" by choosing a
// station and typing the numbers they saw, or uploading the photograph, and
// gets the logged sheet to compare with. And the evidence pack download.
//
//	GET  /claim                     the form (?station=ID shows its candidates)
//	POST /claim                     the form's answer, as a page
//	POST /api/v1/claims             the answer as JSON; body JSON or multipart
//	GET  /api/v1/evidence/{contest} the contest's evidence pack (package evidence)
//
// Nothing a visitor sends is stored and nothing changes the tally: the
// answer is computed from the tally and discarded. A photograph that matches
// no logged sheet can become evidence only as an observer's copy, signed
// with an observer key and submitted like any record.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/internal/node"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// MaxClaimUpload bounds a claim's upload: the photograph plus the form.
const MaxClaimUpload = MaxImage + 64<<10

// claimImageTypes are the uploads the checker accepts, by content sniffing.
var claimImageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true}

// routeClaims registers the claim checker's API and the evidence download
// (its page, /claim, is one of the site's: routeSite).
func (s *Server) routeClaims(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/claims", s.handleClaimAPI)
	mux.HandleFunc("GET /api/v1/evidence/{contest}", s.handleEvidence)
}

// Claim is what a visitor says they saw at a station.
type Claim struct {
	Station string `json:"station"`
	// Contest may be left out when the station votes in one contest only.
	Contest string `json:"contest,omitempty"`
	// Votes per candidate ID; left out when only a photograph is checked.
	Votes map[string]int64 `json:"votes,omitempty"`
	// ImageSHA256 is the hash of the photograph (set from an upload).
	ImageSHA256 string `json:"image_sha256,omitempty"`
}

// ClaimAnswer compares a claim with the log.
type ClaimAnswer struct {
	Station string `json:"station"`
	Contest string `json:"contest"`
	// Verdict: "same image" (the photograph is, byte for byte, a logged
	// sheet's scan), "same numbers", "different" (the numbers differ),
	// "cannot compare" (a photograph that is not the logged file and no
	// numbers: a re-compressed copy of the genuine scan never is the same
	// file, so only the numbers on it can be compared), or "no sheet
	// logged".
	Verdict string `json:"verdict"`
	// Image: "same", "different", "not given"; Numbers: "same",
	// "different", "not given".
	Image   string `json:"image"`
	Numbers string `json:"numbers"`
	// Message says it in a sentence.
	Message string `json:"message"`
	// Differences compare the claimed votes with the current sheet's.
	Differences []tally.CandidateDiff `json:"differences,omitempty"`
	// MatchedVersion is the logged sheet version the claim matches, when it
	// is not the current one (a superseded or conflicting sheet).
	MatchedVersion *tally.SheetVersion `json:"matched_version,omitempty"`
	// Sheet is the current sheet; Versions every sheet of the station for
	// the contest; Attestations the agents' and observers' word on it.
	Sheet        *tally.SheetVersion       `json:"sheet,omitempty"`
	Versions     []tally.SheetVersion      `json:"versions"`
	Attestations []tally.AttestationResult `json:"attestations,omitempty"`
	Candidates   []string                  `json:"candidates"`
	// Names are the candidates' names by ID.
	Names map[string]string `json:"names,omitempty"`
	// Scan is the address of the current sheet's scan, when the server
	// holds it: the picture to set beside the visitor's.
	Scan string `json:"scan,omitempty"`
	// Submit says how to make an unmatched photograph evidence.
	Submit string `json:"submit,omitempty"`
	// message and submit are Message and Submit as formats and their
	// arguments, for the page to say in its language.
	message, submit []sentence
}

// sentence is a message of the claim checker: a fmt format (an English
// message of the catalogues) and its arguments.
type sentence struct {
	format string
	args   []any
}

// say adds a sentence to the answer's message.
func (a *ClaimAnswer) say(format string, args ...any) {
	a.message = append(a.message, sentence{format, args})
	a.Message = strings.TrimSpace(a.Message + " " + fmt.Sprintf(format, args...))
}

// sentencesIn writes sentences in lang.
func sentencesIn(lang string, ss []sentence) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = tr(lang, s.format, s.args...)
	}
	return strings.Join(out, " ")
}

// claimError is a refused claim: an HTTP status and a sentence.
type claimError struct {
	Status int
	Msg    string
}

func (e *claimError) Error() string { return e.Msg }

func (s *Server) handleClaimAPI(w http.ResponseWriter, r *http.Request) {
	c, err := s.readClaim(w, r)
	var ans *ClaimAnswer
	if err == nil {
		ans, err = s.checkClaim(c)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		ce := asClaimError(err)
		writeError(w, &apiErr{Status: ce.Status, Rule: ce.Msg})
		return
	}
	json.NewEncoder(w).Encode(ans)
}

func asClaimError(err error) *claimError {
	var ce *claimError
	if errors.As(err, &ce) {
		return ce
	}
	return &claimError{http.StatusBadRequest, err.Error()}
}

// readClaim reads a claim from JSON, a urlencoded form or a multipart
// form with an optional "image" file, refusing oversized and non-image
// uploads. The photograph is hashed as it streams in and never held: a
// claim costs a buffer whatever its size, and at most Limits.Uploads are
// read at once (Limits.UploadsPerAddr from one address).
func (s *Server) readClaim(w http.ResponseWriter, r *http.Request) (*Claim, error) {
	done, err := s.limits.startUpload(clientAddr(r))
	if err != nil {
		w.Header().Set("Retry-After", "5")
		return nil, &claimError{http.StatusTooManyRequests, err.(*apiErr).Rule}
	}
	defer done()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	// Only a multipart form carries a photograph; anything else is the
	// form's fields alone.
	limit, overLimit := int64(MaxClaimUpload), "the upload is larger than 10 MiB: send a smaller scan or photo"
	if ct != "multipart/form-data" {
		limit, overLimit = maxClaimFields, "a claim without a photograph is at most 64 KiB: the station, the contest and one count per candidate"
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	tooLarge := func(err error, otherwise *claimError) error {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return &claimError{http.StatusRequestEntityTooLarge, overLimit}
		}
		return otherwise
	}
	if ct == "application/json" {
		var c Claim
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, tooLarge(err, &claimError{http.StatusBadRequest, "the body is not a claim: " + err.Error()})
		}
		if c.ImageSHA256 != "" && !hexHash.MatchString(c.ImageSHA256) {
			return nil, &claimError{http.StatusBadRequest, "image_sha256 must be 64 lower-case hex digits"}
		}
		return &c, nil
	}
	form := url.Values{}
	var image *hashed
	if ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, &claimError{http.StatusBadRequest, "the form could not be read: " + err.Error()}
		}
		fields, parts := int64(0), 0
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			// An empty part costs its header and a form entry, not field
			// bytes: count the parts too.
			if parts++; parts > maxClaimParts {
				return nil, &claimError{http.StatusRequestEntityTooLarge, fmt.Sprintf("a claim's form has at most %d fields: the station, the contest, one count per candidate and the photograph", maxClaimParts)}
			}
			if err != nil {
				return nil, tooLarge(err, &claimError{http.StatusBadRequest, "the form could not be read: " + err.Error()})
			}
			if p.FormName() == "image" && p.FileName() != "" {
				if image != nil {
					return nil, &claimError{http.StatusBadRequest, "send one photograph per claim"}
				}
				if image, err = hashStream(p, MaxImage); err != nil {
					return nil, tooLarge(err, &claimError{http.StatusBadRequest, "the photograph could not be read: " + err.Error()})
				}
				continue
			}
			v, err := io.ReadAll(io.LimitReader(p, maxClaimFields-fields+1))
			if err != nil {
				return nil, tooLarge(err, &claimError{http.StatusBadRequest, "the form could not be read: " + err.Error()})
			}
			if fields += int64(len(p.FormName()) + len(v)); fields > maxClaimFields {
				return nil, &claimError{http.StatusRequestEntityTooLarge, "the form's fields are larger than 64 KiB"}
			}
			form.Add(p.FormName(), string(v))
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return nil, tooLarge(err, &claimError{http.StatusBadRequest, "the form could not be read: " + err.Error()})
		}
		form = r.Form
	}
	c := &Claim{Station: strings.TrimSpace(form.Get("station")), Contest: strings.TrimSpace(form.Get("contest")), Votes: map[string]int64{}}
	for k, vs := range form {
		id, ok := strings.CutPrefix(k, "votes.")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(vs[0]), 10, 64)
		if err != nil || n < 0 {
			return nil, &claimError{http.StatusBadRequest, fmt.Sprintf("the votes for candidate %s must be a whole number, not %q", id, vs[0])}
		}
		c.Votes[id] = n
	}
	if len(c.Votes) == 0 {
		c.Votes = nil
	}
	if image != nil {
		if err := checkUpload(image.head, image.size); err != nil {
			return nil, err
		}
		c.ImageSHA256 = image.sum
	}
	return c, nil
}

// maxClaimFields bounds the claim form's fields other than the photograph
// (names and values), and the whole body of a claim without one: a JSON
// or urlencoded claim of many distinct vote keys would otherwise cost
// several times its size in a map.
const maxClaimFields = 64 << 10

// maxClaimParts bounds a multipart claim's parts: a contest's candidates,
// with room to spare, and the station, contest and photograph.
const maxClaimParts = 200

// hashed is an upload read through SHA-256 and dropped.
type hashed struct {
	sum  string
	size int64
	head []byte // the first 512 bytes, for content sniffing
}

// hashStream hashes r, keeping its first 512 bytes; more than max bytes is
// too large (size max+1 is returned, for checkUpload to refuse).
func hashStream(r io.Reader, max int64) (*hashed, error) {
	hw := &headWriter{h: sha256.New()}
	n, err := io.Copy(hw, io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	return &hashed{sum: hex.EncodeToString(hw.h.Sum(nil)), size: n, head: hw.head}, nil
}

// checkUpload refuses an empty, oversized or non-image upload, from its
// size and its first bytes.
func checkUpload(head []byte, size int64) error {
	switch typ := http.DetectContentType(head); {
	case size > MaxImage:
		return &claimError{http.StatusRequestEntityTooLarge, "the photograph is larger than 10 MiB: send a smaller scan or photo"}
	case size == 0:
		return &claimError{http.StatusBadRequest, "the photograph is empty"}
	case !claimImageTypes[typ]:
		return &claimError{http.StatusUnsupportedMediaType, fmt.Sprintf("the upload is %s, not a photograph: send a JPEG, PNG or WebP image, or a PDF scan", typ)}
	}
	return nil
}

// checkClaim compares a claim with the station's logged sheets.
func (s *Server) checkClaim(c *Claim) (*ClaimAnswer, error) {
	if c.Station == "" {
		return nil, &claimError{http.StatusBadRequest, "choose the polling station the sheet is from (for example NA-57/PS-112)"}
	}
	var ans *ClaimAnswer
	var err error
	s.Tally.Read(func(v *tally.View) { ans, err = compareClaim(v, c) })
	if err == nil && ans.Sheet != nil && hexHash.MatchString(ans.Sheet.Image) {
		if _, serr := os.Stat(filepath.Join(s.Dir.ImagesDir(), ans.Sheet.Image)); serr == nil {
			ans.Scan = "/images/" + ans.Sheet.Image
		}
	}
	return ans, err
}

func compareClaim(v *tally.View, c *Claim) (*ClaimAnswer, error) {
	st, ok := v.Station(c.Station)
	if !ok && v.Definition() != nil {
		if id, found := resolveStation(v.Definition(), c.Station); found {
			st, ok = v.Station(id)
		}
	}
	if !ok {
		return nil, &claimError{http.StatusNotFound, fmt.Sprintf("there is no polling station %q in this election: check the station ID", c.Station)}
	}
	sc, err := pickContest(st, c.Contest)
	if err != nil {
		return nil, err
	}
	ans := &ClaimAnswer{Station: st.ID, Contest: sc.Contest, Sheet: sc.Current, Versions: sc.History, Attestations: sc.Attestations,
		Image: "not given", Numbers: "not given"}
	if def := v.Definition(); def != nil {
		if ct, ok := def.Contest(sc.Contest); ok {
			ans.Names = map[string]string{}
			for _, cand := range ct.Candidates {
				ans.Candidates = append(ans.Candidates, cand.ID)
				ans.Names[cand.ID] = cand.Name
			}
		}
	}
	if sc.Current == nil {
		ans.Verdict = "no sheet logged"
		ans.say("No sheet of %s for %s is in the log yet: nothing to compare with.", st.ID, sc.Contest)
		return ans, nil
	}
	if c.ImageSHA256 != "" {
		ans.Image = "different"
		for i := range sc.History {
			if sc.History[i].Image == c.ImageSHA256 {
				ans.Image = "same"
				if !sc.History[i].Current {
					ans.MatchedVersion = &sc.History[i]
				}
				break
			}
		}
	}
	if c.Votes != nil {
		if err := claimedAll(c.Votes, sc.Current.Votes); err != nil {
			return nil, err
		}
		ans.Numbers = "same"
		for _, n := range sc.Current.Votes {
			if c.Votes[n.Candidate] != n.Votes {
				ans.Numbers = "different"
				ans.Differences = append(ans.Differences, tally.CandidateDiff{Candidate: n.Candidate, Declared: c.Votes[n.Candidate], Sheets: n.Votes, Delta: c.Votes[n.Candidate] - n.Votes})
			}
		}
		if ans.Numbers == "different" && ans.MatchedVersion == nil {
			for i := range sc.History {
				if sameVotes(c.Votes, sc.History[i].Votes) {
					ans.MatchedVersion = &sc.History[i]
				}
			}
		}
	}
	cur := sc.Current
	switch {
	case ans.Image == "not given" && ans.Numbers == "not given":
		return nil, &claimError{http.StatusBadRequest, "type the numbers you saw for each candidate, or upload the photograph"}
	case ans.Image == "same" && ans.MatchedVersion == nil:
		ans.Verdict = "same image"
		ans.say("The photograph is the scan of the logged sheet of %s (revision %d, logged at index %d, signed by %s).", st.ID, cur.Revision, cur.Index, cur.Signer)
	case ans.Numbers == "same":
		ans.Verdict = "same numbers"
		ans.say("The numbers are those of the logged sheet of %s (revision %d, logged at index %d, signed by %s).", st.ID, cur.Revision, cur.Index, cur.Signer)
		if ans.Image == "different" {
			ans.say("The photograph is not the logged file, which a copy re-compressed by a messaging app never is: compare it with the logged scan by eye.")
		}
	case ans.Image == "different" && ans.Numbers == "not given":
		ans.Verdict = "cannot compare"
		ans.say("The photograph is not the file logged for %s, but a genuine photo re-compressed by a messaging app never is, so this cannot tell whether it shows the same sheet. Look at the logged scan beside yours and enter the numbers you see for each candidate.", st.ID)
	default:
		ans.Verdict = "different"
		ans.say("This differs from the logged sheet of %s (revision %d, logged at index %d, signed by %s).", st.ID, cur.Revision, cur.Index, cur.Signer)
		if mv := ans.MatchedVersion; mv != nil {
			ans.say("It matches the sheet logged at index %d (revision %d), which is not the one counted.", mv.Index, mv.Revision)
		}
	}
	if c.ImageSHA256 != "" && ans.Image == "different" {
		ans.submit = []sentence{{claimSubmit, []any{st.ID, c.ImageSHA256, c.ImageSHA256}}}
		ans.Submit = fmt.Sprintf(claimSubmit, st.ID, c.ImageSHA256, c.ImageSHA256)
	}
	return ans, nil
}

// claimSubmit says how to make an unmatched photograph evidence.
const claimSubmit = "The photograph was not stored. If you are an accredited observer or agent, sign an attestation (kind copy) of %s naming image %s with your key (tallylog sign), submit it, then PUT the photograph to /api/v1/images/%s."

func pickContest(st tally.StationResult, contest string) (tally.StationContest, error) {
	var ids []string
	for _, sc := range st.Contests {
		if sc.Contest == contest || (contest == "" && len(st.Contests) == 1) {
			return sc, nil
		}
		ids = append(ids, sc.Contest)
	}
	if contest == "" {
		return tally.StationContest{}, &claimError{http.StatusBadRequest, fmt.Sprintf("%s votes in %s: choose the contest the sheet is for", st.ID, strings.Join(ids, " and "))}
	}
	return tally.StationContest{}, &claimError{http.StatusNotFound, fmt.Sprintf("%s does not vote in %s; it votes in %s", st.ID, contest, strings.Join(ids, " and "))}
}

// claimedAll refuses claimed votes for candidates who are not on the ballot.
func claimedAll(claimed map[string]int64, logged []record.Count) error {
	on := map[string]bool{}
	for _, n := range logged {
		on[n.Candidate] = true
	}
	for id := range claimed {
		if !on[id] {
			return &claimError{http.StatusBadRequest, fmt.Sprintf("candidate %q is not on this ballot", id)}
		}
	}
	return nil
}

func sameVotes(claimed map[string]int64, logged []record.Count) bool {
	for _, n := range logged {
		if claimed[n.Candidate] != n.Votes {
			return false
		}
	}
	return true
}

// handleEvidence serves a contest's evidence pack. A pack is built once per
// published checkpoint into DIR/packs/, streamed to disk and capped at
// Limits.PackBytes, and served from the file: however many clients
// download it, however slowly, the server holds a file descriptor each,
// not the pack.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	contest := r.PathValue("contest")
	var known bool
	s.Tally.Read(func(v *tally.View) {
		if def := v.Definition(); def != nil {
			_, known = def.Contest(contest)
		}
	})
	if !known {
		writeError(w, &apiErr{Status: http.StatusNotFound, Rule: fmt.Sprintf("there is no contest %q in this election", contest)})
		return
	}
	f, size, err := s.EvidencePack(r.Context(), contest, s.limits.cfg.PackBytes)
	if err != nil {
		status, field := http.StatusServiceUnavailable, "server"
		if errors.Is(err, node.ErrPackTooLarge) {
			status, field = http.StatusInsufficientStorage, "pack"
		}
		writeError(w, &apiErr{Status: status, Field: field, Rule: "the evidence pack could not be built: " + err.Error()})
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="evidence-%s-%d.zip"`, strings.ReplaceAll(contest, "/", "_"), size))
	http.ServeContent(w, r, "", time.Time{}, f)
}
