package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Subsidy standards (补助标准) and audit findings: what the ledger checks
// payouts against and how it names what it finds. The checks themselves
// run on the read side (projections/findings.go); the domain owns the
// vocabulary so that writes and reads agree on it.

// StandardUnits are what a standard's amount is counted per: a household
// (户), a person (人, the household's members), a pupil (生) or a month (月).
var StandardUnits = []string{"household", "person", "pupil", "month"}

// Units answers how many units of a standard one payout line may pay for,
// and why: 1 for a household; the household's members for a person; for a
// pupil, also the members, because the register does not count pupils and
// no household has more pupils than people (a ceiling, not a count); for a
// month, the months the line's period spans (12 for a year, 6 for a half
// year "2019H1", 3 for a quarter "2019Q2", 1 for a month "2019-07"), and
// 12 for a period of another shape, the widest the ledger pays for.
func Units(unit string, members int, period string) int64 {
	switch unit {
	case "person", "pupil":
		return int64(max(members, 1))
	case "month":
		return PeriodMonths(period)
	default:
		return 1
	}
}

// PeriodMonths answers the months a payout period spans (see Units).
func PeriodMonths(period string) int64 {
	p := strings.ToUpper(strings.TrimSpace(period))
	digits := func(s string) bool {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return s != ""
	}
	switch {
	case len(p) == 4 && digits(p):
		return 12
	case len(p) == 6 && digits(p[:4]) && p[4] == 'H' && (p[5] == '1' || p[5] == '2'):
		return 6
	case len(p) == 6 && digits(p[:4]) && p[4] == 'Q' && p[5] >= '1' && p[5] <= '4':
		return 3
	case len(p) == 7 && digits(p[:4]) && p[4] == '-' && digits(p[5:]):
		return 1
	}
	return 12
}

// FindingKinds are the kinds of audit finding (审计发现), as DESIGN.md pins
// them: a closed, append-only list.
var FindingKinds = []string{"over_standard", "no_standard", "duplicate_payout", "payout_to_removed",
	"paid_before_funded", "idle_fund", "cancelled_holding", "duplicate_id_number"}

// FindingID names a finding stably: its kind and the first 12 hex digits
// of the SHA-256 of its subject (the line, household, item, fund or
// project it is about), so the same anomaly keeps its id across reads,
// replays and cuts, and an acknowledgement stays attached to it.
func FindingID(kind, subject string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + subject))
	return kind + "-" + hex.EncodeToString(sum[:6])
}

// validFindingID reports whether id has the shape FindingID gives.
func validFindingID(id string) bool {
	kind, tail, ok := strings.Cut(id, "-")
	if !ok || len(tail) != 12 {
		return false
	}
	for i := 0; i < len(tail); i++ {
		if c := tail[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	for _, k := range FindingKinds {
		if k == kind {
			return true
		}
	}
	return false
}
