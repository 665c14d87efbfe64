package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Published vectors of ron-rivest/consistent_sampler: its doctests
// (pkg/consistent_sampler/consistent_sampler.py), README.md and
// USAGE_EXAMPLES.md, and Arlo's snapshots of it
// (server/tests/audit_math/snapshots/snap_test_sampler.py). A Python seed
// or id that is not a string appears here as its str() form.

func TestSHA256Uniform(t *testing.T) {
	if got, want := SeedHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("SeedHash(abc) = %s, want %s", got, want)
	}
	if got, want := SHA256Uniform("abc"), "0.56998071861792858926477341561059638840106636224182943832566300809078486324348"; got != want {
		t.Errorf("SHA256Uniform(abc) =\n%s, want\n%s", got, want)
	}
}

func TestFirstNextFraction(t *testing.T) {
	first := FirstFraction("AB-130", "01382438112797316654")
	if want := "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"; first != want {
		t.Errorf("FirstFraction(AB-130) = %s, want %s", first, want)
	}
	for _, tc := range []struct{ x, want string }{
		{"0.25471", "0.642853261655004694691182528114375607701032283189922170593838029306715548381901"},
		{first, "0.8232357229934205790595761924514048157652891124687533667363938813600770093316"},
		{"0.234", "0.547830802749402616364646686795722512609112766306951592422621788875312684400211"},
	} {
		got, err := NextFraction(tc.x)
		if err != nil || got != tc.want {
			t.Errorf("NextFraction(%s) = %s, %v; want %s", tc.x, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "1.5", "0.12a", "0,5", ".5"} {
		if _, err := NextFraction(bad); err == nil {
			t.Errorf("NextFraction(%q) succeeded; want an error", bad)
		}
	}
}

// TestNextFractionNines checks the leading-9s rule: the run of 9s is kept and
// the result is always larger than its input, also when x is all 9s.
func TestNextFractionNines(t *testing.T) {
	for _, x := range []string{"0.", "0.9", "0.999", "0.99912", "0.9999999999999999999999"} {
		y, err := NextFraction(x)
		if err != nil {
			t.Fatal(err)
		}
		if !(y > x+"0") || !strings.HasPrefix(y, x[:firstNon9(x+"0")]) {
			t.Errorf("NextFraction(%q) = %q: not larger, or lost the leading 9s", x, y)
		}
	}
}

func TestTrim(t *testing.T) {
	for _, tc := range []struct {
		x      string
		digits int
		want   string
	}{
		{"0.9991234567890", 4, "0.9991234"},
		{"0.123", 9, "0.123"},
		{"0.999", 2, "0.999"},
		{"0.12345", 0, "0."},
	} {
		if got := Trim(tc.x, tc.digits); got != tc.want {
			t.Errorf("Trim(%q, %d) = %q, want %q", tc.x, tc.digits, got, tc.want)
		}
	}
}

// render formats tickets as the original's output='tuple' with the given
// digits, or as ids when digits < 0.
func render(tickets []Ticket, digits int) string {
	var parts []string
	for _, tk := range tickets {
		if digits < 0 {
			parts = append(parts, tk.ID)
		} else {
			parts = append(parts, fmt.Sprintf("%s %s %d", Trim(tk.Number, digits), tk.ID, tk.Generation))
		}
	}
	return strings.Join(parts, ", ")
}

func rangeIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	return ids
}

func pctIDs() []string {
	var ids []string
	for k := 1; k <= 4; k++ {
		for n := 1; n <= 25; n++ {
			ids = append(ids, fmt.Sprintf("('pct %d', %d)", k, n))
		}
	}
	return ids
}

func TestSamplerVectors(t *testing.T) {
	const inf = 1 << 30
	for _, tc := range []struct {
		name       string
		ids        []string
		seed       string
		replace    bool
		drop, take int
		digits     int // -1: ids only
		want       string
	}{
		{"doctest with replacement", []string{"A#2", "B#7", "C#1", "D#4"}, "314159", true, 0, 8, -1,
			"D#4, C#1, C#1, B#7, A#2, C#1, D#4, B#7"},
		{"doctest tuples", []string{"ab-1", "ab-2", "cd-1", "ef-3"}, "314159", false, 0, inf, 9,
			"0.317685817 cd-1 1, 0.832984519 ef-3 1, 0.9098039269 ab-1 1, 0.9231549043 ab-2 1"},
		{"README example 1", []string{"A-1", "A-2", "A-3", "B-1", "B-2", "B-3"}, "314159", false, 0, 4, -1,
			"B-2, B-3, A-3, A-2"},
		{"README example 2", []string{"a1", "b2", "c3", "d4", "e5", "f6"}, "19283746", true, 0, 10, 9,
			"0.303241347 e5 1, 0.432145156 b2 1, 0.487135586 c3 1, 0.581779914 b2 2, 0.680782907 b2 3, " +
				"0.700258702 c3 2, 0.816686725 b2 4, 0.841870265 a1 1, 0.857737141 a1 2, 0.866227993 f6 1"},
		{"usage 1 shuffle", []string{"a", "b", "c", "d"}, "31", false, 0, inf, -1, "b, a, d, c"},
		{"usage 2 seed", []string{"a", "b", "c", "d"}, "77", false, 0, inf, -1, "b, d, c, a"},
		{"usage 3 mixed ids", []string{"1", "two", "('III', 3.0)", "(1, 1, 1, 1)"}, "7711", false, 0, inf, -1,
			"('III', 3.0), 1, two, (1, 1, 1, 1)"},
		{"usage 4 take", rangeIDs(100), "41", false, 0, 5, 9,
			"0.000508333 73 1, 0.003446232 51 1, 0.004419823 17 1, 0.020115273 58 1, 0.023482375 38 1"},
		{"usage 5 drop", rangeIDs(100), "41", false, 5, 5, -1, "42, 39, 20, 11, 67"},
		{"usage 5 take 10", rangeIDs(100), "41", false, 0, 10, -1, "73, 51, 17, 58, 38, 42, 39, 20, 11, 67"},
		{"usage 8 without", []string{"a", "b", "c", "d", "e"}, "52", false, 0, inf, 9,
			"0.054468191 d 1, 0.197384308 b 1, 0.302883911 e 1, 0.366142288 a 1, 0.492683857 c 1"},
		{"usage 8 with", []string{"a", "b", "c", "d", "e"}, "52", true, 0, 15, 9,
			"0.054468191 d 1, 0.075709054 d 2, 0.097719928 d 3, 0.197384308 b 1, 0.243379719 d 4, " +
				"0.255926637 b 2, 0.302883911 e 1, 0.366142288 a 1, 0.434726434 d 5, 0.492683857 c 1, " +
				"0.609720116 e 2, 0.647437512 a 2, 0.694790524 d 6, 0.756017834 a 3, 0.791946361 b 3"},
		{"usage 7 digits 9", []string{"a", "b"}, "52", true, 0, 20, 9,
			"0.197384308 b 1, 0.255926637 b 2, 0.366142288 a 1, 0.647437512 a 2, 0.756017834 a 3, " +
				"0.791946361 b 3, 0.808380564 a 4, 0.9198557294 a 5, 0.9413251822 b 4, 0.9442626691 b 5, " +
				"0.9640637133 b 6, 0.9686329377 a 6, 0.9768155032 a 7, 0.99512038467 a 8, 0.99579318063 a 9, " +
				"0.99583860264 b 7, 0.99600663461 b 8, 0.99681028452 b 9, 0.99840177044 b 10, 0.99882694976 b 11"},
		{"usage 7 digits 2", []string{"a", "b"}, "52", true, 0, 20, 2,
			"0.19 b 1, 0.25 b 2, 0.36 a 1, 0.64 a 2, 0.75 a 3, 0.79 b 3, 0.80 a 4, 0.919 a 5, 0.941 b 4, " +
				"0.944 b 5, 0.964 b 6, 0.968 a 6, 0.976 a 7, 0.9951 a 8, 0.9957 a 9, 0.9958 b 7, 0.9960 b 8, " +
				"0.9968 b 9, 0.9984 b 10, 0.9988 b 11"},
		{"Arlo draw_sample snapshot", pctIDs(), "12345678901234567890abcdefghijklmnopqrstuvwxyz😊", true, 0, 20, 18,
			"0.000617786129909912 ('pct 2', 3) 1, 0.002991631653037245 ('pct 3', 24) 1, " +
				"0.012057030610635061 ('pct 1', 25) 1, 0.017930028930651931 ('pct 4', 19) 1, " +
				"0.025599454926985137 ('pct 3', 15) 1, 0.045351055354441163 ('pct 1', 7) 1, " +
				"0.063913979803461405 ('pct 1', 8) 1, 0.064553852798863609 ('pct 1', 22) 1, " +
				"0.078998835671540970 ('pct 1', 20) 1, 0.090240829778172783 ('pct 3', 12) 1, " +
				"0.096136506157297637 ('pct 1', 20) 2, 0.104280162683637014 ('pct 4', 17) 1, " +
				"0.108948480696023984 ('pct 1', 25) 2, 0.111195681310332785 ('pct 1', 4) 1, " +
				"0.114438612046531251 ('pct 4', 3) 1, 0.130457464320709301 ('pct 2', 1) 1, " +
				"0.133484785501449819 ('pct 1', 12) 1, 0.134519219670087860 ('pct 3', 20) 1, " +
				"0.135840440920085144 ('pct 3', 10) 1, 0.138772253094235762 ('pct 4', 20) 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sample(tc.ids, tc.seed, tc.replace, tc.drop, tc.take)
			if err != nil {
				t.Fatal(err)
			}
			if s := render(got, tc.digits); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

// TestTicketHeapDoctest checks the generation-1 tickets of the original's
// make_ticket_heap doctest, in ticket order.
func TestTicketHeapDoctest(t *testing.T) {
	got, err := Sample([]string{"dog", "cat", "fish", "goat"}, "xy()134!g2n", false, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []Ticket{
		{"0.24866413894129579898796850445568128508290132707747976039848637531569373309555", "cat", 1},
		{"0.33886035615681875183111698317327684455682722683976874746986356932751818935066", "dog", 1},
		{"0.49599842072022713663423753308080171636735689997237236247068925068573448764387", "goat", 1},
		{"0.74685932088827950509145941729789143204056041958068799542050396198792954500593", "fish", 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// TestArloBatchTickets checks Arlo's PPEB ticket numbers, which chain
// NextFraction on the ticket trimmed to 18 digits (draw_ppeb_sample), against
// snapshot test_draw_macro_sample: batch ("Jx 1", "pct 8") was drawn three times.
func TestArloBatchTickets(t *testing.T) {
	const seed = "12345678901234567890abcdefghijklmnopqrstuvwxyz😊"
	ticket := Trim(FirstFraction("('Jx 1', 'pct 8')", seed), 18)
	for i, want := range []string{"0.642074320588256264", "0.697435332323894639", "0.878526714305113154"} {
		if ticket != want {
			t.Errorf("generation %d: %s, want %s", i+1, ticket, want)
		}
		next, err := NextFraction(ticket)
		if err != nil {
			t.Fatal(err)
		}
		ticket = Trim(next, 18)
	}
	if got := Trim(FirstFraction("('Jx 1', 'pct 14')", seed), 18); got != "0.9722586520568512638" {
		t.Errorf("pct 14: %s, want 0.9722586520568512638 (a leading 9 keeps one more digit)", got)
	}
}

// TestSamplerConsistency checks the property the sampler is named for: the
// stream of a sub-collection is the stream of the whole, filtered.
func TestSamplerConsistency(t *testing.T) {
	all := rangeIDs(300)
	var sub []string
	for i, id := range all {
		if i%3 == 0 {
			sub = append(sub, id)
		}
	}
	whole, _ := Sample(all, "consistency", true, 0, 900)
	part, _ := Sample(sub, "consistency", true, 0, 100)
	var filtered []Ticket
	for _, tk := range whole {
		if n, _ := strconv.Atoi(tk.ID); n%3 == 0 && len(filtered) < len(part) {
			filtered = append(filtered, tk)
		}
	}
	if !slices.Equal(filtered, part) {
		t.Errorf("sub-collection stream differs from the filtered whole stream")
	}
}

func TestSamplerRejectsDuplicates(t *testing.T) {
	_, err := NewSampler([]string{"a", "b", "a"}, "1", false)
	if err == nil || !strings.Contains(err.Error(), "ids[2]") {
		t.Errorf("duplicate ids: err = %v, want one naming ids[2]", err)
	}
}
