package domain_test

import (
	"testing"

	. "github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/gen"
	"pgregory.net/rapid"
)

// TestRandomHistoriesKeepTheBooksBalanced runs random command sequences and
// checks, after every step, that no account but a source is below zero and
// that all balances sum to zero; and at the end that replaying the accepted
// events onto a fresh state gives the same balances.
func TestRandomHistoriesKeepTheBooksBalanced(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := NewState()
		var history []Event
		apply := func(c Command) {
			events, err := Decide(s, c)
			if err != nil {
				if len(events) > 0 {
					t.Fatalf("%s rejected with events", c.CommandName())
				}
				return
			}
			for _, e := range events {
				s.Apply(e)
				history = append(history, e)
			}
		}
		for _, c := range gen.Genesis() {
			apply(c)
		}
		steps := rapid.IntRange(1, 120).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			apply(gen.Draw(t, i))
			checkBooks(t, s)
		}
		replayed := NewState()
		for _, e := range history {
			replayed.Apply(e)
		}
		for a, m := range s.Balances {
			if !replayed.Balances[a].Equal(m) {
				t.Fatalf("replay differs at %s: %s vs %s", a, replayed.Balances[a], m)
			}
		}
	})
}

func checkBooks(t *rapid.T, s *State) {
	total := Zero
	for a, m := range s.Balances {
		total = total.Add(m)
		if a.Kind() != KindSource && m.IsNegative() {
			t.Fatalf("account %s is below zero: %s", a, m)
		}
	}
	if !total.IsZero() {
		t.Fatalf("balances sum to %s, not zero", total)
	}
}
