package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// ErrDamaged matches every *DamagedError (errors.Is).
var ErrDamaged = errors.New("projections: ledger damaged")

// DamagedError is the answer to every read of a ledger whose log lost or
// changed history that one of its (verified) snapshots saw: the store's
// head is below the snapshot's seq, or the commit at that seq has another
// hash. The projector serves nothing of such a ledger, from the log or from
// a snapshot, until an operator sorts it out; other ledgers keep working.
type DamagedError struct {
	Ledger string
	// Seq is the first sequence known missing or bad: the head+1 when the
	// log ends early, the snapshot's seq when the commit there differs (the
	// change lies at or before it).
	Seq    uint64
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("projections: ledger %s is damaged from seq %d: %s", e.Ledger, e.Seq, e.Reason)
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// tie checks that the log still holds the commit a snapshot was built at:
// the store's head is at least seq and the commit at seq has hash. It
// answers a *DamagedError if not, another error if the store cannot say.
func tie(ctx context.Context, store eventstore.Store, ledger string, seq uint64, hash, file string) error {
	head, err := store.Head(ctx, ledger)
	if err != nil {
		return err
	}
	if head < seq {
		return &DamagedError{ledger, head + 1, fmt.Sprintf("the log ends at seq %d, but snapshot %s was built at seq %d (hash %s): the store lost commits", head, file, seq, hash)}
	}
	var c *domain.Commit
	var bad error // the commit at seq does not decode
	err = store.Read(ctx, ledger, seq, func(r eventstore.Record) error {
		if r.Seq == seq {
			c, bad = domain.UnmarshalCommit(r.Data)
		}
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if bad != nil {
		return &DamagedError{ledger, seq, fmt.Sprintf("commit %d cannot be decoded: %v", seq, bad)}
	}
	switch {
	case c == nil:
		return &DamagedError{ledger, seq, fmt.Sprintf("the log holds no commit %d, but snapshot %s was built at it", seq, file)}
	case c.Seq != seq || c.Hash != hash:
		return &DamagedError{ledger, seq, fmt.Sprintf("commit %d in the log has hash %s, but snapshot %s was built at it with hash %s: history at or before seq %d was changed", seq, c.Hash, file, hash, seq)}
	}
	return nil
}

// damage takes a ledger out of service: its model is dropped, readers and
// waiters get the error, the follower stops, and OnDamage hears of it once.
func (p *Projector) damage(t *tracked, d *DamagedError) {
	if !t.damaged.CompareAndSwap(nil, d) {
		return
	}
	t.mu.Lock()
	t.model = NewModel(t.code)
	t.mu.Unlock()
	p.log.Error("projections: ledger damaged; serving nothing of it", "ledger", d.Ledger, "first_bad_seq", d.Seq, "reason", d.Reason)
	if p.opts.OnDamage != nil {
		p.opts.OnDamage(d.Ledger, d.Seq, d.Reason)
	}
	t.signal()
}

// damagedErr answers the ledger's damage, nil if it is sound.
func (t *tracked) damagedErr() error {
	if d := t.damaged.Load(); d != nil {
		return d
	}
	return nil
}
