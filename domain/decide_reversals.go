package domain

// Reversals (冲正): a money write corrected by a new write that names it,
// says why and moves its money back. A reversal is itself a write, so
// reversing a reversal restores the original.

func (c Reverse) decide(s *State) ([]Event, error) {
	if err := s.newWrite("id", c.ID); err != nil {
		return nil, err
	}
	if err := text("reason", c.Reason, maxName); err != nil {
		return nil, err
	}
	w, ok := s.Writes[c.Reverses]
	if !ok {
		return nil, reject(ErrNotFound, "reverses", "write %q is not in this ledger; name the id of an allocation, integration, appropriation, payment, recovery, payout, batch or reversal", c.Reverses)
	}
	if w.ReversedBy != "" {
		return nil, reject(ErrAlreadyReversed, "reverses", "write %q was already reversed by %q; reverse %q to restore it", c.Reverses, w.ReversedBy, w.ReversedBy)
	}
	if b, isBatch := s.Batches[c.Reverses]; isBatch && b.Results {
		return nil, reject(ErrNotReversible, "reverses", "payout batch %q has bank results; failed or returned lines already went back to the fund", c.Reverses)
	}
	return s.posted(WriteReversed{ID: c.ID, Reverses: c.Reverses, Reason: c.Reason, Postings: Negate(w.Postings)})
}
