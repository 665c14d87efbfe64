package audit

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/ppeb_draw.json from the implementation")

// goldenFrame is a small constituency: three candidates, twelve stations and
// 41 postal votes outside every station, so two margins and their lcm are
// exercised.
func goldenFrame() Contest {
	c := Contest{
		ID:         "NA-55",
		Candidates: []string{"PML-N", "IND-PTI", "PPP"},
		Winners:    []string{"PML-N"},
		Pending:    0,
	}
	for i := range 12 {
		pmln, ind, ppp := int64(300+17*i), int64(340+11*(i%5)), int64(60+13*(i%4))
		c.Stations = append(c.Stations, Station{
			ID:      fmt.Sprintf("NA-55/PS-%03d", 101+i*7%12),
			Votes:   []int64{pmln, ind, ppp},
			Ballots: pmln + ind + ppp + int64(5+i%3),
		})
	}
	c.Totals = make([]int64, 3)
	for _, s := range c.Stations {
		for j, v := range s.Votes {
			c.Totals[j] += v
		}
	}
	c.Totals[1] += 29 // postal votes
	c.Totals[0] += 12
	return c
}

const goldenSeed = "01382438112797316654"

type goldenFile struct {
	Comment     string
	Contest     Contest
	Seed        string
	Margins     []Margin
	ErrorBounds [][2]string // station, u_p as "a/b"
	U           string
	Draws       []Draw
}

func makeGolden(t *testing.T) goldenFile {
	c := goldenFrame()
	a, err := Prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	g := goldenFile{
		Comment: "PPEB draw vectors for tallylog's audit package; docs/audit.md, section \"PPEB draw\", says how to recompute them.",
		Contest: c, Seed: goldenSeed, Margins: a.Margins(), U: a.U().RatString(),
	}
	for _, id := range a.StationIDs() {
		g.ErrorBounds = append(g.ErrorBounds, [2]string{id, a.ErrorBound(id).RatString()})
	}
	if g.Draws, err = a.Draw(goldenSeed, 1, 20); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestDrawGolden(t *testing.T) {
	path := filepath.Join("testdata", "ppeb_draw.json")
	got := goldenJSON(t, makeGolden(t))
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("draw differs from %s (run go test -run TestDrawGolden -update only for a deliberate change of the specification)\ngot:\n%s", path, got)
	}
}

// goldenJSON writes g as JSON with one station, bound or draw per line, so
// the file reads (and diffs) as a table.
func goldenJSON(t *testing.T, g goldenFile) []byte {
	line := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	list := func(name string, n int, item func(int) any) string {
		out := fmt.Sprintf("  %q: [\n", name)
		for i := range n {
			sep := ",\n"
			if i == n-1 {
				sep = "\n"
			}
			out += "    " + line(item(i)) + sep
		}
		return out + "  ]"
	}
	stations := g.Contest.Stations
	g.Contest.Stations = nil
	parts := []string{
		fmt.Sprintf("  %q: %s", "Comment", line(g.Comment)),
		fmt.Sprintf("  %q: %s", "Seed", line(g.Seed)),
		fmt.Sprintf("  %q: %s", "Contest", line(g.Contest)),
		list("Stations", len(stations), func(i int) any { return stations[i] }),
		list("Margins", len(g.Margins), func(i int) any { return g.Margins[i] }),
		list("ErrorBounds", len(g.ErrorBounds), func(i int) any { return g.ErrorBounds[i] }),
		fmt.Sprintf("  %q: %s", "U", line(g.U)),
		list("Draws", len(g.Draws), func(i int) any { return g.Draws[i] }),
	}
	return []byte("{\n" + strings.Join(parts, ",\n") + "\n}\n")
}

// drawByDefinition recomputes a draw straight from the specification with
// rationals: the first station j, in ID order, with r < (u_1 + … + u_j) / U.
func drawByDefinition(a *Audit, ticket string) string {
	r, _ := new(big.Rat).SetString(ticket)
	r.Mul(r, a.U())
	sum := new(big.Rat)
	for _, id := range a.StationIDs() {
		sum.Add(sum, a.ErrorBound(id))
		if r.Cmp(sum) < 0 {
			return id
		}
	}
	return ""
}

