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
// The projector's own reads do the second half on the way (tieHead, then
// replayInto or the follower read the commit at seq first), so that a
// resume or an as-of read costs no extra read of the store.
func tie(ctx context.Context, store eventstore.Store, ledger string, seq uint64, hash, file string) error {
	if err := tieHead(ctx, store, ledger, seq, hash, file); err != nil {
		return err
	}
	var seen bool
	err := store.Read(ctx, ledger, seq, func(r eventstore.Record) error {
		seen = true
		if err := tieRecord(ledger, r, seq, hash, file); err != nil {
			return err
		}
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if !seen {
		return tieMissing(ctx, store, ledger, seq, hash, file)
	}
	return nil
}

// tieHead is the first half of tie: the log reaches seq.
func tieHead(ctx context.Context, store eventstore.Store, ledger string, seq uint64, hash, file string) error {
	head, err := store.Head(ctx, ledger)
	if err != nil {
		return err
	}
	if head < seq {
		return &DamagedError{ledger, head + 1, fmt.Sprintf("the log ends at seq %d, but snapshot %s was built at seq %d (hash %s): the store lost commits", head, file, seq, hash)}
	}
	return nil
}

// tieMissing answers the damage of a read that found no commit at seq.
func tieMissing(ctx context.Context, store eventstore.Store, ledger string, seq uint64, hash, file string) error {
	if err := tieHead(ctx, store, ledger, seq, hash, file); err != nil {
		return err
	}
	return &DamagedError{ledger, seq, fmt.Sprintf("the log holds no commit %d, but snapshot %s was built at it", seq, file)}
}

// tieRecord is the second half of tie: r, the record at seq, has hash.
func tieRecord(ledger string, r eventstore.Record, seq uint64, hash, file string) error {
	if r.Seq != seq {
		return &DamagedError{ledger, seq, fmt.Sprintf("the log answered commit %d for %d", r.Seq, seq)}
	}
	c, err := domain.UnmarshalCommit(r.Data)
	if err != nil {
		return &DamagedError{ledger, seq, fmt.Sprintf("commit %d cannot be decoded: %v", seq, err)}
	}
	if c.Seq != seq || c.Hash != hash {
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

// damageIf takes the ledger out of service if err is a *DamagedError, and
// answers err.
func (p *Projector) damageIf(t *tracked, err error) error {
	var d *DamagedError
	if errors.As(err, &d) {
		p.damage(t, d)
	}
	return err
}

// damagedErr answers the ledger's damage, nil if it is sound.
func (t *tracked) damagedErr() error {
	if d := t.damaged.Load(); d != nil {
		return d
	}
	return nil
}
