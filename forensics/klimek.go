package forensics

import (
	"math"
	"math/rand/v2"
)

// Klimek, Yegorov, Hanel & Thurner, "Statistical detection of systematic
// election irregularities", PNAS 109(41):16469–16473 (2012),
// doi:10.1073/pnas.1210722109.
//
// Fair units draw turnout a ~ N(τ, σ_τ) and leader share v ~ N(ν, σ_ν),
// truncated to [0, 1]. With probability f_i a unit has incremental fraud
// x ~ |N(0, θ)| (truncated to (0, 1)), with probability f_e extreme fraud
// x = 1 − |N(0, 0.075)|, otherwise x = 0; the reported values are
//
//	W/N = a·v + x·(1 − a) + x^α·a·(1 − v)    t' = a + x·(1 − a)
//
// (ballots stuffed from non-voters, and votes taken from opponents).
//
// Initial parameters follow the procedure with which Kobak reproduced the
// paper's values (dkobak/elections, meduza2018): over stations with ballots
// in the boxes, τ and ν are the first local maxima above 0.3 of Gaussian
// KDEs (Scott's bandwidth, evaluated on a 0.001 grid) of turnout and leader
// share; σ_τ is the RMS of t − τ over stations below both modes, σ_ν the RMS
// of v − ν below ν, and θ the square root of the RMS of v − ν above ν. The
// KDE is computed on a linear binning of the data at 1e-5 resolution, whose
// error is far below the differences between neighbouring grid points.
//
// (f_i, f_e, α) are then fitted by simulation and grid search: units are
// simulated with common random numbers (the same draws at every grid point,
// so the objective is smooth), and the squared distance between observed
// and simulated 2-D histograms (2-point bins) is minimised over a coarse
// grid (f_i step 0.1, f_e step 0.01 up to 0.1, α ∈ {0.5, 1, …, 2.5}) and a
// finer one around its best point.
//
// Caveat: model-based fraud magnitudes are not robust to the estimator. For
// Russia 2011 Klimek et al. report f_i = 0.64 where Mebane and Kalinin's
// likelihood fit of the same model type gives 0.12.

// KlimekCaveat is printed with every fit.
const KlimekCaveat = "fraud magnitudes fitted with this model are not robust to the estimator " +
	"(Russia 2011: f_i = 0.64 by Klimek et al., 0.12 by Mebane and Kalinin), so they are reported, never headlined"

// Klimek holds the model's parameters for one data set.
type Klimek struct {
	Tau      float64 `json:"tau"`
	Nu       float64 `json:"nu"`
	SigmaTau float64 `json:"sigma_tau"`
	SigmaNu  float64 `json:"sigma_nu"`
	Theta    float64 `json:"theta"`
	Fitted   bool    `json:"fitted"`
	Fi       float64 `json:"f_i"`
	Fe       float64 `json:"f_e"`
	AlphaFit float64 `json:"alpha"`
	// Distance is the fit's objective at the best point; FairDistance is
	// the same with f_i = f_e = 0.
	Distance     float64 `json:"distance"`
	FairDistance float64 `json:"fair_distance"`
	Caveat       string  `json:"caveat"`
}

// KlimekParams are the parameters of the model, for simulation.
type KlimekParams struct {
	Tau, Nu, SigmaTau, SigmaNu, Theta float64
	Fi, Fe, Alpha                     float64
}

func runKlimek(d *dataset, opt *Options) Klimek {
	var t, v []float64
	for i := range d.st {
		s := &d.st[i]
		if s.InBox() > 0 && s.Registered > 0 {
			t = append(t, float64(s.Ballots)/float64(s.Registered))
			v = append(v, float64(s.Votes[d.leader])/float64(s.InBox()))
		}
	}
	k := klimekInitial(t, v)
	k.Caveat = KlimekCaveat
	if opt.SkipKlimekFit || k.SigmaTau == 0 || k.SigmaNu == 0 {
		return k
	}
	var obsT, obsS []float64
	for i := range d.st {
		s := &d.st[i]
		if placed(s, opt.MinRegistered) && s.Ballots <= s.Registered {
			obsT = append(obsT, float64(s.Ballots)/float64(s.Registered))
			obsS = append(obsS, float64(s.Votes[d.leader])/float64(s.InBox()))
		}
	}
	if len(obsT) < 100 {
		return k
	}
	p := KlimekParams{Tau: k.Tau, Nu: k.Nu, SigmaTau: k.SigmaTau, SigmaNu: k.SigmaNu, Theta: k.Theta}
	best, fair := klimekFit(obsT, obsS, p, opt)
	k.Fitted = true
	k.Fi, k.Fe, k.AlphaFit, k.Distance = best.Fi, best.Fe, best.Alpha, best.dist
	k.FairDistance = fair
	return k
}

