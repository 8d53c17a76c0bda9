package nats

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/eventstore"
)

// pullBytes bounds what one ordered consumer buffers. It must exceed the
// largest message, or the server could never deliver one.
const pullBytes = 2*MaxPayload + 8<<20

// Read implements eventstore.Store: it finds the frame holding from, gets
// the first maxGetFrames frames one by one and streams the rest through one
// ordered consumer, up to the head at call time.
func (s *Store) Read(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	if err := s.check(ledger); err != nil {
		return err
	}
	from = max(from, 1)
	head, hs, exists, err := s.fetchHead(ctx, ledger)
	if err != nil || !exists || head < from {
		return err
	}
	start, err := s.findFrame(ctx, ledger, from, hs)
	if err != nil {
		return err
	}
	// The first frames come by gets: most reads that start far from the
	// head stop after a record or two (a commit looked up by sequence, a
	// binary search by time), and a get is cheaper than a consumer.
	next, err := s.getFrames(ctx, ledger, from, start, min(hs, start+maxGetFrames-1), fn)
	if err != nil || hs-start < maxGetFrames {
		return err
	}
	// A bounded read holds a consumer on the server while it runs; a slot
	// from readers keeps any number of concurrent callers (audits, as-of
	// reads, idempotent replays) under the stream's consumer limit: the
	// excess waits its turn (bounded by ctx) instead of failing.
	select {
	case s.readers <- struct{}{}:
		defer func() { <-s.readers }()
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.consume(ctx, ledger, from, next, start+maxGetFrames, hs, fn)
}

// maxGetFrames is how many frames Read fetches one by one before it creates
// a consumer for the rest: a consumer costs a round trip through the
// cluster's meta leader, a get only one request to the stream leader, and
// short reads of the tail are what a writer or projection does most.
const maxGetFrames = 8

// followHeartbeat is how often an idle reader hears from its consumer's
// server; two missed make the reader move its consumer to a live server.
// Not shorter: on a loaded machine a late heartbeat would make readers
// recreate consumers for nothing.
const followHeartbeat = 2 * time.Second

// consumerAttempt bounds one attempt to create a reader's consumer, which
// under load takes longer than a get.
const consumerAttempt = 5 * time.Second

// maxReaders bounds the consumers that bounded reads hold at once, per
// store: JetStream refuses a stream's 1,001st consumer, and live followers
// (one per ledger for the projections, one per ledger for SSE) need room.
const maxReaders = 128

// getFrames delivers the records from from onwards held by the frames at
// stream sequences start..stop, fetching each frame with one get, and
// answers the record after the last frame.
func (s *Store) getFrames(ctx context.Context, ledger string, from, start, stop uint64, fn func(eventstore.Record) error) (uint64, error) {
	h, err := s.stream(ctx, ledger)
	if err != nil {
		return 0, s.closedErr(err)
	}
	next := uint64(0)
	for sseq := start; sseq <= stop; sseq++ {
		m, err := s.getMsg(ctx, h, sseq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			// Inside the stream's range, a message that is not there was
			// lost: JetStream drops a message whose checksum fails.
			return 0, &eventstore.DamagedError{Ledger: ledger, Seq: max(next, from),
				Reason: fmt.Sprintf("stream message %d is gone (dropped or removed from the store)", sseq)}
		}
		if err != nil {
			return 0, s.closedErr(fmt.Errorf("nats: ledger %s stream seq %d: %w", ledger, sseq, err))
		}
		if next, err = deliverFrame(ledger, sseq, from, next, m.Header, m.Data, fn); err != nil {
			return 0, err
		}
	}
	return next, nil
}

// getMsg fetches the stream message at sseq from the stream leader, in
// short attempts (see retry): a get sent to a leader that just died is
// asked again of the next one instead of waiting out a long timeout.
func (s *Store) getMsg(ctx context.Context, h jetstream.Stream, sseq uint64) (*jetstream.RawStreamMsg, error) {
	var m *jetstream.RawStreamMsg
	err := s.retry(ctx, 0, func(ctx context.Context) error {
		var err error
		m, err = h.GetMsg(ctx, sseq)
		return err
	})
	return m, err
}

// Follow implements eventstore.Store: Read that keeps the consumer open.
func (s *Store) Follow(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	if err := s.check(ledger); err != nil {
		return err
	}
	from = max(from, 1)
	// Wait for the ledger's stream: following a ledger before its first
	// commit is normal (a projection started with the server).
	wait := 20 * time.Millisecond
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		head, hs, exists, err := s.fetchHead(attempt, ledger)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case s.closed.Load():
			return eventstore.ErrClosed
		case err != nil:
			// A stream just created may still be electing its leader: a
			// follower waits that out instead of failing.
			s.log.Debug("nats: follow: head not known yet", "ledger", ledger, "err", err)
		case exists:
			start := hs + 1 // from is past the head: wait for what comes next
			if from <= head {
				if start, err = s.findFrame(ctx, ledger, from, hs); err != nil {
					return err
				}
			}
			return s.consume(ctx, ledger, from, 0, start, 0, fn)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if s.closed.Load() {
			return eventstore.ErrClosed
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// findFrame answers the stream sequence of the frame holding record from,
// by binary search between 1 and headSeq. A frame at stream sequence k
// starts at record k or later (every frame holds at least one record), so
// the search never needs to look past stream sequence from.
func (s *Store) findFrame(ctx context.Context, ledger string, from, headSeq uint64) (uint64, error) {
	if from <= 1 {
		return 1, nil
	}
	h, err := s.stream(ctx, ledger)
	if err != nil {
		return 0, s.closedErr(err)
	}
	lo, hi := uint64(1), min(headSeq, from)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		m, err := s.getMsg(ctx, h, mid)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return 0, &eventstore.DamagedError{Ledger: ledger, Seq: from,
				Reason: fmt.Sprintf("stream message %d is gone (dropped or removed from the store)", mid)}
		}
		if err != nil {
			return 0, s.closedErr(fmt.Errorf("nats: ledger %s stream seq %d: %w", ledger, mid, err))
		}
		first, _, err := frameHeaders(m.Header)
		if err != nil {
			return 0, &eventstore.DamagedError{Ledger: ledger, Seq: from, Reason: fmt.Sprintf("stream message %d: %v", mid, err)}
		}
		if first <= from {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, nil
}

// consume delivers the records from from onwards, reading frames from stream
// sequence start; with stop > 0 it ends after the frame at stream sequence
// stop, otherwise it goes on until ctx is done. next is the record the
// frame at start must begin with, 0 when no frame was read before it.
func (s *Store) consume(ctx context.Context, ledger string, from, next, start, stop uint64, fn func(eventstore.Record) error) error {
	// A consumer is created through the cluster's meta leader: one that
	// died with the request is asked again of the next. A consumer created
	// by an attempt whose answer was lost goes away by itself (inactive).
	var cons jetstream.Consumer
	err := s.retry(ctx, consumerAttempt, func(ctx context.Context) error {
		var err error
		cons, err = s.js.OrderedConsumer(ctx, streamName(ledger), jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
			OptStartSeq:   start,
			// A backstop only: a finished read deletes its consumer at once.
			InactiveThreshold: 5 * time.Second,
		})
		return err
	})
	if err != nil {
		return s.closedErr(fmt.Errorf("nats: reader for ledger %s: %w", ledger, err))
	}
	// Stopping an ordered consumer leaves its server side to time out, and
	// a stream holds at most 1,000 consumers: many short reads (idempotent
	// replays, audits, imports) would run into that limit within seconds.
	defer s.deleteConsumer(ctx, ledger, cons)
	// An ordered consumer lives on one server; when that server dies the
	// client notices only after two missed heartbeats, then makes a new
	// consumer where it stopped. nats.go's 5 s default left a follower (a
	// projection, an event stream) 10 s behind after a node died.
	it, err := cons.Messages(jetstream.PullMaxMessagesWithBytesLimit(256, pullBytes), jetstream.PullHeartbeat(followHeartbeat))
	if err != nil {
		return s.closedErr(fmt.Errorf("nats: reader for ledger %s: %w", ledger, err))
	}
	defer it.Stop()

	// next: the record sequence the next frame must start at; 0 before the first
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) || s.closed.Load() {
				return eventstore.ErrClosed
			}
			return fmt.Errorf("nats: reading ledger %s: %w", ledger, err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("nats: reading ledger %s: %w", ledger, err)
		}
		sseq := meta.Sequence.Stream
		if next, err = deliverFrame(ledger, sseq, from, next, msg.Headers(), msg.Data(), fn); err != nil {
			return err
		}
		if stop > 0 && sseq >= stop {
			return nil
		}
	}
}

