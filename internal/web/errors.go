package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/tallylog/tallylog/internal/intake"
)

// apiErr is every error answer of the API (/api/v1/..., the submission API
// and the claim checker), in one JSON shape (docs/api.md, "Errors"):
//
//	{"error": "<field>: <rule>", "code": "refused", "field": "station", "rule": "..."}
//
// error is the whole sentence to show a person; code names the class of
// error for programs (one per HTTP status, see statusCodes); field names
// what was wrong ("" when it is the request as a whole); rule says what it
// must be and what to do next.
type apiErr struct {
	Status int
	Field  string
	Rule   string
}

func (e *apiErr) Error() string {
	if e.Field == "" {
		return e.Rule
	}
	return e.Field + ": " + e.Rule
}

// errorBody is the JSON of an apiErr.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field"`
	Rule  string `json:"rule"`
}

func (e *apiErr) body() errorBody {
	code := statusCodes[e.Status]
	if code == "" {
		code = "error"
	}
	return errorBody{Error: e.Error(), Code: code, Field: e.Field, Rule: e.Rule}
}

// statusCodes are the codes of the error answers.
var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "refused",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusInternalServerError:   "internal",
	http.StatusServiceUnavailable:    "unavailable",
}

// intakeStatus is the one place the intake's kinds of error become HTTP
// statuses.
var intakeStatus = []struct {
	kind   error
	status int
}{
	{intake.ErrMalformed, http.StatusBadRequest},
	{intake.ErrForbidden, http.StatusForbidden},
	{intake.ErrConflict, http.StatusConflict},
	{intake.ErrRefused, http.StatusUnprocessableEntity},
	{intake.ErrQuota, http.StatusTooManyRequests},
	{intake.ErrUnavailable, http.StatusServiceUnavailable},
	{intake.ErrInternal, http.StatusInternalServerError},
}

// asAPIError turns any error into its answer: an *apiErr as it is, an
// intake error by its kind, anything else as a 503 to retry.
func asAPIError(err error) *apiErr {
	var ae *apiErr
	if errors.As(err, &ae) {
		return ae
	}
	var ie *intake.Error
	if errors.As(err, &ie) {
		for _, k := range intakeStatus {
			if errors.Is(err, k.kind) {
				return &apiErr{Status: k.status, Field: ie.Field, Rule: ie.Rule}
			}
		}
	}
	return &apiErr{Status: http.StatusServiceUnavailable, Field: "server", Rule: err.Error() + "; retry"}
}

// writeError answers with the error's status and its JSON body. Error
// answers are never cached.
func writeError(w http.ResponseWriter, err error) {
	e := asAPIError(err)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(e.body())
}
