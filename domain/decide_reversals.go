package domain

import "errors"

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
	if by := w.ReversedBy(); by != "" {
		return nil, reject(ErrAlreadyReversed, "reverses", "write %q was already reversed by %q; reverse %q to restore it", c.Reverses, by, by)
	}
	if b, isBatch := s.Batches[c.Reverses]; isBatch && b.Results {
		return nil, reject(ErrNotReversible, "reverses", "payout batch %q has bank results; failed or returned lines already went back to the fund", c.Reverses)
	}
	e := WriteReversed{ID: c.ID, Reverses: c.Reverses, Reason: c.Reason, Postings: Negate(s.Postings(w))}
	if err := s.checkPostings(e.Entries()); err != nil {
		// The overdraft check speaks of an amount; a reversal has none; it
		// names the write whose money has since moved on.
		var de *Error
		if errors.As(err, &de) && de.Code == ErrInsufficientFunds.Code {
			return nil, reject(ErrInsufficientFunds, "reverses", "write %q cannot be reversed: its money has since been used (%s); reverse the writes that used it first, newest first, then this one",
				c.Reverses, de.Message)
		}
		return nil, err
	}
	return []Event{e}, nil
}
