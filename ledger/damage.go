package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Damage says why a ledger is quarantined: its stored history is not what
// it was when commits were acknowledged (a lost tail, a gap, a changed or
// dropped commit, a store behind its witness or a snapshot). A damaged
// ledger is never written again in this process nor silently re-based: a
// write at a lost sequence would fork history that printed notices vouch
// for. Other ledgers keep working.
type Damage struct {
	Ledger      string `json:"ledger"`
	Seq         uint64 `json:"seq"`       // last commit known good
	HeadHash    string `json:"head_hash"` // its hash
	FirstBadSeq uint64 `json:"first_bad_seq"`
	Reason      string `json:"reason"`
}

// ErrDamaged is the sentinel of every damaged-ledger rejection (errors.Is).
var ErrDamaged = &domain.Error{Kind: domain.KindUnavailable, Code: "ledger_damaged", Message: "the ledger's stored history is damaged"}

func (d *Damage) Error() string {
	return fmt.Sprintf("ledger %s is damaged from commit %d on: %s", d.Ledger, d.FirstBadSeq, d.Reason)
}

// Rejection answers what a write (or a read) of the ledger gets.
func (d *Damage) Rejection() *domain.Error {
	msg := fmt.Sprintf("ledger %s is damaged from commit %d on (%s); it takes no writes until it is restored from an NDJSON export or a replica (see fundledger verify and README)",
		d.Ledger, d.FirstBadSeq, d.Reason)
	if d.FirstBadSeq > 1 {
		msg += fmt.Sprintf("; export?format=ndjson&as_of=%d saves the good history before it", d.FirstBadSeq-1)
	}
	return &domain.Error{Kind: domain.KindUnavailable, Code: ErrDamaged.Code, Message: msg}
}

// Verification answers what verify says of the damaged ledger.
func (d *Damage) Verification() Verification {
	bad := d.FirstBadSeq
	return Verification{Seq: d.Seq, HeadHash: d.HeadHash, FirstBadSeq: &bad, Problem: d.Reason}
}

// damageOf turns what a chain walk stopped on into a Damage, or nil when
// err is not about stored history. seq and hash are the last good commit.
func damageOf(ledger string, seq uint64, hash string, err error) *Damage {
	var bad *ChainError
	var gone *eventstore.DamagedError
	switch {
	case errors.As(err, &bad):
		return &Damage{Ledger: ledger, Seq: seq, HeadHash: hash, FirstBadSeq: bad.Seq, Reason: bad.Reason}
	case errors.As(err, &gone):
		first := gone.Seq
		if first == 0 || first > seq+1 {
			first = seq + 1
		}
		return &Damage{Ledger: ledger, Seq: seq, HeadHash: hash, FirstBadSeq: first, Reason: gone.Reason}
	}
	return nil
}

// AsDamage answers the damage err reports for ledger (a broken chain, a
// record the store cannot give back), or nil when err is about something
// else. The last good commit is the one before the first bad; its hash is
// not known here.
func AsDamage(ledger string, err error) *Damage {
	var gone *eventstore.DamagedError
	if errors.As(err, &gone) {
		ledger = gone.Ledger
	}
	d := damageOf(ledger, 0, "", err)
	if d != nil {
		d.FirstBadSeq = max(d.FirstBadSeq, 1)
		d.Seq = d.FirstBadSeq - 1
	}
	return d
}

// CheckWitness compares a store whose chain verified up to (head, headHash)
// with what was acknowledged before: the witness, a snapshot or a
// checkpoint, each a (seq, hash) the store once held. The store must reach
// seq and hold hash there; otherwise the answer is the Damage. what names
// the witness in the reason ("head witness", "snapshot").
func CheckWitness(ctx context.Context, store eventstore.Store, ledger string, head uint64, headHash string, w Witness, what string) (*Damage, error) {
	switch {
	case w.Seq == 0:
		return nil, nil
	case w.Seq > head:
		return &Damage{Ledger: ledger, Seq: head, HeadHash: headHash, FirstBadSeq: head + 1, Reason: fmt.Sprintf(
			"the store ends at commit %d but its %s says commit %d was acknowledged: commits %d–%d are missing",
			head, what, w.Seq, head+1, w.Seq)}, nil
	case w.Seq == head && w.Hash == headHash:
		return nil, nil
	}
	c, err := readCommit(ctx, store, ledger, w.Seq)
	if err != nil {
		return nil, err
	}
	if c.Hash == w.Hash {
		return nil, nil
	}
	prev, prevHash := w.Seq-1, c.PrevHash
	return &Damage{Ledger: ledger, Seq: prev, HeadHash: prevHash, FirstBadSeq: w.Seq, Reason: fmt.Sprintf(
		"commit %d in the store has hash %.12s… but its %s recorded %.12s…: history was rewritten at or before it",
		w.Seq, c.Hash, what, w.Hash)}, nil
}

// readCommit reads one stored commit.
func readCommit(ctx context.Context, store eventstore.Store, ledger string, seq uint64) (*domain.Commit, error) {
	var found *domain.Commit
	errFound := errors.New("found")
	err := store.Read(ctx, ledger, seq, func(r eventstore.Record) error {
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return &ChainError{r.Seq, "cannot be decoded: " + err.Error()}
		}
		found = c
		return errFound
	})
	if found != nil {
		return found, nil
	}
	if err == nil {
		err = fmt.Errorf("ledger %s has no commit %d", ledger, seq)
	}
	return nil, err
}

// CheckVouchers checks the store's head against vouchers without walking
// the chain: the store must reach each voucher's seq and hold its hash
// there. It is the cheap check an offline reader (replay, export) makes
// before trusting a store that may have lost its tail; verify walks.
func CheckVouchers(ctx context.Context, store eventstore.Store, ledger string, vouchers []Voucher) (*Damage, error) {
	head, err := store.Head(ctx, ledger)
	if err != nil {
		if d := AsDamage(ledger, err); d != nil {
			return d, nil
		}
		return nil, err
	}
	headHash := domain.GenesisHash
	if head > 0 {
		c, err := readCommit(ctx, store, ledger, head)
		if err != nil {
			if d := AsDamage(ledger, err); d != nil {
				return d, nil
			}
			return nil, err
		}
		headHash = c.Hash
	}
	for _, v := range vouchers {
		d, err := CheckWitness(ctx, store, ledger, head, headHash, v.Witness, v.What)
		if d == nil && err != nil {
			d = AsDamage(ledger, err)
		}
		if d != nil || err != nil {
			return d, err
		}
	}
	return nil, nil
}
