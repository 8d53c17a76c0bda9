package domain_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	. "github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/gen"
	"pgregory.net/rapid"
)

// refWrite is a write as the state kept it before it was compacted (issue
// 14): every field, postings as the event recorded them.
type refWrite struct {
	Type                          EventType
	Postings                      []Posting
	Project, Reverses, ReversedBy string
	Amount                        Money
}

// refApply keeps the reference writes the straightforward way.
func refApply(ref map[string]*refWrite, e Event) {
	switch e := e.(type) {
	case FundAllocated:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Amount: e.Amount}
	case FundIntegrated:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Amount: e.Amount}
	case FundsAppropriated:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Project: e.Project, Amount: e.Amount}
	case ProjectPaid:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Project: e.Project, Amount: e.Amount}
	case FundsRecovered:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Project: e.Project, Amount: e.Amount}
	case PayoutMade:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Amount: e.Amount}
	case PayoutBatchAccepted:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Amount: e.Control.Amount}
	case WriteReversed:
		ref[e.ID] = &refWrite{Type: e.EventType(), Postings: e.Postings, Reverses: e.Reverses}
		if t := ref[e.Reverses]; t != nil {
			t.ReversedBy = e.ID
		}
	}
}

// sameWrites fails unless every compact write answers what the reference
// holds, postings to the account and the fen, in order.
func sameWrites(t *rapid.T, s *State, ref map[string]*refWrite) {
	if len(s.Writes) != len(ref) {
		t.Fatalf("%d writes, the reference holds %d", len(s.Writes), len(ref))
	}
	for id, r := range ref {
		w, ok := s.Writes[id]
		if !ok {
			t.Fatalf("write %q missing", id)
		}
		if w.Type() != r.Type || w.Project() != r.Project || w.Reverses() != r.Reverses || w.ReversedBy() != r.ReversedBy ||
			!w.Amount().Equal(r.Amount) {
			t.Fatalf("write %q: %s %q %q %q %s, reference %+v", id, w.Type(), w.Project(), w.Reverses(), w.ReversedBy(), w.Amount(), *r)
		}
		ps := s.Postings(w)
		if len(ps) != len(r.Postings) {
			t.Fatalf("write %q: postings %v, reference %v", id, ps, r.Postings)
		}
		for i := range ps {
			if ps[i].Account != r.Postings[i].Account || !ps[i].Amount.Equal(r.Postings[i].Amount) {
				t.Fatalf("write %q: postings %v, reference %v", id, ps, r.Postings)
			}
		}
	}
}

// drawWithReissues adds what gen.Draw never draws: re-issues of batch
// lines, new cards, and reversals of the last few writes.
func drawWithReissues(t *rapid.T, i int) Command {
	switch rapid.IntRange(0, 5).Draw(t, "extra") {
	case 0:
		return Payout{ID: fmt.Sprintf("W%d", i), Household: "H0", Item: "产业直补", Standard: "5000.00", Period: "2019", Fund: "A0",
			Amount:    AmountText(Fen(rapid.Int64Range(1, 200_000).Draw(t, "fen")).String()),
			ReissueOf: fmt.Sprintf("W%d/H%d", rapid.IntRange(0, i).Draw(t, "batch"), rapid.IntRange(0, 1).Draw(t, "line"))}
	case 1:
		return ChangeBankCard{Household: "H0", BankName: "农商银行", BankAccount: fmt.Sprintf("62170000%08d", i)}
	case 2:
		return Reverse{ID: fmt.Sprintf("W%d", i), Reverses: fmt.Sprintf("W%d", max(0, i-rapid.IntRange(1, 3).Draw(t, "back"))), Reason: "冲正"}
	default:
		return gen.Draw(t, i)
	}
}

// TestCompactWritesDecideAsBefore: for random command sequences (reversals
// of reversals, batches, bank results, re-issues, duplicate ids,
// overdrafts), every compact write answers exactly what the plain
// reference keeps, and a state read back from its snapshot encoding
// decides every next command exactly as the live one: the same events, to
// the byte, or the same error.
func TestCompactWritesDecideAsBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := NewState()
		ref := map[string]*refWrite{}
		apply := func(c Command) {
			var buf bytes.Buffer
			if err := EncodeState(&buf, s); err != nil {
				t.Fatal(err)
			}
			back, err := DecodeState(&buf)
			if err != nil {
				t.Fatal(err)
			}
			events, err := Decide(s, c)
			again, errAgain := Decide(back, c)
			if !reflect.DeepEqual(err, errAgain) {
				t.Fatalf("%s: live %v, from the encoding %v", c.CommandName(), err, errAgain)
			}
			a, _ := EncodeEvents(events)
			b, _ := EncodeEvents(again)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: live %s, from the encoding %s", c.CommandName(), a, b)
			}
			for _, e := range events {
				s.Apply(e)
				refApply(ref, e)
			}
		}
		for _, c := range gen.Genesis() {
			apply(c)
		}
		steps := rapid.IntRange(1, 80).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			apply(drawWithReissues(t, i))
			sameWrites(t, s, ref)
		}
	})
}
