package audit

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBadContest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*Contest)
		kind   error
		field  string
		phrase string
	}{
		{"one candidate", func(c *Contest) { c.Candidates = c.Candidates[:1] }, ErrInvalidInput, "contest.candidates", "need 2"},
		{"duplicate candidate", func(c *Contest) { c.Candidates[2] = "PML-N" }, ErrInvalidInput, "contest.candidates[2]", "repeats"},
		{"unknown winner", func(c *Contest) { c.Winners = []string{"PTI"} }, ErrInvalidInput, "contest.winners[0]", "not a candidate"},
		{"everyone wins", func(c *Contest) { c.Winners = c.Candidates }, ErrInvalidInput, "contest.winners", "one loser"},
		{"totals length", func(c *Contest) { c.Totals = c.Totals[:2] }, ErrInvalidInput, "contest.totals", "2 entries for 3 candidates"},
		{"negative pending", func(c *Contest) { c.Pending = -1 }, ErrInvalidInput, "contest.pending", "outside"},
		{"no stations", func(c *Contest) { c.Stations = nil }, ErrInvalidInput, "contest.stations", "empty"},
		{"empty station id", func(c *Contest) { c.Stations[4].ID = "" }, ErrInvalidInput, "contest.stations[4].id", "empty"},
		{"invalid utf-8", func(c *Contest) { c.Stations[4].ID = "PS-\xff" }, ErrInvalidInput, "contest.stations[4].id", "UTF-8"},
		{"duplicate station", func(c *Contest) { c.Stations[7].ID = c.Stations[2].ID }, ErrInvalidInput, ".id", "repeats"},
		{"negative votes", func(c *Contest) { c.Stations[3].Votes = []int64{-1, 2, 3} }, ErrInvalidInput, "contest.stations[3].votes[0]", "outside"},
		{"votes above ballots", func(c *Contest) { c.Stations[3].Ballots = 10 }, ErrInvalidInput, "contest.stations[3].votes", "more than its 10 ballots"},
		{"short votes", func(c *Contest) { c.Stations[3].Votes = c.Stations[3].Votes[:2] }, ErrInvalidInput, "contest.stations[3].votes", "2 entries for 3 candidates"},
		{"stations above declaration", func(c *Contest) { c.Totals[0] -= 100 }, ErrInconsistentFrame, "contest.totals", "cannot hold fewer votes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goldenFrame()
			c.Stations = append([]Station(nil), c.Stations...)
			c.Candidates = append([]string(nil), c.Candidates...)
			c.Totals = append([]int64(nil), c.Totals...)
			tc.edit(&c)
			_, err := Prepare(c)
			checkErr(t, err, tc.kind, tc.field, tc.phrase)
		})
	}
}

func checkErr(t *testing.T, err error, kind error, field, phrase string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) || !errors.Is(err, kind) {
		t.Fatalf("err = %v; want an *InputError of kind %v", err, kind)
	}
	if !strings.Contains(ie.Field, field) || !strings.Contains(ie.Rule, phrase) || ie.Hint == "" {
		t.Errorf("err = %q; want field %q, a rule saying %q and a hint", err, field, phrase)
	}
}

func TestBadHandCounts(t *testing.T) {
	a := mustPrepare(t, goldenFrame())
	draws, err := a.Draw(goldenSeed, 1, 5) // PS-107, PS-104, PS-112, PS-108, PS-111
	if err != nil {
		t.Fatal(err)
	}
	var drawn []string
	for _, d := range draws {
		drawn = append(drawn, d.Station)
	}
	good := func() []HandCount { return clean(a, drawn...) }
	for _, tc := range []struct {
		name   string
		edit   func([]HandCount) []HandCount
		kind   error
		field  string
		phrase string
	}{
		{"not in the sample", func(h []HandCount) []HandCount { return append(h, clean(a, "NA-55/PS-101")...) },
			ErrNotInSample, "counts[5].station", "was not drawn"},
		{"not in the frame", func(h []HandCount) []HandCount {
			return append(h, HandCount{Station: "NA-56/PS-001", Votes: []int64{1, 1, 1}, Ballots: 3})
		}, ErrInvalidInput, "counts[5].station", "not in the frame"},
		{"more ballots than issued", func(h []HandCount) []HandCount { h[2].Ballots++; return h },
			ErrTooManyBallots, "counts[2].ballots", "issued"},
		{"votes above ballots found", func(h []HandCount) []HandCount { h[1].Ballots = 100; return h },
			ErrInvalidInput, "counts[1].votes", "more than its 100 ballots"},
		{"negative votes", func(h []HandCount) []HandCount { h[0].Votes = []int64{5, -5, 0}; return h },
			ErrInvalidInput, "counts[0].votes[1]", "outside"},
		{"counted twice", func(h []HandCount) []HandCount { return append(h, h[3]) },
			ErrInvalidInput, "counts[5].station", "already counted in counts[3]"},
		{"missing count", func(h []HandCount) []HandCount { return h[1:] },
			ErrMissingCount, "counts", "draw 1 selected station"},
		{"empty station", func(h []HandCount) []HandCount { h[0].Station = ""; return h },
			ErrInvalidInput, "counts[0].station", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Risk(quarter, goldenSeed, 5, tc.edit(good()))
			checkErr(t, err, tc.kind, tc.field, tc.phrase)
		})
	}
	if _, err := a.Risk(quarter, goldenSeed, 5, good()); err != nil {
		t.Errorf("valid counts rejected: %v", err)
	}
}

