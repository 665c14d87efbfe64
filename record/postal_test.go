package record

import (
	"strings"
	"testing"
)

// TestPostalAccountRules: the postal account's own rules, each refusal
// naming its field.
func TestPostalAccountRules(t *testing.T) {
	good := "tallylog/v1 postal-account\nelection pk-ge2024\nlog results.example.pk/ge2024\ncontest NA-57\nissued 1200\naccounted 2024-02-08T09:30:00Z\n"
	rec, err := ParseBody([]byte(good))
	if err != nil {
		t.Fatalf("valid account refused: %v", err)
	}
	if pa, ok := rec.(*PostalAccount); !ok || pa.Issued != 1200 || pa.Contest != "NA-57" {
		t.Fatalf("parsed %#v", rec)
	}
	cases := []struct{ old, new, want string }{
		{"issued 1200", "issued -3", `issued: "-3" is not a count`},
		{"issued 1200", "issued 1000000001", `issued: "1000000001" is not a count`},
		{"issued 1200\n", "", `issued: required here`},
		{"contest NA-57", "contest NA 57", `contest: "NA 57" is not an identifier`},
		{"accounted 2024-02-08T09:30:00Z", "accounted 2024-02-08", `accounted: "2024-02-08" is not a UTC time`},
		{"accounted 2024-02-08T09:30:00Z\n", "accounted 2024-02-08T09:30:00Z\nreason late\n", `reason: unexpected field here`},
	}
	for _, c := range cases {
		_, err := ParseBody([]byte(strings.Replace(good, c.old, c.new, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q -> %q: got %v, want %q", c.old, c.new, err, c.want)
		}
	}
	if _, err := FromJSON([]byte(`{"type":"postal-account","election":"e","log":"results.example.pk/e","contest":"c","issued":5,"accounted":"2024-02-08T09:30:00Z","extra":1}`)); err == nil ||
		!strings.Contains(err.Error(), "$.extra: unknown field") {
		t.Errorf("unknown JSON field: got %v", err)
	}
	// The audit records still parse through the same extension chain.
	if _, err := FromJSON([]byte(`{"type":"audit-reveal","election":"e","log":"results.example.pk/e","contest":"c","seed":"12345678901234567890","revealed":"2024-02-08T09:30:00Z"}`)); err != nil {
		t.Errorf("audit record after the postal account joined the chain: %v", err)
	}
}
