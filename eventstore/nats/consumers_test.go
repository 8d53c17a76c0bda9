package nats_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

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
