package nats

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/eventstore"
)

// publishAttempt bounds one attempt of a publish of size bytes. An ack
// that comes later than this is not lost: the next attempt is refused
// (the stream no longer ends where it expects) and the read-back finds
// the first one. The base covers a replication round on a loaded cluster;
// each MiB adds a second to carry the frame to the replicas.
func publishAttempt(size int) time.Duration {
	return 2*time.Second + time.Duration(size>>20)*time.Second
}

// publish sends msg to ledger's stream, which must end at stream sequence
// sseq, and answers the sequence it is stored at.
//
// An attempt whose ack does not come (the leader died with the message in
// flight, or the ack was lost on the way) is made again, with the same
// bytes and the same expected last sequence, until the stream's new leader
// answers. The server applies a message only if the stream still ends at
// sseq, so of all the attempts at most one is stored, and never one after
// another writer's commit. When a retry is refused for that reason, an
// earlier attempt may be what moved the stream: the message at sseq+1 is
// read back, and it counts as this append exactly when its bytes are
// this message's. Anything else there is another writer's commit, and the
// append answers eventstore.ErrConflict, as a first attempt refused would.
func (s *Store) publish(ctx context.Context, ledger string, sseq uint64, msg *natsgo.Msg) (uint64, error) {
	var landed uint64
	attempts := 0
	err := s.retry(ctx, publishAttempt(len(msg.Data)), func(ctx context.Context) error {
		attempts++
		ack, err := s.publishMsg(ctx, msg, jetstream.WithExpectStream(streamName(ledger)), jetstream.WithExpectLastSequence(sseq))
		switch {
		case err == nil:
			landed = ack.Sequence
			return nil
		case !isWrongLastSeq(err):
			return err
		case attempts == 1:
			// Nothing of ours was sent before: another writer moved the stream.
			return fmt.Errorf("stream no longer ends at %d: %w", sseq, eventstore.ErrConflict)
		}
		ours, err := s.storedAt(ctx, ledger, sseq+1, msg)
		if err != nil {
			return err // a read-back lost in the election: publish (and be refused) again
		}
		if !ours {
			return fmt.Errorf("stream message %d is another writer's: %w", sseq+1, eventstore.ErrConflict)
		}
		s.log.Info("nats: an append retried after a lost ack had been stored; counted once", "ledger", ledger, "stream_seq", sseq+1, "attempts", attempts)
		landed = sseq + 1
		return nil
	})
	return landed, err
}

// storedAt reports whether the stream message at sseq is msg, byte for
// byte (frame and its headers). It asks the stream leader, which has just
// said the stream moved past sseq-1, so the message is there unless the
// stream lost it.
func (s *Store) storedAt(ctx context.Context, ledger string, sseq uint64, msg *natsgo.Msg) (bool, error) {
	h, err := s.stream(ctx, ledger)
	if err != nil {
		return false, err
	}
	m, err := h.GetMsg(ctx, sseq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(m.Data, msg.Data) &&
		m.Header.Get(hdrFirstSeq) == msg.Header.Get(hdrFirstSeq) &&
		m.Header.Get(hdrCount) == msg.Header.Get(hdrCount), nil
}
