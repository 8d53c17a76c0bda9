package projections

import (
	"reflect"
	"testing"
)

// TestFundTraceIsStableAndInOrder: a fund's trace does not depend on the
// order the model's maps are walked in: asked again it is the same, its
// payouts are in commit order, and a batch's lines in the batch's order.
func TestFundTraceIsStableAndInOrder(t *testing.T) {
	m := demoModel(t, Cut{})
	batches := 0
	for _, id := range m.IDs(KindFunds) {
		first, _ := m.TraceFund(id)
		for range 5 { // Go walks a map in a different order each time
			if again, _ := m.TraceFund(id); !reflect.DeepEqual(first, again) {
				t.Fatalf("fund %s: the trace changed when asked again", id)
			}
		}
		var last uint64
		for _, p := range first.Payouts {
			w := p.Batch + p.Payout
			seq := m.line(p.Households[0].Household, w).Seq
			if seq < last {
				t.Fatalf("fund %s: payout %s (commit %d) after commit %d", id, w, seq, last)
			}
			last = seq
			if b := m.st.Batches[p.Batch]; p.Batch != "" && b != nil {
				batches++
				k := 0
				for _, h := range b.Households {
					if k < len(p.Households) && p.Households[k].Household == h {
						k++
					}
				}
				if k != len(p.Households) {
					t.Fatalf("fund %s batch %s: lines not in the batch's order", id, p.Batch)
				}
			}
		}
	}
	if batches == 0 {
		t.Fatal("the demo's traces hold no batch")
	}
}