func TestBadRiskLimitAndSeed(t *testing.T) {
	a := mustPrepare(t, goldenFrame())
	for _, alpha := range []*big.Rat{nil, big.NewRat(0, 1), big.NewRat(1, 1), big.NewRat(3, 2), big.NewRat(-1, 4), big.NewRat(1, 10_000_000_000)} {
		if _, err := a.Plan(alpha); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "riskLimit") {
			t.Errorf("Plan(%v): %v; want a riskLimit error", alpha, err)
		}
	}
	for _, seed := range []string{"", "\xff"} {
		if _, err := a.Draw(seed, 1, 1); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "seed") {
			t.Errorf("Draw(seed %q): %v; want a seed error", seed, err)
		}
	}
	if _, err := a.Draw("s", 0, 1); err == nil {
		t.Errorf("Draw from index 0 succeeded")
	}
}

func TestParseRiskLimit(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0.05", "1/20"}, {"5%", "1/20"}, {".1", "1/10"}, {"25%", "1/4"}, {"2.5%", "1/40"}, {"0.000000001", "1/1000000000"},
	} {
		got, err := ParseRiskLimit(tc.in)
		if err != nil || got.RatString() != tc.want {
			t.Errorf("ParseRiskLimit(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "%", "0", "1", "100%", "1.5", "-0.05", "+0.05", "1/20", "5e-2", "0.0_5", " 0.05", "0.05 ", "0..5", "5%%", "0.0000000001", "٠.٥"} {
		if _, err := ParseRiskLimit(bad); err == nil {
			t.Errorf("ParseRiskLimit(%q) succeeded", bad)
		}
	}
}

// FuzzParseRiskLimit: the parser never panics, and what it accepts is a
// plain decimal or percentage within the limits.
func FuzzParseRiskLimit(f *testing.F) {
	for _, s := range []string{"0.05", "5%", ".1", "1/2", "1e-2", "0x1p-3", "99.9999%", "0.", "00.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		alpha, err := ParseRiskLimit(s)
		if err != nil {
			if utf8.ValidString(s) && !utf8.ValidString(err.Error()) {
				t.Errorf("error message is not UTF-8")
			}
			return
		}
		if checkAlpha(alpha) != nil {
			t.Fatalf("accepted %q = %v outside the limits", s, alpha)
		}
		if strings.Trim(s, "0123456789.%") != "" || strings.Count(s, ".") > 1 {
			t.Fatalf("accepted %q with characters outside digits, '.', '%%'", s)
		}
		if pct := strings.HasSuffix(s, "%"); pct != (strings.Count(s, "%") == 1) {
			t.Fatalf("accepted %q with a misplaced '%%'", s)
		}
	})
}

// FuzzNextFraction: any decimal fraction gets a larger successor that keeps
// its leading 9s; anything else is rejected without panicking.
func FuzzNextFraction(f *testing.F) {
	for _, s := range []string{"0.25471", "0.", "0.999", "0.9", "1.0", "0.12a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, x string) {
		y, err := NextFraction(x)
		if err != nil {
			return
		}
		if !(y > x+"0") || !strings.HasPrefix(y, x[:firstNon9(x+"0")]) || checkFraction(y) != nil {
			t.Fatalf("NextFraction(%q) = %q", x, y)
		}
	})
}
