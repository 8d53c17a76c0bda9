package nats

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/eventstore"
)

// lostAck makes the store's first publish do first(ctx, msg) and then
// answer a timeout, as when the stream leader dies before its ack leaves.
func lostAck(s *Store, first func(ctx context.Context, msg *natsgo.Msg) error) {
	real := s.publishMsg
	calls := 0
	s.publishMsg = func(ctx context.Context, msg *natsgo.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
		if calls++; calls > 1 {
			return real(ctx, msg, opts...)
		}
		if err := first(ctx, msg); err != nil {
			return nil, err
		}
		return nil, context.DeadlineExceeded
	}
}

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func streamMsgs(t *testing.T, s *Store, ledger string) uint64 {
	t.Helper()
	info, err := s.js.Stream(context.Background(), streamName(ledger))
	if err != nil {
		t.Fatal(err)
	}
	return info.CachedInfo().State.Msgs
}

// TestAppendRetryAfterLostAckCountsOnce: the first attempt is stored but
// its ack is lost; the retry is refused (the stream moved) and the read-back
// finds the same bytes, so the append succeeds and the stream holds it once.
func TestAppendRetryAfterLostAckCountsOnce(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Append(ctx, "L1", 0, [][]byte{[]byte("one")}); err != nil {
		t.Fatal(err)
	}
	lostAck(s, func(ctx context.Context, msg *natsgo.Msg) error {
		_, err := s.js.PublishMsg(ctx, msg, jetstream.WithExpectLastSequence(1))
		return err
	})
	head, err := s.Append(ctx, "L1", 1, [][]byte{[]byte("two"), []byte("three")})
	if err != nil || head != 3 {
		t.Fatalf("Append after a lost ack = %d, %v; want 3, nil", head, err)
	}
	if n := streamMsgs(t, s, "L1"); n != 2 {
		t.Fatalf("stream holds %d messages, want 2 (the retried append once)", n)
	}
	if head, err := s.Append(ctx, "L1", 3, [][]byte{[]byte("four")}); err != nil || head != 4 {
		t.Fatalf("next Append = %d, %v; want 4, nil", head, err)
	}
}

// TestAppendRetryFindsAnotherWritersCommit: the first attempt is lost
// and another writer's commit takes its place; the retry is refused and the
// read-back finds other bytes: a conflict, not a success.
func TestAppendRetryFindsAnotherWritersCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Append(ctx, "L1", 0, [][]byte{[]byte("one")}); err != nil {
		t.Fatal(err)
	}
	lostAck(s, func(ctx context.Context, msg *natsgo.Msg) error {
		other := natsgo.NewMsg(msg.Subject)
		other.Header.Set(hdrFirstSeq, msg.Header.Get(hdrFirstSeq))
		other.Data = encodeFrame([][]byte{[]byte("someone else")})
		other.Header.Set(hdrCount, "1")
		_, err := s.js.PublishMsg(ctx, other, jetstream.WithExpectLastSequence(1))
		return err
	})
	_, err := s.Append(ctx, "L1", 1, [][]byte{[]byte("two")})
	if !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("Append whose place another writer took = %v, want ErrConflict", err)
	}
	if n := streamMsgs(t, s, "L1"); n != 2 {
		t.Fatalf("stream holds %d messages, want 2", n)
	}
}

// TestAppendRetryAfterLostPublish: the first attempt never reached the
// stream; the retry stores it.
func TestAppendRetryAfterLostPublish(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	lostAck(s, func(ctx context.Context, _ *natsgo.Msg) error { return nil })
	start := time.Now()
	head, err := s.Append(ctx, "L1", 0, [][]byte{[]byte("one")})
	if err != nil || head != 1 {
		t.Fatalf("Append = %d, %v; want 1, nil", head, err)
	}
	if n := streamMsgs(t, s, "L1"); n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("retry took %v", d)
	}
}
