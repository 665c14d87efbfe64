package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/tallylog/tallylog/election"
)

// MinStations is the smallest Config.Stations: one station for each of the
// 593 provincial constituencies and for each of Islamabad's 3 National
// Assembly seats, which have no provincial contest.
const MinStations = 596

// seat is one National Assembly constituency and the provincial
// constituencies inside it.
type seat struct {
	na       int   // index of the NA contest in Definition.Contests
	pas      []int // indexes of its provincial contests (none in Islamabad)
	region   string
	district string // named city or district (Latin script), "" for the generic ones
	urban    bool   // Karachi or Hyderabad: MQM-P's ground, lower turnout
	stations []int  // how many stations vote in each PA (or in the NA alone)
}

// stationShare is each region's approximate share of Pakistan's 2024
// polling stations (ECP figures: Punjab about 51,000, Sindh 19,000,
// Khyber Pakhtunkhwa 15,700, Balochistan 5,000, Islamabad 1,000).
var stationShare = map[string]float64{
	"punjab": 50944, "sindh": 19236, "kp": 15697, "balochistan": 5028, "islamabad": 1013,
}

// districts names the constituencies the scenarios and the demo talk about,
// in Latin script and in Urdu (the ECP's Urdu lists number them with
// digits where the English ones use Roman numerals: "Lahore-III" is
// "لاہور-3"); the others are named by province and number.
var districts = func() map[int]namePart {
	m := map[int]namePart{
		49: {"Attock-I", "اٹک-1"}, 50: {"Attock-II", "اٹک-2"}, 51: {"Murree-cum-Rawalpindi", "مری کم راولپنڈی"},
		58: {"Chakwal-cum-Talagang", "چکوال کم تلہ گنگ"}, 59: {"Talagang-cum-Chakwal", "تلہ گنگ کم چکوال"},
		60: {"Jhelum-I", "جہلم-1"}, 61: {"Jhelum-II", "جہلم-2"},
	}
	roman := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII"}
	for _, d := range []struct {
		name        namePart
		first, last int
	}{{namePart{"Peshawar", "پشاور"}, 28, 32}, {namePart{"Islamabad", "اسلام آباد"}, 46, 48},
		{namePart{"Rawalpindi", "راولپنڈی"}, 52, 57}, {namePart{"Lahore", "لاہور"}, 117, 130},
		{namePart{"Hyderabad", "حیدرآباد"}, 218, 220}, {namePart{"Karachi", "کراچی"}, 229, 250},
		{namePart{"Quetta", "کوئٹہ"}, 262, 264}} {
		for n := d.first; n <= d.last; n++ {
			m[n] = namePart{d.name.latin + "-" + roman[n-d.first], fmt.Sprintf("%s-%d", d.name.urdu, n-d.first+1)}
		}
	}
	return m
}()

// regionTitle names the regions in Latin script and in Urdu.
var regionTitle = map[string]namePart{
	"punjab": {"Punjab", "پنجاب"}, "sindh": {"Sindh", "سندھ"}, "kp": {"Khyber Pakhtunkhwa", "خیبر پختونخوا"},
	"balochistan": {"Balochistan", "بلوچستان"}, "islamabad": {"Islamabad", "اسلام آباد"},
}

// layOut maps every NA constituency to the provincial constituencies of its
// region (consecutive blocks: 2 or 3 each, 3 or 4 in Balochistan), names the
// contests, and spreads the stations over them.
func layOut(def *election.Definition, stations int, r *rand.Rand) []seat {
	naOf := map[string][]int{}
	paOf := map[string][]int{}
	var regions []string
	for i, c := range def.Contests {
		if c.Assembly == "NA" {
			if len(naOf[c.Region]) == 0 {
				regions = append(regions, c.Region)
			}
			naOf[c.Region] = append(naOf[c.Region], i)
		} else {
			paOf[c.Region] = append(paOf[c.Region], i)
		}
	}
	var seats []seat
	for _, reg := range regions {
		nas, pas := naOf[reg], paOf[reg]
		for k, na := range nas {
			var n int
			fmt.Sscanf(def.Contests[na].ID, "NA-%d", &n)
			name, named := districts[n]
			s := seat{na: na, region: reg, district: name.latin, urban: n >= 218 && n <= 220 || n >= 229 && n <= 250}
			s.pas = pas[k*len(pas)/len(nas) : (k+1)*len(pas)/len(nas)]
			if !named {
				title := regionTitle[reg]
				name = namePart{fmt.Sprintf("%s %d", title.latin, k+1), fmt.Sprintf("%s %d", title.urdu, k+1)}
			}
			def.Contests[na].Name, def.Contests[na].LocalName = name.latin, name.urdu
			for j, pa := range s.pas {
				// "،" is the Arabic comma Urdu writes.
				def.Contests[pa].Name = fmt.Sprintf("%s, provincial %d", name.latin, j+1)
				def.Contests[pa].LocalName = fmt.Sprintf("%s، صوبائی %d", name.urdu, j+1)
			}
			seats = append(seats, s)
		}
	}
	spreadStations(seats, stations, r)
	return seats
}

// spreadStations gives each seat a number of stations (by its region's
// share, varied by ±20% between seats) and splits them among its provincial
// constituencies, at least one each.
func spreadStations(seats []seat, total int, r *rand.Rand) {
	perRegion := map[string]int{}
	for _, s := range seats {
		perRegion[s.region]++
	}
	weights := make([]float64, len(seats))
	floor := make([]int64, len(seats))
	for i, s := range seats {
		weights[i] = stationShare[s.region] / float64(perRegion[s.region]) * lognormal(r, 0.2)
		floor[i] = int64(max(1, len(s.pas)))
	}
	counts := apportion(int64(total), weights, floor)
	for i := range seats {
		s := &seats[i]
		if len(s.pas) == 0 {
			s.stations = []int{int(counts[i])}
			continue
		}
		w := make([]float64, len(s.pas))
		f := make([]int64, len(s.pas))
		for j := range w {
			w[j], f[j] = lognormal(r, 0.15), 1
		}
		for _, n := range apportion(counts[i], w, f) {
			s.stations = append(s.stations, int(n))
		}
	}
}
