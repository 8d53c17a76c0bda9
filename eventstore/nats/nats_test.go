package nats_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/conformance"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/testutil"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openEmbedded(t *testing.T, dir string) eventstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := nats.Open(ctx, nats.Options{DataDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Open embedded: %v", err)
	}
	return st
}

func TestEmbeddedConformance(t *testing.T) {
	conformance.Run(t, openEmbedded, conformance.Features{Restart: true, MaxAppendBytes: nats.MaxPayload})
}

// TestClusterConformance runs the suite against a 3-node loopback cluster
// with R3 streams: what --nats-url gives a county that outgrew one machine.
func TestClusterConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no 3-node cluster")
	}
	servers := testutil.StartCluster(t, 3)
	url := testutil.ClientURL(servers...)
	conformance.Run(t, func(t *testing.T, dir string) eventstore.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := nats.Open(ctx, nats.Options{URL: url, Logger: quietLogger()})
		if err != nil {
			t.Fatalf("Open cluster: %v", err)
		}
		return st
	}, conformance.Features{MaxAppendBytes: nats.MaxPayload, Rounds: 3})
}
