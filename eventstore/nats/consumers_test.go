package nats_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestShortReadsLeaveNoConsumersBehind: reading one old record, far behind
// the head, many times (what idempotent replays and audits do) must not pile
// up server-side consumers: a stream holds at most 1,000.
func TestShortReadsLeaveNoConsumersBehind(t *testing.T) {
	ctx := context.Background()
	st, err := nats.Open(ctx, nats.Options{DataDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := uint64(0); i < 40; i++ { // 40 frames: reads from 1 go through a consumer
		if _, err := st.Append(ctx, "341504", i, [][]byte{[]byte(fmt.Sprintf("r%d", i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	for i := 0; i < 50; i++ {
		err := st.Read(ctx, "341504", 1, func(r eventstore.Record) error { return stop })
		if !errors.Is(err, stop) {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	nc, err := natsgo.Connect("", natsgo.InProcessServer(st.Server()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	stream, err := js.Stream(ctx, "FUNDLEDGER_341504")
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := info.State.Consumers; n > 2 {
		t.Fatalf("%d consumers left on the stream after 50 finished reads", n)
	}
}

// TestManyConcurrentReadsNeverExhaustConsumers: 1,100 reads at once, each
// from far behind the head and each holding its consumer until all have
// started, all succeed: the excess waits for a slot instead of meeting the
// stream's 1,000-consumer limit.
func TestManyConcurrentReadsNeverExhaustConsumers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := nats.Open(ctx, nats.Options{DataDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := uint64(0); i < 20; i++ {
		if _, err := st.Append(ctx, "341504", i, [][]byte{[]byte(fmt.Sprintf("r%d", i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	const readers = 1100
	var wg sync.WaitGroup
	var failed, holding atomic.Int64
	var firstErr atomic.Value
	for range readers {
		wg.Go(func() {
			n := 0
			err := st.Read(ctx, "341504", 1, func(eventstore.Record) error {
				if n++; n == 2 {
					// Hold the consumer until every reader holds one, or
					// 200 ms: without a bound on readers, all 1,100 would
					// hold a consumer at once.
					holding.Add(1)
					for start := time.Now(); holding.Load() < readers && time.Since(start) < 200*time.Millisecond; {
						time.Sleep(5 * time.Millisecond)
					}
				}
				return nil
			})
			if err != nil || n != 20 {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, fmt.Sprintf("%d records, %v", n, err))
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		t.Fatalf("%d of %d concurrent reads failed; first: %v", f, readers, firstErr.Load())
	}
}
