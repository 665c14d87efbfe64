package audit

import "errors"

// Kinds of input error. Every error this package returns for bad input is an
// *InputError whose Kind is one of these, so callers can branch with
// errors.Is and still show the user the field, the rule and the next step.
var (
	// ErrInvalidInput: a contest, station, seed or count breaks a stated rule.
	ErrInvalidInput = errors.New("invalid audit input")
	// ErrInconsistentFrame: the stations' reported votes exceed the declared
	// totals, so the declaration cannot be the sum of its stations.
	ErrInconsistentFrame = errors.New("frame inconsistent with the declared result")
	// ErrNotInSample: a hand count names a station the draw did not select.
	ErrNotInSample = errors.New("hand count for a station not in the sample")
	// ErrMissingCount: a drawn station has no hand count yet.
	ErrMissingCount = errors.New("drawn station not hand-counted")
	// ErrTooManyBallots: a hand count finds more ballots than the station
	// reported issuing.
	ErrTooManyBallots = errors.New("hand count exceeds the ballots issued")
	// ErrFullHandCount: the reported margin is zero or negative, so no sample
	// can confirm the outcome; every station must be hand-counted.
	ErrFullHandCount = errors.New("full hand count required")
)

// An InputError names the offending field (a path such as
// "counts[3].ballots"), the rule it breaks, and what the user should do next.
type InputError struct {
	Field string
	Rule  string
	Hint  string
	Kind  error
}

func (e *InputError) Error() string {
	msg := "audit: " + e.Field + ": " + e.Rule
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns the Kind, so errors.Is(err, ErrNotInSample) works.
func (e *InputError) Unwrap() error { return e.Kind }
