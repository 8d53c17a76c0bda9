package ledger

import (
	"context"
	"errors"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// WalkRecords is Walk that also hands fn each commit's record exactly as
// stored. An NDJSON export writes those bytes, so that a restore stores
// what the county's own store held, byte for byte, not a re-encoding.
func WalkRecords(ctx context.Context, store eventstore.Store, ledger string, upTo uint64, fn func(*domain.Commit, eventstore.Record) error) error {
	return walkFrom(ctx, store, ledger, 1, domain.GenesisHash, upTo, fn)
}

// walkFrom is WalkRecords starting at commit from, whose prev_hash must be
// prev: the tail after a writer snapshot, linked to the snapshot's hash.
func walkFrom(ctx context.Context, store eventstore.Store, ledger string, from uint64, prev string, upTo uint64, fn func(*domain.Commit, eventstore.Record) error) error {
	errStop := errors.New("stop")
	err := store.Read(ctx, ledger, from, func(r eventstore.Record) error {
		if upTo != 0 && r.Seq > upTo {
			return errStop
		}
		c, err := checkLink(ledger, r, prev)
		if err != nil {
			return err
		}
		prev = c.Hash
		return fn(c, r)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// CheckRecord checks a record read from anywhere (a line of an export
// file) as Walk checks the store: it must decode, belong to ledger, say it
// is commit r.Seq, follow the commit whose hash is prevHash, and hash to
// its own hash. A failure is a *ChainError naming r.Seq.
func CheckRecord(ledger string, r eventstore.Record, prevHash string) (*domain.Commit, error) {
	return checkLink(ledger, r, prevHash)
}
