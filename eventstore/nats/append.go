package nats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/eventstore"
)

// createTimeout bounds creating a ledger's stream (in attempts of a third
// of it): on a cluster the meta leader places an R3 stream and its peers
// elect a leader, which under load takes longer than a request; it happens
// once per ledger.
const createTimeout = 30 * time.Second

// state answers the cache entry of ledger, creating an empty one.
func (s *Store) state(ledger string) *ledgerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ledgers[ledger]
	if st == nil {
		st = &ledgerState{}
		s.ledgers[ledger] = st
	}
	return st
}

// cached answers the cached head of ledger, if any.
func (s *Store) cached(ledger string) (rec, sseq uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.ledgers[ledger]; st != nil && st.known {
		return st.rec, st.sseq, true
	}
	return 0, 0, false
}

// remember records a head seen on the server. Heads only move forward, so
// an older answer arriving late never overwrites a newer one.
func (s *Store) remember(ledger string, rec, sseq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ledgers[ledger]
	if st == nil {
		st = &ledgerState{}
		s.ledgers[ledger] = st
	}
	if !st.known || sseq >= st.sseq {
		st.known, st.rec, st.sseq = true, rec, sseq
	}
}

func (s *Store) forget(ledger string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.ledgers[ledger]; st != nil {
		st.known = false
	}
}

// stream answers the ledger's stream, or jetstream.ErrStreamNotFound.
func (s *Store) stream(ctx context.Context, ledger string) (jetstream.Stream, error) {
	st := s.state(ledger)
	s.mu.Lock()
	h := st.stream
	s.mu.Unlock()
	if h != nil {
		return h, nil
	}
	h, err := s.js.Stream(ctx, streamName(ledger))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	st.stream = h
	s.mu.Unlock()
	return h, nil
}

// dropStream forgets the stream handle and head, after the stream vanished.
func (s *Store) dropStream(ledger string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ledgers, ledger)
}

// createStream makes the ledger's stream; creating one that exists is fine.
func (s *Store) createStream(ctx context.Context, ledger string) (jetstream.Stream, error) {
	cfg := jetstream.StreamConfig{
		Name:        streamName(ledger),
		Description: "fundledger ledger " + ledger + ": one message per append (a frame of commits)",
		Subjects:    []string{subject(ledger)},
		Storage:     jetstream.FileStorage,
		Replicas:    s.replicas,
		Retention:   jetstream.LimitsPolicy,
		MaxMsgSize:  int32(s.maxMsgSize),
		// Idempotency lives in the ledger state, not in the dedup window; the
		// adapter sets no Nats-Msg-Id, so keep the window minimal.
		Duplicates: time.Second,
		// The log is the audit trail: no API call may delete or purge it.
		DenyDelete: true,
		DenyPurge:  true,
	}
	// One create at a time from this process: a cluster's meta leader
	// answers concurrent creates of one stream slowly or not at all.
	s.createMu.Lock()
	defer s.createMu.Unlock()
	// Creating is safe to repeat (an existing stream is looked up), so a
	// create lost with a dying meta leader is made again.
	var h jetstream.Stream
	err := s.retry(ctx, createTimeout/3, func(ctx context.Context) error {
		var err error
		h, err = s.js.Stream(ctx, streamName(ledger))
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			h, err = s.js.CreateStream(ctx, cfg)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				h, err = s.js.Stream(ctx, streamName(ledger))
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("nats: create stream for ledger %s: %w", ledger, err)
	}
	st := s.state(ledger)
	s.mu.Lock()
	st.stream = h
	s.mu.Unlock()
	return h, nil
}

// frameHeaders answers the first record sequence and count of a frame.
func frameHeaders(h natsgo.Header) (first, count uint64, err error) {
	first, err = strconv.ParseUint(h.Get(hdrFirstSeq), 10, 64)
	if err == nil {
		count, err = strconv.ParseUint(h.Get(hdrCount), 10, 64)
	}
	if err != nil || first == 0 || count == 0 {
		return 0, 0, fmt.Errorf("%w: headers %s=%q %s=%q", errBadFrame, hdrFirstSeq, h.Get(hdrFirstSeq), hdrCount, h.Get(hdrCount))
	}
	return first, count, nil
}

// fetchHead asks the server where the ledger ends. exists is false when the
// ledger has no stream.
func (s *Store) fetchHead(ctx context.Context, ledger string) (rec, sseq uint64, exists bool, err error) {
	var m *jetstream.RawStreamMsg
	err = s.retry(ctx, 0, func(ctx context.Context) error {
		h, err := s.stream(ctx, ledger)
		if err != nil {
			return err
		}
		m, err = h.GetLastMsgForSubject(ctx, subject(ledger))
		return err
	})
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		s.remember(ledger, 0, 0)
		return 0, 0, true, nil
	case errors.Is(err, jetstream.ErrStreamNotFound):
		s.dropStream(ledger)
		return 0, 0, false, nil
	case err != nil:
		return 0, 0, false, s.closedErr(fmt.Errorf("nats: head of ledger %s: %w", ledger, err))
	}
	first, count, err := frameHeaders(m.Header)
	if err != nil {
		return 0, 0, false, &eventstore.DamagedError{Ledger: ledger, Seq: 0,
			Reason: fmt.Sprintf("the last stream message (%d) cannot be read: %v", m.Sequence, err)}
	}
	rec = first + count - 1
	s.remember(ledger, rec, m.Sequence)
	return rec, m.Sequence, true, nil
}

