package record

import (
	"slices"
	"testing"
)

func TestReferences(t *testing.T) {
	const a, b = "aa", "bb" // References only reads the fields; Check validates them
	for _, c := range []struct {
		r    Record
		want []string
	}{
		{&Sheet{}, nil},
		{&Sheet{Supersedes: a}, []string{a}},
		{&Sheet{Supersedes: a, Order: b}, []string{a, b}},
		{&Declaration{Supersedes: a}, []string{a}},
		{&Declaration{}, nil},
		{&Attestation{Kind: "countersign", Sheet: b}, []string{b}},
		{&Attestation{Kind: "copy"}, nil},
		{&Order{}, nil}, // names stations, not records
		{&Keys{}, nil},
	} {
		if got := References(c.r); !slices.Equal(got, c.want) {
			t.Errorf("References(%T %+v) = %q, want %q", c.r, c.r, got, c.want)
		}
	}
}