// klimekInitial estimates τ, ν, σ_τ, σ_ν and θ.
func klimekInitial(t, v []float64) Klimek {
	var k Klimek
	if len(t) < 2 {
		return k
	}
	k.Tau = firstModeAbove(t, 0.3)
	k.Nu = firstModeAbove(v, 0.3)
	var st, sn, sp float64
	var nt, nn, np int
	for i := range t {
		dt, dv := t[i]-k.Tau, v[i]-k.Nu
		if dt < 0 && dv < 0 {
			st += dt * dt
			nt++
		}
		if dv < 0 {
			sn += dv * dv
			nn++
		} else if dv > 0 {
			sp += dv * dv
			np++
		}
	}
	if nt > 0 {
		k.SigmaTau = math.Sqrt(st / float64(nt))
	}
	if nn > 0 {
		k.SigmaNu = math.Sqrt(sn / float64(nn))
	}
	if np > 0 {
		k.Theta = math.Sqrt(math.Sqrt(sp / float64(np)))
	}
	return k
}

// firstModeAbove returns the first grid point x_j = j·0.001 > from at which
// a Gaussian KDE with Scott's bandwidth starts to decrease.
func firstModeAbove(x []float64, from float64) float64 {
	n := float64(len(x))
	sd := stddev(x)
	h := sd * math.Pow(n, -0.2)
	if h == 0 || math.IsNaN(h) {
		return 0
	}
	const delta = 1e-5
	const lo, hi = -0.5, 1.5
	nb := int((hi-lo)/delta) + 2
	bins := make([]float64, nb)
	for _, v := range x { // linear binning
		if v < lo || v >= hi || math.IsNaN(v) {
			continue
		}
		pos := (v - lo) / delta
		i := int(pos)
		f := pos - float64(i)
		bins[i] += 1 - f
		bins[i+1] += f
	}
	reach := int(8*h/delta) + 1
	kern := make([]float64, reach+1)
	for k := range kern {
		z := float64(k) * delta / h
		kern[k] = math.Exp(-0.5 * z * z)
	}
	dens := func(xj float64) float64 {
		c := int(math.Round((xj - lo) / delta))
		var s float64
		for b := max(0, c-reach); b <= min(nb-1, c+reach); b++ {
			s += bins[b] * kern[abs(b-c)]
		}
		return s
	}
	prev := math.NaN()
	for j := 0; j < 1000; j++ {
		xj := float64(j) * 0.001
		if xj <= from {
			continue
		}
		if math.IsNaN(prev) {
			prev = dens(xj)
		}
		next := dens(float64(j+1) * 0.001)
		if next < prev {
			return xj
		}
		prev = next
	}
	return 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// klimekUnits are the common random numbers of a simulation.
type klimekUnits struct {
	a, v, u, xi, xe []float64
}

// truncNormal draws N(mu, sd) truncated to [lo, hi] by rejection.
func truncNormal(g *rand.PCG, mu, sd, lo, hi float64) float64 {
	for range 1000 {
		x := mu + sd*normal(g)
		if x >= lo && x <= hi {
			return x
		}
	}
	return min(max(mu, lo), hi)
}

func newKlimekUnits(m int, p KlimekParams, g *rand.PCG) *klimekUnits {
	k := &klimekUnits{make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)}
	for i := range m {
		k.a[i] = truncNormal(g, p.Tau, p.SigmaTau, 0, 1)
		k.v[i] = truncNormal(g, p.Nu, p.SigmaNu, 0, 1)
		k.u[i] = uniform(g)
		k.xi[i] = math.Abs(truncNormal(g, 0, p.Theta, -1, 1))
		k.xe[i] = 1 - math.Abs(truncNormal(g, 0, 0.075, -1, 1))
	}
	return k
}