// Head implements eventstore.Store. It always asks the server.
func (s *Store) Head(ctx context.Context, ledger string) (uint64, error) {
	if err := s.check(ledger); err != nil {
		return 0, err
	}
	rec, _, _, err := s.fetchHead(ctx, ledger)
	return rec, err
}

func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

func isTooLarge(err error) bool {
	if errors.Is(err, natsgo.ErrMaxPayload) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum
}

// Append implements eventstore.Store: all records go into one message, so
// one fsync (or one replication round) makes the whole group durable.
func (s *Store) Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (uint64, error) {
	if err := s.check(ledger); err != nil {
		return 0, err
	}
	if len(records) == 0 {
		head, err := s.Head(ctx, ledger)
		if err == nil && head != expected {
			err = fmt.Errorf("nats: ledger %s head %d, expected %d: %w", ledger, head, expected, eventstore.ErrConflict)
		}
		return head, err
	}
	if size := frameSize(records); size > s.maxMsgSize-headerReserve {
		return 0, fmt.Errorf("nats: append of %d records is a %d-byte message, over the limit of %d (max_payload %d less %d for headers): %w",
			len(records), size, s.maxMsgSize-headerReserve, s.maxMsgSize, headerReserve, eventstore.ErrTooLarge)
	}

	rec, sseq, ok := s.cached(ledger)
	exists := ok
	if !ok || rec != expected {
		// The cache may be stale (another process wrote): only the server
		// may say no.
		var err error
		if rec, sseq, exists, err = s.fetchHead(ctx, ledger); err != nil {
			return 0, err
		}
	}
	if rec != expected {
		return 0, fmt.Errorf("nats: ledger %s head %d, expected %d: %w", ledger, rec, expected, eventstore.ErrConflict)
	}
	if !exists {
		if _, err := s.createStream(ctx, ledger); err != nil {
			return 0, s.closedErr(err)
		}
	}

	msg := natsgo.NewMsg(subject(ledger))
	msg.Header.Set(hdrFirstSeq, strconv.FormatUint(expected+1, 10))
	msg.Header.Set(hdrCount, strconv.Itoa(len(records)))
	msg.Data = encodeFrame(records)
	// The server refuses the message unless the stream still ends at sseq:
	// of two writers racing from the same head, exactly one gets through,
	// whatever their caches said. The same check keeps a retried publish
	// single: of all attempts at most one lands (see publish).
	landed, err := s.publish(ctx, ledger, sseq, msg)
	switch {
	case err == nil:
	case errors.Is(err, eventstore.ErrConflict):
		s.forget(ledger)
		return 0, fmt.Errorf("nats: ledger %s moved past %d: %w", ledger, expected, err)
	case isTooLarge(err):
		return 0, fmt.Errorf("nats: append of %d records (%d bytes) refused by the server: %w: %v", len(records), len(msg.Data), eventstore.ErrTooLarge, err)
	default:
		// The outcome is unknown (a timeout may hide a stored message): the
		// next append asks the server again.
		s.forget(ledger)
		return 0, s.closedErr(fmt.Errorf("nats: append to ledger %s: %w", ledger, err))
	}
	head := expected + uint64(len(records))
	s.remember(ledger, head, landed)
	return head, nil
}
