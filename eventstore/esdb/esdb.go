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
	"strings"
	"sync/atomic"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/fundledger/fundledger/eventstore"
)

const (
	streamPrefix = "fundledger-"
	eventType    = "fundledger-commit"
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

func streamID(ledger string) string { return streamPrefix + ledger }

func (s *Store) check(ledger string) error {
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	if !eventstore.ValidLedgerCode(ledger) {
		return fmt.Errorf("esdb: invalid ledger code %q", ledger)
	}
	return nil
}

func isCode(err error, code esdb.ErrorCode) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == code
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
	var rev esdb.ExpectedRevision = esdb.NoStream{}
	if expected > 0 {
		rev = esdb.Revision(expected - 1) // ESDB revisions count from 0
	}
	events := make([]esdb.EventData, len(records))
	for i, r := range records {
		events[i] = esdb.EventData{EventID: uuid.New(), EventType: eventType, ContentType: esdb.ContentTypeBinary, Data: r}
	}
	_, err := s.client.AppendToStream(ctx, streamID(ledger), esdb.AppendToStreamOptions{ExpectedRevision: rev}, events...)
	if err != nil {
		if isCode(err, esdb.ErrorCodeWrongExpectedVersion) {
			return 0, fmt.Errorf("esdb: ledger %s is not at %d: %w", ledger, expected, eventstore.ErrConflict)
		}
		return 0, fmt.Errorf("esdb: append to ledger %s: %w", ledger, err)
	}
	return expected + uint64(len(records)), nil
}

// Head implements eventstore.Store: the last event's revision plus one.
func (s *Store) Head(ctx context.Context, ledger string) (uint64, error) {
	if err := s.check(ledger); err != nil {
		return 0, err
	}
	rs, err := s.client.ReadStream(ctx, streamID(ledger), esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if err != nil {
		return 0, fmt.Errorf("esdb: head of ledger %s: %w", ledger, err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	switch {
	case errors.Is(err, io.EOF), isCode(err, esdb.ErrorCodeResourceNotFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("esdb: head of ledger %s: %w", ledger, err)
	}
	return ev.OriginalEvent().EventNumber + 1, nil
}

// Read implements eventstore.Store, up to the head at the time of the call.
func (s *Store) Read(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	from = max(from, 1)
	head, err := s.Head(ctx, ledger)
	if err != nil || head < from {
		return err
	}
	rs, err := s.client.ReadStream(ctx, streamID(ledger), esdb.ReadStreamOptions{From: esdb.Revision(from - 1)}, head-from+1)
	if err != nil {
		return fmt.Errorf("esdb: read ledger %s: %w", ledger, err)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("esdb: read ledger %s: %w", ledger, err)
		}
		e := ev.OriginalEvent()
		if err := fn(eventstore.Record{Ledger: ledger, Seq: e.EventNumber + 1, Data: e.Data}); err != nil {
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
	var start esdb.StreamPosition = esdb.Start{}
	if from > 1 {
		start = esdb.Revision(from - 2) // a subscription starts after the given revision
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.client.SubscribeToStream(ctx, streamID(ledger), esdb.SubscribeToStreamOptions{From: start})
	if err != nil {
		return fmt.Errorf("esdb: follow ledger %s: %w", ledger, err)
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
			return fmt.Errorf("esdb: follow ledger %s dropped: %w", ledger, ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			e := ev.EventAppeared.OriginalEvent()
			if e.EventNumber+1 < from {
				continue
			}
			if err := fn(eventstore.Record{Ledger: ledger, Seq: e.EventNumber + 1, Data: e.Data}); err != nil {
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
		// A link event's data is "<revision>@<stream>".
		_, stream, ok := strings.Cut(string(ev.OriginalEvent().Data), "@")
		if code, ok2 := strings.CutPrefix(stream, streamPrefix); ok && ok2 && eventstore.ValidLedgerCode(code) {
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
