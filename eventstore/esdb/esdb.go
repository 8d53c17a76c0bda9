// Package esdb is the EventStoreDB/KurrentDB adapter of the eventstore port:
// one stream per ledger (fundledger-<code>), one event per record, one
// AppendToStream call per Append so that a commit group is atomic.
//
// It runs the conformance suite only against a real server
// (FUNDLEDGER_ESDB_URL); there is none on the build machines.
package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fundledger/fundledger/eventstore"
)

// Store is an eventstore.Store on EventStoreDB.
type Store struct {
	client *esdb.Client
	closed atomic.Bool
}

var _ eventstore.Store = (*Store)(nil)

// Open connects with an esdb:// connection string.
func Open(url string) (*Store, error) {
	cfg, err := esdb.ParseConnectionString(url)
	if err != nil {
		return nil, fmt.Errorf("esdb: %w", err)
	}
	c, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("esdb: %w", err)
	}
	return &Store{client: c}, nil
}

func (s *Store) check(ledger string) error {
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	if !eventstore.ValidLedgerCode(ledger) {
		return fmt.Errorf("esdb: invalid ledger code %q", ledger)
	}
	return nil
}

// Append implements eventstore.Store with one AppendToStream call: the
// server applies all the events or none.
func (s *Store) Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (uint64, error) {
	if err := s.check(ledger); err != nil {
		return 0, err
	}
	if len(records) == 0 {
		head, err := s.Head(ctx, ledger)
		if err == nil && head != expected {
			err = fmt.Errorf("esdb: ledger %s head %d, expected %d: %w", ledger, head, expected, eventstore.ErrConflict)
		}
		return head, err
	}
	_, err := s.client.AppendToStream(ctx, StreamName(ledger), esdb.AppendToStreamOptions{ExpectedRevision: ExpectedRevision(expected)},
		Events(ledger, expected, records)...)
	if err != nil {
		return 0, s.mapError("append to", ledger, err)
	}
	return expected + uint64(len(records)), nil
}

// mapError is MapError, with every error after Close as ErrClosed.
func (s *Store) mapError(op, ledger string, err error) error {
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	return MapError(op, ledger, err)
}

// Head implements eventstore.Store: the last event's revision plus one.
func (s *Store) Head(ctx context.Context, ledger string) (uint64, error) {
	if err := s.check(ledger); err != nil {
		return 0, err
	}
	rs, err := s.client.ReadStream(ctx, StreamName(ledger), esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if NotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, s.mapError("head of", ledger, err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	switch {
	case errors.Is(err, io.EOF), NotFound(err):
		return 0, nil
	case err != nil:
		return 0, s.mapError("head of", ledger, err)
	}
	return Seq(ev.OriginalEvent().EventNumber), nil
}

// Read implements eventstore.Store, up to the head at the time of the call.
func (s *Store) Read(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	from = max(from, 1)
	head, err := s.Head(ctx, ledger)
	if err != nil || head < from {
		return err
	}
	rs, err := s.client.ReadStream(ctx, StreamName(ledger), esdb.ReadStreamOptions{From: ReadFrom(from)}, head-from+1)
	if err != nil {
		return s.mapError("read", ledger, err)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return s.mapError("read", ledger, err)
		}
		if err := fn(Record(ledger, ev.OriginalEvent())); err != nil {
			return err
		}
	}
}

// Follow implements eventstore.Store with a catch-up subscription.
func (s *Store) Follow(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	if err := s.check(ledger); err != nil {
		return err
	}
	from = max(from, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.client.SubscribeToStream(ctx, StreamName(ledger), esdb.SubscribeToStreamOptions{From: SubscribeFrom(from)})
	if err != nil {
		return s.mapError("follow", ledger, err)
	}
	defer sub.Close()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			if err := ctx.Err(); err != nil {
				return err
			}
			if s.closed.Load() {
				return eventstore.ErrClosed
			}
			return s.mapError("follow (dropped)", ledger, ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			r := Record(ledger, ev.EventAppeared.OriginalEvent())
			if r.Seq < from {
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
	}
}

// Ledgers implements eventstore.Store by reading the $streams system
// projection (the server must run with system projections enabled).
func (s *Store) Ledgers(ctx context.Context) ([]string, error) {
	if s.closed.Load() {
		return nil, eventstore.ErrClosed
	}
	rs, err := s.client.ReadStream(ctx, "$streams", esdb.ReadStreamOptions{From: esdb.Start{}}, ^uint64(0)>>1)
	if err != nil {
		return nil, fmt.Errorf("esdb: list ledgers: %w", err)
	}
	defer rs.Close()
	seen := map[string]bool{}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("esdb: list ledgers (are system projections enabled?): %w", err)
		}
		if code, ok := LedgerOfLink(ev.OriginalEvent().Data); ok {
			seen[code] = true
		}
	}
	out := make([]string, 0, len(seen))
	for code := range seen {
		out = append(out, code)
	}
	slices.Sort(out)
	return out, nil
}

// Close implements eventstore.Store. Closing twice is harmless.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	return s.client.Close()
}