// deleteConsumer removes a finished reader's consumer from the server.
func (s *Store) deleteConsumer(ctx context.Context, ledger string, cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil || s.closed.Load() {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.js.DeleteConsumer(dctx, streamName(ledger), info.Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		s.log.Debug("nats: delete reader's consumer", "ledger", ledger, "consumer", info.Name, "err", err)
	}
}

// deliverFrame checks the frame at stream sequence sseq and hands its
// records from from onwards to fn. next is the record the frame must start
// at (0 for the first frame read); it answers the record after the frame.
func deliverFrame(ledger string, sseq, from, next uint64, hdr natsgo.Header, data []byte, fn func(eventstore.Record) error) (uint64, error) {
	want := next // the record this frame must start at
	if want == 0 {
		want = from
	}
	damaged := func(seq uint64, format string, args ...any) (uint64, error) {
		return 0, &eventstore.DamagedError{Ledger: ledger, Seq: seq, Reason: fmt.Sprintf("stream message %d: ", sseq) + fmt.Sprintf(format, args...)}
	}
	first, count, err := frameHeaders(hdr)
	if err != nil {
		return damaged(want, "%v", err)
	}
	switch {
	case next != 0 && first > next:
		return damaged(next, "starts at record %d: records %d–%d are missing", first, next, first-1)
	case next != 0 && first < next:
		return damaged(first, "starts at record %d, which an earlier message already holds", first)
	case next == 0 && first > from:
		return damaged(from, "the first message read starts at record %d: record %d is missing", first, from)
	}
	recs, err := decodeFrame(data)
	if err != nil {
		return damaged(max(first, from), "%v", err)
	}
	if uint64(len(recs)) != count {
		return damaged(max(first, from), "%v: holds %d records, header says %d", errBadFrame, len(recs), count)
	}
	for i, rec := range recs {
		seq := first + uint64(i)
		if seq < from {
			continue
		}
		if err := fn(eventstore.Record{Ledger: ledger, Seq: seq, Data: rec}); err != nil {
			return 0, err
		}
	}
	return first + count, nil
}

// Ledgers implements eventstore.Store: the fundledger streams that hold at
// least one message, in lexical order.
func (s *Store) Ledgers(ctx context.Context) ([]string, error) {
	if s.closed.Load() {
		return nil, eventstore.ErrClosed
	}
	lister := s.js.ListStreams(ctx, jetstream.WithStreamListSubject(subjectPrefix+"*"))
	var out []string
	for info := range lister.Info() {
		code, ok := strings.CutPrefix(info.Config.Name, streamPrefix)
		if ok && info.State.Msgs > 0 && eventstore.ValidLedgerCode(code) {
			out = append(out, code)
		}
	}
	if err := lister.Err(); err != nil {
		return nil, s.closedErr(fmt.Errorf("nats: list ledgers: %w", err))
	}
	slices.Sort(out)
	return out, nil
}
