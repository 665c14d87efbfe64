package sim

import (
	"math/rand/v2"
	"time"

	"github.com/tallylog/tallylog/election"
)

// Times are seconds after polls close (17:00 in Pakistan).

// window is when a region's sheets arrive, in minutes after polls close:
// Islamabad first (17:30 to 20:00), then Punjab, Khyber Pakhtunkhwa, Sindh
// and Balochistan, the last by 01:30.
var window = map[string][2]float64{
	"islamabad": {30, 180}, "punjab": {60, 450}, "kp": {90, 480}, "sindh": {120, 510}, "balochistan": {180, 510},
}

const (
	// lastSheet bounds the arrival of corrections and second sheets.
	lastSheet = 528 * 60
	// lastDeclaration bounds provisional declarations: 01:58, before the
	// 02:00 deadline.
	lastDeclaration = 538 * 60
)

// PollsClose returns the instant polls close: 17:00 on polling day in the
// election's time zone.
func PollsClose(def *election.Definition) time.Time {
	day, _ := time.ParseInLocation("2006-01-02", def.PollingDay, def.Location())
	return day.Add(17 * time.Hour)
}

// clock draws arrival times.
type clock struct{ r *rand.Rand }

// contestPeak returns a constituency's busiest time within its region's
// window: where the triangular distribution of its stations peaks.
func (c clock) contestPeak(region string) float64 {
	w := window[region]
	return w[0] + (w[1]-w[0])*(0.15+0.4*c.r.Float64())
}

// sheet returns a station's sheet arrival and capture times: arrivals follow
// a triangular distribution over the region's window; capture precedes
// arrival by one to ten minutes, or by half an hour to two hours for the one
// station in thirty that stores and forwards.
func (c clock) sheet(region string, peak float64) (arrival, captured int64) {
	w := window[region]
	arrival = int64(triangular(c.r, w[0], peak, w[1]) * 60)
	delay := int64(between(c.r, 60, 600))
	if c.r.IntN(30) == 0 {
		delay = int64(between(c.r, 1800, 7200))
	}
	return arrival, max(15*60, arrival-delay)
}

// after returns a time lo to hi seconds after t, but no later than limit
// (and always after t, given t < limit).
func (c clock) after(t int64, lo, hi int, limit int64) int64 {
	return min(t+int64(between(c.r, lo, hi)), max(limit, t+1))
}
