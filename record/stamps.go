package record

// Stamp is one time or date a record carries, which a registry checks
// against the election's window.
type Stamp struct {
	Field string // the field's key, as in the body
	Value string // record.TimeLayout, or DateLayout if Date
	Date  bool
}

// Stamps returns the times and dates a record carries, other than the
// election record's creation time (a log is opened before its election).
func Stamps(r Record) []Stamp {
	t := func(field, v string) []Stamp { return []Stamp{{Field: field, Value: v}} }
	d := func(field, v string) []Stamp { return []Stamp{{Field: field, Value: v, Date: true}} }
	switch r := r.(type) {
	case *Sheet:
		return t("captured", r.Captured)
	case *Declaration:
		return t("declared", r.Declared)
	case *Attestation:
		return t("captured", r.Captured)
	case *Affiliation:
		return d("joined", r.Joined)
	case *Gazette:
		return d("notified", r.Notified)
	case *Order:
		return t("ordered", r.Ordered)
	case *PostalAccount:
		return t("accounted", r.Accounted)
	case *AuditCommit:
		return t("committed", r.Committed)
	case *AuditReveal:
		return t("revealed", r.Revealed)
	case *AuditCount:
		return t("captured", r.Captured)
	case *AuditRound:
		return t("ended", r.Ended)
	}
	return nil
}
