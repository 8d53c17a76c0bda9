package projections

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// Rebuild forgets a ledger's snapshots and checkpoint and folds its whole
// history again from zero, checking the hash chain on the way
// (ledger.WalkDecoded), and writes a snapshot every rebuildInterval commits
// and one at the head, which becomes the checkpoint, so an as-of cut into
// the rebuilt history replays at most one interval (see Read). progress, if
// not nil, is called after each commit. It is meant for `fundledger
// rebuild` with the server stopped; it refuses a ledger that Run is
// following. The rebuilt model becomes the live one.
//
// The snapshots on the way are encoded and written on another goroutine
// from a frozen copy of the model (snapWriter): encoding on the goroutine
// that folds cost a quarter of a rebuild's time. A rebuild whose snapshots
// cannot be written fails: without them a restart would replay from zero
// again.
//
// A rebuild refuses a damaged ledger (a *DamagedError): before it drops the
// snapshots it checks that the log still holds the commit the newest sound
// one was built at, as a restart does, because those snapshots may be the
// only record that the store lost history. Whoever means to accept the
// store as it now is removes the ledger's snapshot directory first.
func (p *Projector) Rebuild(ctx context.Context, code string, progress func(c *domain.Commit)) (*Model, error) {
	t := p.get(code, true)
	if t.following.Load() {
		return nil, fmt.Errorf("projections: ledger %s is being followed live; stop the server before a rebuild", code)
	}
	if err := t.damagedErr(); err != nil {
		return nil, err
	}
	if sm, file, err := p.snapshotFor(ctx, t, Cut{}, 0); err != nil {
		return nil, err
	} else if sm != nil {
		if err := tie(ctx, p.store, code, sm.Seq(), sm.HeadHash(), file); err != nil {
			return nil, p.damageIf(t, err)
		}
	}
	if err := p.snaps.drop(code); err != nil {
		return nil, fmt.Errorf("projections: drop snapshots of %s: %w", code, err)
	}
	m := NewModel(code)
	head, err := p.store.Head(ctx, code)
	if err == nil {
		m.reserve(head)
	}
	every := rebuildInterval(p.opts.SnapshotEvery, head)
	w := p.startSnapWriter()
	defer w.stop()
	// Decoding and hashing are most of the cost: ledger.WalkDecoded spreads
	// them over every core while this goroutine folds commits in order.
	err = ledger.WalkDecoded(ctx, p.store, code, (*domain.Commit).Decode, func(c *domain.Commit, events []domain.Event) error {
		if err := m.applyDecoded(c, events); err != nil {
			return err
		}
		if c.Seq%every == 0 && c.Seq != head {
			if err := w.write(m); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(c)
		}
		return nil
	})
	if werr := w.stop(); err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	t.reset(m)
	if m.Seq() == 0 {
		return m, nil
	}
	if err := p.snaps.save(m); err != nil {
		return nil, fmt.Errorf("projections: snapshot of %s at %d: %w", code, m.Seq(), err)
	}
	return m, nil
}

// rebuildInterval answers how many commits pass between a rebuild's
// snapshots: the follower's interval, widened for a long history so that
// the rebuild's snapshots, the one at the head included, fit in
// keepSnapshots and none is pruned as soon as it is written. An as-of cut
// into the rebuilt history then replays at most one interval from the
// nearest snapshot at or before it.
func rebuildInterval(every, head uint64) uint64 {
	every = max(every, 1)
	if n := uint64(keepSnapshots - 1); head/n >= every {
		every = (head + n - 1) / n
	}
	return every
}

// reserve sizes the map of money writes for a ledger of commits commits:
// most commits of a large ledger are payouts, one write each, and a map
// grown one split at a time to a million entries cost a fold of 1M
// payouts about as much CPU as the inserts themselves. Over-sizing a
// ledger whose commits are mostly registrations costs a few bytes per
// commit.
func (m *Model) reserve(commits uint64) {
	if len(m.st.Writes) == 0 && commits > 0 {
		m.st.Writes = make(map[string]*write, commits)
	}
}

// Checkpoint answers the sequence of a ledger's checkpoint (the snapshot a
// restart resumes from), 0 if it has none.
func (p *Projector) Checkpoint(ledger string) uint64 {
	meta, ok := p.snaps.checkpoint(ledger)
	if !ok {
		return 0
	}
	return meta.Seq
}

// Fingerprint answers a SHA-256 over the model's whole state, encoded as a
// snapshot is: two models that folded the same history have the same
// fingerprint, whichever way they got there (live, from a snapshot, rebuilt).
func (m *Model) Fingerprint() string {
	h := sha256.New()
	if err := encodeModel(h, m); err != nil {
		panic(err) // encoding state to a hash cannot fail but for a bug
	}
	return hex.EncodeToString(h.Sum(nil))
}
