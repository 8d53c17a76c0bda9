package projections

import (
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// TestLineCopiesShareNoBankPart: frozen copies lines with their bank part
// shared, so a bank result or a re-issue link on one copy must not show in
// the other (setBank makes a new part rather than changing the shared one).
func TestLineCopiesShareNoBankPart(t *testing.T) {
	var live line
	live.setBank(lineBank{Bank: "failed", Reason: "账户已销户"})
	frozen := live
	live.setBank(lineBank{Bank: "failed", Reason: "账户已销户", ReissuedBy: "PO2"})
	if got := frozen.banked(); got.ReissuedBy != "" {
		t.Fatalf("the frozen copy sees the live line's re-issue: %+v", got)
	}
	live.setBank(lineBank{})
	if live.bank != nil || frozen.banked().Bank != "failed" {
		t.Fatalf("clearing: live %+v, frozen %+v", live.bank, frozen.banked())
	}
}

// TestLineKindsAreInterned: the lines of one payout run share one kind,
// and a kind differing in any field is another.
func TestLineKindsAreInterned(t *testing.T) {
	m := NewModel("341504")
	k := lineKind{Item: "光伏扶贫补助", Period: "2019", Fund: "A1", Day: "2019-07-01"}
	a, b := m.kind(k), m.kind(lineKind{Item: string([]byte("光伏扶贫补助")), Period: "2019", Fund: "A1", Day: "2019-07-01"})
	if a != b {
		t.Fatal("equal kinds are not shared")
	}
	k.Day = "2019-07-02"
	if c := m.kind(k); c == a || c.Day != "2019-07-02" {
		t.Fatalf("another day got kind %+v", *c)
	}
}

// TestWriteCopiesShareNoRarePart: as for lines, a reversal marked on the
// live write must not show in a frozen copy of it.
func TestWriteCopiesShareNoRarePart(t *testing.T) {
	live := newWrite(domain.TypeFundsAppropriated, "A1", "", domain.Fen(100), writeMore{Project: "P1"})
	frozen := *live
	x := live.extra()
	x.ReversedBy = "R1"
	live.setExtra(x)
	if got := frozen.extra(); got.ReversedBy != "" || got.Project != "P1" {
		t.Fatalf("the frozen copy sees the live write's reversal: %+v", got)
	}
}

// TestHouseholdLinesGrowByAQuarter: a household's lines keep at most a
// quarter (and two) spare, not append's doubling.
func TestHouseholdLinesGrowByAQuarter(t *testing.T) {
	var h household
	for i := range 1000 {
		h.addLine(line{Seq: uint64(i)})
		if n := len(h.Lines); cap(h.Lines) > n+2+n/4 || h.Lines[i].Seq != uint64(i) {
			t.Fatalf("%d lines in a capacity of %d", n, cap(h.Lines))
		}
	}
}
