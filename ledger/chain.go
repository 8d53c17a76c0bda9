package ledger

import (
	"context"
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Verification is the outcome of walking a ledger's hash chain.
type Verification struct {
	Valid       bool    `json:"valid"`
	Seq         uint64  `json:"seq"`       // last commit checked (the head when valid)
	HeadHash    string  `json:"head_hash"` // hash of that commit
	FirstBadSeq *uint64 `json:"first_bad_seq"`
	Problem     string  `json:"problem,omitempty"`
}

// ChainError says which commit breaks the chain and how.
type ChainError struct {
	Seq    uint64
	Reason string
}

func (e *ChainError) Error() string { return fmt.Sprintf("commit %d: %s", e.Seq, e.Reason) }

// checkLink checks one stored record against the commit before it and
// answers the decoded commit. Any edit of stored history fails here: the
// record's own hash no longer matches its content, or (if the hash was
// recomputed) the next commit's prev_hash no longer matches.
func checkLink(ledger string, r eventstore.Record, prevHash string) (*domain.Commit, error) {
	c, err := checkOwn(ledger, r)
	if err != nil {
		return nil, err
	}
	switch {
	case c.PrevHash != prevHash:
		return nil, &ChainError{r.Seq, "prev_hash does not match the hash of the commit before it"}
	case c.ComputeHash() != c.Hash:
		return nil, &ChainError{r.Seq, "hash does not match its content: the stored commit was altered"}
	}
	return c, nil
}

// Walk reads a ledger's commits in order, checking the chain, and calls fn
// for each good commit up to and including seq upTo (0: to the head). It
// stops at the first bad commit with a *ChainError.
func Walk(ctx context.Context, store eventstore.Store, ledger string, upTo uint64, fn func(*domain.Commit) error) error {
	return WalkRecords(ctx, store, ledger, upTo, func(c *domain.Commit, _ eventstore.Record) error { return fn(c) })
}

// Voucher is a (seq, hash) that something beside the store recorded when the
// store held it (the head witness, a snapshot, a checkpoint), and its name.
type Voucher struct {
	Witness
	What string
}

// Verify walks the whole chain of a ledger and names the first bad commit.
func Verify(ctx context.Context, store eventstore.Store, ledger string) (Verification, error) {
	v, _, err := VerifyAgainst(ctx, store, ledger)
	return v, err
}

// VerifyAgainst walks the whole chain of a ledger, names the first bad or
// missing commit, and then checks the store against each voucher: a store
// that ends before a voucher, or holds another hash at its seq, lost or
// rewrote acknowledged history. A damaged ledger also answers its Damage.
func VerifyAgainst(ctx context.Context, store eventstore.Store, ledger string, vouchers ...Voucher) (Verification, *Damage, error) {
	v := Verification{HeadHash: domain.GenesisHash}
	err := Walk(ctx, store, ledger, 0, func(c *domain.Commit) error {
		v.Seq, v.HeadHash = c.Seq, c.Hash
		return nil
	})
	d := damageOf(ledger, v.Seq, v.HeadHash, err)
	if d == nil && err != nil {
		return v, nil, err
	}
	for _, w := range vouchers {
		if d != nil {
			break
		}
		if d, err = CheckWitness(ctx, store, ledger, v.Seq, v.HeadHash, w.Witness, w.What); err != nil {
			if d = damageOf(ledger, v.Seq, v.HeadHash, err); d == nil {
				return v, nil, err
			}
		}
	}
	if d != nil {
		return d.Verification(), d, nil
	}
	v.Valid = true
	return v, nil, nil
}
