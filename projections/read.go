package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// WaitFor blocks until the ledger's live model reflects seq, or ctx is done.
// A ledger Run has not seen yet is followed at once (Notify).
func (p *Projector) WaitFor(ctx context.Context, ledger string, seq uint64) error {
	t := p.get(ledger, false)
	if t == nil {
		if !eventstore.ValidLedgerCode(ledger) {
			return fmt.Errorf("%w: %q", ErrUnknownLedger, ledger)
		}
		t = p.get(ledger, true)
		p.Notify(ledger)
	}
	for {
		t.wake.Lock()
		ch := t.advance
		t.watched.Store(true)
		t.wake.Unlock()
		// Check after registering: a follower that moved in between either
		// saw watched or left a seq this load sees.
		if err := t.damagedErr(); err != nil {
			return err
		}
		if t.seq.Load() >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Read calls fn with a consistent model of the ledger. With a zero cut it is
// the live model, under a read lock (fn must not keep it). Otherwise it is a
// model replayed from the nearest snapshot at or before the cut, which is
// what a replay of the store up to the cut gives; fn may keep that one. A cut
// that the live model matches exactly uses the live model. Reads never wait
// for a zero cut: the caller decides how long to wait (WaitFor). A damaged
// ledger answers a *DamagedError (errors.Is ErrDamaged) and nothing else.
func (p *Projector) Read(ctx context.Context, ledger string, cut Cut, fn func(m *Model) error) error {
	t := p.get(ledger, false)
	if t != nil {
		if err := t.damagedErr(); err != nil {
			return err
		}
	}
	if t == nil {
		head, err := p.head(ctx, ledger)
		if err != nil {
			return err
		}
		if err := p.WaitFor(ctx, ledger, head); err != nil {
			return err
		}
		t = p.get(ledger, false)
	}
	if cut.IsZero() {
		t.mu.RLock()
		defer t.mu.RUnlock()
		if err := t.damagedErr(); err != nil { // damage drops the model under this lock
			return err
		}
		return fn(t.model)
	}
	if cut.Seq != 0 {
		if cut.Seq > t.seq.Load() {
			head, err := p.head(ctx, ledger)
			if err != nil {
				return err
			}
			if cut.Seq > head {
				return fmt.Errorf("%w: as_of seq %d, ledger %s head %d", ErrBeyondHead, cut.Seq, ledger, head)
			}
			if err := p.WaitFor(ctx, ledger, cut.Seq); err != nil {
				return err
			}
		}
	} else {
		// A time cut may include commits the follower has not reached yet.
		head, err := p.head(ctx, ledger)
		if err != nil {
			return err
		}
		if err := p.WaitFor(ctx, ledger, head); err != nil {
			return err
		}
	}
	if cut.IsBusiness() {
		return p.readBusiness(ctx, t, cut, fn)
	}
	if done, err := t.readLiveIfExact(cut, fn); done {
		return err
	}
	m, err := p.replay(ctx, t, cut)
	if err != nil {
		return err
	}
	return fn(m)
}

// readLiveIfExact serves a cut from the live model when the live model is
// exactly the cut: its head is the cut's seq, or for a time cut, its head is
// within the cut and — as the follower has reached the store's head — no
// later commit is.
func (t *tracked) readLiveIfExact(cut Cut, fn func(*Model) error) (bool, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := t.damagedErr(); err != nil {
		return true, err
	}
	m := t.model
	exact := cut.Seq != 0 && m.Seq() == cut.Seq && cut.includes(m.Seq(), m.Time())
	exact = exact || cut.Seq == 0 && m.Seq() > 0 && cut.includes(m.Seq(), m.Time())
	if !exact {
		return false, nil
	}
	return true, fn(m)
}

func (p *Projector) head(ctx context.Context, ledger string) (uint64, error) {
	if !eventstore.ValidLedgerCode(ledger) {
		return 0, fmt.Errorf("%w: %q", ErrUnknownLedger, ledger)
	}
	head, err := p.store.Head(ctx, ledger)
	if err != nil {
		return 0, err
	}
	if head == 0 {
		return 0, fmt.Errorf("%w: %q holds no commits", ErrUnknownLedger, ledger)
	}
	return head, nil
}

var errStop = errors.New("stop")

// replay builds the model of a ledger as of cut, from the nearest sound
// snapshot within the cut (or from zero); see snapshotFor.
func (p *Projector) replay(ctx context.Context, t *tracked, cut Cut) (*Model, error) {
	m, file, err := p.snapshotFor(ctx, t, cut, 0)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = NewModel(t.code)
	}
	if err := replayInto(ctx, p.store, m, cut, file); err != nil {
		return nil, p.damageIf(t, err)
	}
	return m, nil
}

// ReplayInto folds the ledger's commits after m's head into m, up to and
// including the last commit within cut (a zero cut: to the head).
func ReplayInto(ctx context.Context, store eventstore.Store, m *Model, cut Cut) error {
	return replayInto(ctx, store, m, cut, "")
}

// replayInto is ReplayInto; with tie, the name of the snapshot m was
// loaded from, it first reads the commit at m's head and answers a
// *DamagedError unless the log still holds it (see tie).
func replayInto(ctx context.Context, store eventstore.Store, m *Model, cut Cut, tie string) error {
	from, seq, hash := m.Seq()+1, m.Seq(), m.HeadHash()
	if tie != "" {
		from--
	}
	err := store.Read(ctx, m.Ledger(), from, func(r eventstore.Record) error {
		if tie != "" {
			err := tieRecord(m.Ledger(), r, seq, hash, tie)
			tie = ""
			return err
		}
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return err
		}
		if !cut.includes(c.Seq, c.Time) {
			return errStop
		}
		return m.ApplyCut(c, cut)
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if err == nil && tie != "" {
		return tieMissing(ctx, store, m.Ledger(), seq, hash, tie)
	}
	return err
}