func TestDrawMatchesDefinition(t *testing.T) {
	for _, a := range []*Audit{mustPrepare(t, goldenFrame()), arloAudit(t, "Contest C")} {
		draws, err := a.Draw("definition", 1, 300)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range draws {
			if want := drawByDefinition(a, d.Ticket); d.Station != want || d.Ticket != FirstFraction(DrawID(a.ContestID(), d.Index), "definition") {
				t.Fatalf("%s draw %d: %s, want %s", a.ContestID(), d.Index, d.Station, want)
			}
		}
	}
}

func mustPrepare(t testing.TB, c Contest) *Audit {
	t.Helper()
	a, err := Prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDrawProportional checks that stations are drawn in proportion to u_p:
// 40,000 draws over weights 1:2:3:4:0, each count within 5 standard
// deviations of its expectation.
func TestDrawProportional(t *testing.T) {
	c := Contest{ID: "P", Candidates: []string{"w", "l"}, Winners: []string{"w"}, Totals: []int64{1000, 0}}
	// Station i has v_w = b, v_l = 0, so u_i = (b − 0 + b)/V = 2b/V.
	for i, b := range []int64{100, 200, 300, 400, 0} {
		c.Stations = append(c.Stations, Station{fmt.Sprint(i), []int64{b, 0}, b})
	}
	a := mustPrepare(t, c)
	const n = 40000
	draws, err := a.Draw("proportional", 1, n)
	if err != nil {
		t.Fatal(err)
	}
	freq := map[string]int{}
	for _, d := range draws {
		freq[d.Station]++
	}
	for i, w := range []float64{1, 2, 3, 4, 0} {
		p := w / 10
		mean, sd := n*p, math.Sqrt(n*p*(1-p))
		if got := float64(freq[fmt.Sprint(i)]); math.Abs(got-mean) > 5*sd || (w == 0 && got != 0) {
			t.Errorf("station %d drawn %v times, want %v ± %v", i, got, mean, 5*sd)
		}
	}
}

// TestDrawConsistentAndPerContest: later rounds extend the sample, and the
// same seed gives independent streams to different contests.
func TestDrawConsistentAndPerContest(t *testing.T) {
	a := arloAudit(t, "Contest A")
	all, _ := a.Draw("seed", 1, 15)
	first, _ := a.Draw("seed", 1, 10)
	more, _ := a.Draw("seed", 11, 5)
	if !slices.Equal(all, append(first, more...)) {
		t.Errorf("Draw(1,10)+Draw(11,5) != Draw(1,15)")
	}
	c := goldenFrame()
	na := mustPrepare(t, c)
	c.ID = "PP-12"
	pp := mustPrepare(t, c)
	d1, _ := na.Draw("seed", 1, 20)
	d2, _ := pp.Draw("seed", 1, 20)
	same := 0
	for i := range d1 {
		if d1[i].Ticket == d2[i].Ticket {
			same++
		}
	}
	if same != 0 {
		t.Errorf("contests NA-55 and PP-12 share %d tickets under one seed", same)
	}
}

func TestRiskRecomputesDraw(t *testing.T) {
	a := arloAudit(t, "Contest A")
	n, _ := a.Plan(quarter)
	draws, _ := a.Draw("ceremony seed 8127365", 1, n)
	var ids []string
	for _, d := range draws {
		ids = append(ids, d.Station)
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(ids)))
	r, err := a.Risk(quarter, "ceremony seed 8127365", n, clean(a, distinct...))
	if err != nil {
		t.Fatal(err)
	}
	// 30 clean draws: P = (20/21)^30 ≈ 0.231 ≤ 0.25.
	if !r.Stop || r.P.Cmp(ratPow(big.NewRat(20, 21), 30)) != 0 {
		t.Errorf("clean first round: %+v; want stop with P = (20/21)^30", r)
	}
}
