// Package eventstore is the port between fundledger's writer and the durable log.
//
// A store keeps one append-only log per ledger (one county). The log holds
// records: opaque encoded commits, numbered from 1 without gaps. The store does
// not look inside a record; the hash chain and the events live in domain/ and
// ledger/. Adapters: nats (embedded or external JetStream), esdb
// (EventStoreDB), memory (tests). Every adapter runs the suite in
// eventstore/conformance.
package eventstore

import (
	"context"
	"errors"
)

// ErrConflict means the ledger's head was not the expected sequence: another
// writer appended first. Nothing of the rejected append was stored.
var ErrConflict = errors.New("eventstore: expected sequence does not match the ledger's head")

// ErrClosed is returned by every call after Close.
var ErrClosed = errors.New("eventstore: store is closed")

// Record is one stored commit with its position in the ledger's log.
type Record struct {
	Ledger string
	Seq    uint64 // 1-based, gap-free within a ledger
	Data   []byte // the encoded commit, exactly as appended
}

// Store is a set of independent, append-only ledger logs.
type Store interface {
	// Append stores records as the next len(records) positions of ledger,
	// atomically (all or none), provided the ledger's head is expected (0 for
	// a ledger that has nothing yet). It returns only once the records are
	// durable (fsynced or replicated), answering the new head. A stale expected
	// head answers ErrConflict and stores nothing.
	Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (head uint64, err error)

	// Read calls fn for every record of ledger from position from (1 for the
	// beginning) up to the head at the time of the call, in order. An error
	// from fn stops the read and is returned.
	Read(ctx context.Context, ledger string, from uint64, fn func(Record) error) error

	// Follow is Read that does not stop at the head: it keeps calling fn for
	// records appended later until ctx is done (answering ctx.Err()) or fn
	// fails.
	Follow(ctx context.Context, ledger string, from uint64, fn func(Record) error) error

	// Head answers the sequence of the ledger's last record, 0 if it has none.
	Head(ctx context.Context, ledger string) (uint64, error)

	// Ledgers lists the ledgers that hold at least one record.
	Ledgers(ctx context.Context) ([]string, error)

	// Close releases the store. For the embedded NATS server it shuts the
	// server down and waits until its files are closed.
	Close() error
}

// ValidLedgerCode reports whether code can name a ledger in every adapter:
// 1 to 32 ASCII letters, digits, '-' or '_' (an administrative division code
// such as 341504 in practice).
func ValidLedgerCode(code string) bool {
	if len(code) == 0 || len(code) > 32 {
		return false
	}
	for _, c := range code {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
