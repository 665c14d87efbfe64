package registry

import (
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
)

// WindowDays is how many days after polling day the election's window
// stays open: the 180 days Pakistan's Elections Act 2017 (section 148)
// gives an election tribunal to decide a petition, so that a recount it
// orders, the sheets of that recount and the audits still fall inside.
const WindowDays = 180

// Window returns the election's window: from 00:00 on polling day in the
// election's time zone (nothing is counted, declared or attested before
// the poll) to 00:00 on the day after the WindowDays-th day after polling
// day, exclusive. Every time and date a record carries must fall inside
// it; the election record's creation time is exempt.
func Window(def *election.Definition) (start, end time.Time) {
	start, _ = time.ParseInLocation(record.DateLayout, def.PollingDay, def.Location())
	return start, start.AddDate(0, 0, WindowDays+1)
}

// checkStamps refuses a record whose times or dates fall outside the
// election's window. A date is inside if its day overlaps the window.
//
// When the definition says when polling closes, it also refuses a record
// that follows the count dated before the close, less ClockSkew for a
// device's clock: a station's sheet, an agent's or observer's word on it,
// a declaration, an order to count again. The count begins when the poll
// closes; a sheet dated at midday is a count made while people were still
// voting. A postal-ballot account is made before the close and is not
// concerned.
func (r *Registry) checkStamps(rec record.Record) error {
	start, end := Window(r.def)
	close, afterClose := r.def.Close()
	switch rec.(type) {
	case *record.Sheet, *record.Attestation, *record.Declaration, *record.Order:
	default:
		afterClose = false
	}
	for _, s := range record.Stamps(rec) {
		var from, to time.Time
		if s.Date {
			day, _ := time.ParseInLocation(record.DateLayout, s.Value, r.def.Location())
			from, to = day, day.AddDate(0, 0, 1)
		} else {
			from = record.Time(s.Value)
			to = from.Add(time.Second)
		}
		if !to.After(start) || !from.Before(end) {
			return reject(s.Field, "%s is outside the election's window, %s to %s (from polling day to %d days after it): a record's time is when it was made, and nothing of this election is made outside it",
				s.Value, record.FormatTime(start), record.FormatTime(end), WindowDays)
		}
		if afterClose && !s.Date && from.Before(close.Add(-ClockSkew)) {
			return reject(s.Field, "%s is before polling closed at %s: this %s follows the count, which begins when the poll closes; sign it with the time it was made",
				s.Value, record.FormatTime(close), rec.Type())
		}
	}
	return nil
}
