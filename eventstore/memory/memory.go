// Package memory is an in-process eventstore.Store for tests of the domain,
// the writer and the projections: fast, exact to the port's contract, and
// gone when the process ends.
package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/fundledger/fundledger/eventstore"
)

// Store keeps every ledger as a slice of records behind one mutex. Followers
// wait on a broadcast channel that is closed and replaced on every append.
type Store struct {
	mu      sync.Mutex
	ledgers map[string][][]byte
	changed chan struct{} // closed when any ledger grows or the store closes
	closed  bool
	// maxAppendBytes, when > 0, makes Append answer eventstore.ErrTooLarge for
	// an append whose records add up to more bytes, like a real store would.
	maxAppendBytes int
}

var _ eventstore.Store = (*Store)(nil)

// New returns an empty store with no size limit on one append.
func New() *Store {
	return &Store{ledgers: map[string][][]byte{}, changed: make(chan struct{})}
}

// NewWithLimit returns an empty store that refuses, with
// eventstore.ErrTooLarge, any append whose records add up to more than
// maxAppendBytes, so that writers can be tested against the limit a real
// store has.
func NewWithLimit(maxAppendBytes int) *Store {
	s := New()
	s.maxAppendBytes = maxAppendBytes
	return s
}

func checkLedger(ledger string) error {
	if !eventstore.ValidLedgerCode(ledger) {
		return fmt.Errorf("memory: invalid ledger code %q", ledger)
	}
	return nil
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (uint64, error) {
	if err := checkLedger(ledger); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	size := 0
	for _, r := range records {
		size += len(r)
	}
	if s.maxAppendBytes > 0 && size > s.maxAppendBytes {
		return 0, fmt.Errorf("memory: append of %d bytes over the limit of %d: %w", size, s.maxAppendBytes, eventstore.ErrTooLarge)
	}
	// Copy outside the lock: the caller may reuse its buffers.
	copied := make([][]byte, len(records))
	for i, r := range records {
		copied[i] = slices.Clone(r)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, eventstore.ErrClosed
	}
	log := s.ledgers[ledger]
	head := uint64(len(log))
	if head != expected {
		return 0, fmt.Errorf("memory: ledger %s head %d, expected %d: %w", ledger, head, expected, eventstore.ErrConflict)
	}
	if len(copied) == 0 {
		return head, nil
	}
	s.ledgers[ledger] = append(log, copied...)
	close(s.changed)
	s.changed = make(chan struct{})
	return uint64(len(s.ledgers[ledger])), nil
}

// snapshot answers the ledger's records from position from (1-based) up to
// the head, the channel that will be closed on the next change, and whether
// the store is closed.
func (s *Store) snapshot(ledger string, from uint64) ([][]byte, chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.ledgers[ledger]
	if from == 0 {
		from = 1
	}
	var out [][]byte
	if from <= uint64(len(log)) {
		// The backing array is append-only: elements below len never change,
		// so the slice may be read outside the lock.
		out = log[from-1:]
	}
	return out, s.changed, s.closed
}

func emit(ledger string, from uint64, recs [][]byte, fn func(eventstore.Record) error) error {
	for i, r := range recs {
		if err := fn(eventstore.Record{Ledger: ledger, Seq: from + uint64(i), Data: slices.Clone(r)}); err != nil {
			return err
		}
	}
	return nil
}

// Read implements eventstore.Store.
func (s *Store) Read(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	if err := checkLedger(ledger); err != nil {
		return err
	}
	if from == 0 {
		from = 1
	}
	recs, _, closed := s.snapshot(ledger, from)
	if closed {
		return eventstore.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return emit(ledger, from, recs, fn)
}

// Follow implements eventstore.Store.
func (s *Store) Follow(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	if err := checkLedger(ledger); err != nil {
		return err
	}
	if from == 0 {
		from = 1
	}
	for {
		recs, changed, closed := s.snapshot(ledger, from)
		if closed {
			return eventstore.ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(ledger, from, recs, fn); err != nil {
			return err
		}
		from += uint64(len(recs))
		if len(recs) > 0 {
			continue // more may have arrived while fn ran
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context, ledger string) (uint64, error) {
	if err := checkLedger(ledger); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, eventstore.ErrClosed
	}
	return uint64(len(s.ledgers[ledger])), nil
}

// Ledgers implements eventstore.Store, in lexical order.
func (s *Store) Ledgers(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	out := make([]string, 0, len(s.ledgers))
	for l, recs := range s.ledgers {
		if len(recs) > 0 {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Close implements eventstore.Store. Followers return eventstore.ErrClosed.
// Closing twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.changed)
	}
	return nil
}
