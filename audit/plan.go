package audit

import (
	"fmt"
	"math/big"
	"strings"
)

// Plan returns the first-round sample size for risk limit α: the number of
// draws that confirms the outcome if none of them shows a discrepancy, plus
// one (Arlo's pad against small discrepancies), capped at the number of
// stations. It is ceil(ln α / ln(1 − 1/U)) + 1, computed as the least m with
// (1 − 1/U)^m ≤ α, exactly. When FullHandCountRequired it returns the number
// of stations.
func (a *Audit) Plan(alpha *big.Rat) (int, error) {
	if err := checkAlpha(alpha); err != nil {
		return 0, err
	}
	if a.fullCount {
		return len(a.stations), nil
	}
	return a.nextSize(alpha, ratOne), nil
}

// MinRiskLimit is the smallest risk limit accepted: 10^-9.
var MinRiskLimit = big.NewRat(1, 1_000_000_000)

func checkAlpha(alpha *big.Rat) error {
	if alpha == nil || alpha.Cmp(MinRiskLimit) < 0 || alpha.Cmp(ratOne) >= 0 {
		return invalid("riskLimit", fmt.Sprintf("%v must be at least 10^-9 and below 1", alpha), `give a fraction such as "0.05" or a percentage such as "5%"`)
	}
	return nil
}

// ParseRiskLimit reads a risk limit written as a decimal fraction ("0.05",
// ".05") or a percentage ("5%", "2.5%"): ASCII digits with at most one
// point, no sign, exponent or spaces. The value must satisfy
// 10^-9 ≤ α < 1. The result is exact: "0.1" is 1/10, not a binary float.
func ParseRiskLimit(s string) (*big.Rat, error) {
	digits, percent := strings.CutSuffix(s, "%")
	if err := checkDecimal(digits); err != nil {
		return nil, invalid("riskLimit", fmt.Sprintf("%q: %v", s, err), `write it as "0.05" or "5%"`)
	}
	alpha, ok := new(big.Rat).SetString(digits)
	if !ok {
		return nil, invalid("riskLimit", fmt.Sprintf("%q is not a number", s), `write it as "0.05" or "5%"`)
	}
	if percent {
		alpha.Quo(alpha, big.NewRat(100, 1))
	}
	if err := checkAlpha(alpha); err != nil {
		return nil, invalid("riskLimit", fmt.Sprintf("%q is %s; it must be at least 10^-9 and below 1", s, alpha.RatString()), "a risk limit is a probability, such as 5% or 0.05")
	}
	return alpha, nil
}

// checkDecimal accepts digits with at most one '.', at least one digit, and
// at most 40 characters, so big.Rat's wider syntax (signs, exponents,
// fractions "a/b", underscores) never applies.
func checkDecimal(s string) error {
	if len(s) == 0 || len(s) > 40 {
		return fmt.Errorf("must have 1 to 40 characters")
	}
	points, digits := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			points++
		case '0' <= c && c <= '9':
			digits++
		default:
			return fmt.Errorf("byte %d (%q) is not a digit or '.'", i, c)
		}
	}
	if points > 1 || digits == 0 {
		return fmt.Errorf("must be digits with at most one '.'")
	}
	return nil
}
