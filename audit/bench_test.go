package audit

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The benchmarks run on a 1,000,000-station frame, the size of a national
// election's stations counted as one contest (Pakistan had 90,675 in 2024),
// and report each figure also as "sha256-64B/op": how many SHA-256 hashes of
// 64 bytes, measured in the same run, take as long. Ratios survive a change
// of machine better than nanoseconds. BENCHMARKS.md, "## Audit", records
// them.
//
//	go test -run '^$' -bench . -benchtime 3x ./audit/

const benchStations = 1_000_000

var (
	benchOnce  sync.Once
	benchAudit *Audit
	benchErr   error
	sha256ns   float64
)

// benchFrame builds, once, a two-candidate contest won 52% to 48% over
// 1,000,000 stations of 300 to 1,299 ballots.
func benchFrame(b *testing.B) *Audit {
	benchOnce.Do(func() {
		c := Contest{ID: "NATIONAL", Candidates: []string{"w", "l"}, Winners: []string{"w"}, Totals: make([]int64, 2)}
		c.Stations = make([]Station, benchStations)
		for i := range c.Stations {
			ballots := int64(300 + (i*7919)%1000)
			w := ballots * (48 + int64(i%9)) / 100
			l := ballots*96/100 - w
			c.Stations[i] = Station{ID: fmt.Sprintf("S-%07d", i), Votes: []int64{w, l}, Ballots: ballots}
			c.Totals[0] += w
			c.Totals[1] += l
		}
		benchAudit, benchErr = Prepare(c)
		sha256ns = referenceSHA256()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchAudit
}

// referenceSHA256 returns the time of one SHA-256 of 64 bytes, in ns.
func referenceSHA256() float64 {
	var buf [64]byte
	const n = 1 << 21
	start := time.Now()
	for i := range n {
		buf[0] = byte(i)
		sum := sha256.Sum256(buf[:])
		buf[1] = sum[0]
	}
	return float64(time.Since(start).Nanoseconds()) / n
}

func reportRatio(b *testing.B) {
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/sha256ns, "sha256-64B/op")
}

// BenchmarkPrepare1M: validate the frame and compute every u_p and U.
func BenchmarkPrepare1M(b *testing.B) {
	a := benchFrame(b)
	c := Contest{ID: a.id, Candidates: a.candidates, Winners: []string{"w"}, Totals: []int64{0, 0}, Stations: a.stations}
	for _, s := range a.stations {
		c.Totals[0] += s.Votes[0]
		c.Totals[1] += s.Votes[1]
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Prepare(c); err != nil {
			b.Fatal(err)
		}
	}
	reportRatio(b)
}

// BenchmarkDraw1M: 1,000 PPEB draws from the frame.
func BenchmarkDraw1M(b *testing.B) {
	a := benchFrame(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Draw("31415926535897932384", 1, 1000); err != nil {
			b.Fatal(err)
		}
	}
	reportRatio(b)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/draw")
}

// BenchmarkRisk1M: plan the first round, draw it, and measure the risk of
// its hand counts (one in ten off by 3 votes), as tallylog verify does for
// every round.
func BenchmarkRisk1M(b *testing.B) {
	a := benchFrame(b)
	alpha := MinRiskLimit
	n, err := a.Plan(alpha)
	if err != nil {
		b.Fatal(err)
	}
	draws, _ := a.Draw("31415926535897932384", 1, n)
	var sample []string
	counts := map[string]HandCount{}
	for k, d := range draws {
		sample = append(sample, d.Station)
		if _, ok := counts[d.Station]; ok {
			continue
		}
		i, _ := a.find(d.Station)
		s := a.stations[i]
		hc := HandCount{Station: s.ID, Votes: []int64{s.Votes[0], s.Votes[1]}, Ballots: s.Ballots}
		if k%10 == 0 {
			hc.Votes[0] -= 3
			hc.Votes[1] += 3
		}
		counts[d.Station] = hc
	}
	var list []HandCount
	for _, hc := range counts {
		list = append(list, hc)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Plan(alpha); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Measure(alpha, sample, list); err != nil {
			b.Fatal(err)
		}
	}
	reportRatio(b)
	b.ReportMetric(float64(n), "draws")
}

// BenchmarkConsistentSampler1M: Rivest's consistent sampler itself over
// 1,000,000 ids (a ticket for every id, then 1,000 draws with
// replacement): the workload Arlo's issue #1181 calls "functionally
// unusable" in its Python form.
func BenchmarkConsistentSampler1M(b *testing.B) {
	a := benchFrame(b)
	ids := a.StationIDs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Sample(ids, "31415926535897932384", true, 0, 1000); err != nil {
			b.Fatal(err)
		}
	}
	reportRatio(b)
}