// unit returns the reported turnout and leader share of unit i.
func (k *klimekUnits) unit(i int, fi, fe, alpha float64) (t, s float64) {
	a, v := k.a[i], k.v[i]
	var x float64
	switch u := k.u[i]; {
	case u < fi:
		x = k.xi[i]
	case u < fi+fe:
		x = k.xe[i]
	}
	t = a + x*(1-a)
	w := a * v
	if x > 0 {
		w += x*(1-a) + math.Pow(x, alpha)*a*(1-v)
	}
	if t <= 0 {
		return 0, 0
	}
	return t, w / t
}

// SimulateKlimek draws m units of the Klimek model and returns their
// turnout and leader share. It is deterministic for a seed.
func SimulateKlimek(m int, p KlimekParams, seed uint64) (t, s []float64) {
	k := newKlimekUnits(m, p, newPCG(seed, streamKlimek, 1<<40))
	t, s = make([]float64, m), make([]float64, m)
	for i := range m {
		t[i], s[i] = k.unit(i, p.Fi, p.Fe, p.Alpha)
	}
	return t, s
}

const fitBins = 51 // 2-point bins, centred

func fitHist(t, s []float64) []float64 {
	h := make([]float64, fitBins*fitBins)
	for i := range t {
		h[bin(t[i], 50, 50)*fitBins+bin(s[i], 50, 50)]++
	}
	for i := range h {
		h[i] /= float64(len(t))
	}
	return h
}

type klimekPoint struct {
	Fi, Fe, Alpha, dist float64
}

// klimekFit grid-searches (f_i, f_e, α).
func klimekFit(obsT, obsS []float64, p KlimekParams, opt *Options) (klimekPoint, float64) {
	obs := fitHist(obsT, obsS)
	m := min(len(obsT), 20000)
	units := newKlimekUnits(m, p, newPCG(opt.Seed, streamKlimek, 0))
	eval := func(pts []klimekPoint) {
		forEach(len(pts), opt.Workers, func(i int) {
			h := make([]float64, fitBins*fitBins)
			for u := range m {
				t, s := units.unit(u, pts[i].Fi, pts[i].Fe, pts[i].Alpha)
				h[bin(t, 50, 50)*fitBins+bin(s, 50, 50)]++
			}
			var dist float64
			for b := range h {
				diff := obs[b] - h[b]/float64(m)
				dist += diff * diff
			}
			pts[i].dist = dist
		})
	}
	var grid []klimekPoint
	for fi := 0; fi <= 10; fi++ {
		for fe := 0; fe <= 10; fe++ {
			for a := 1; a <= 5; a++ {
				grid = append(grid, klimekPoint{Fi: float64(fi) / 10, Fe: float64(fe) / 100, Alpha: float64(a) / 2})
			}
		}
	}
	eval(grid)
	best := argminPoint(grid)
	fair := grid[0].dist // f_i = f_e = 0 (α irrelevant)
	var fine []klimekPoint
	for i := -2; i <= 2; i++ {
		for j := -2; j <= 2; j++ {
			for k := -2; k <= 2; k++ {
				fi := best.Fi + float64(i)*0.025
				fe := best.Fe + float64(j)*0.0025
				a := best.Alpha + float64(k)*0.125
				if fi < 0 || fi > 1 || fe < 0 || fi+fe > 1 || a <= 0 {
					continue
				}
				fine = append(fine, klimekPoint{Fi: round4(fi), Fe: round4(fe), Alpha: round4(a)})
			}
		}
	}
	eval(fine)
	if b := argminPoint(fine); b.dist < best.dist {
		best = b
	}
	return best, fair
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func argminPoint(pts []klimekPoint) klimekPoint {
	best := pts[0]
	for _, p := range pts[1:] {
		if p.dist < best.dist {
			best = p
		}
	}
	return best
}

func describeKlimek(k Klimek) Message {
	if k.Fitted {
		return say(msgKlimekFitted, k.Tau, k.SigmaTau, k.Nu, k.SigmaNu, k.Theta,
			k.Fi, k.Fe, k.AlphaFit, k.Distance, k.FairDistance, say(msgKlimekCaveat), caveat())
	}
	return say(msgKlimek, k.Tau, k.SigmaTau, k.Nu, k.SigmaNu, k.Theta, say(msgKlimekCaveat), caveat())
}
