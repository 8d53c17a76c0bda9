package natskv_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/internal/natskv"
	"github.com/fundledger/fundledger/internal/testutil"
)

func replicasOf(t *testing.T, url string) int {
	t.Helper()
	nc, err := natsgo.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := natskv.Open(ctx, js, jetstream.KeyValueConfig{Bucket: "t", History: 1}, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// Opened again: the existing bucket, unchanged.
	if _, err := natskv.Open(ctx, js, jetstream.KeyValueConfig{Bucket: "t"}, 0, slog.Default()); err != nil {
		t.Fatal(err)
	}
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas
}

// TestBucketR3OnAClusterR1OnOneNode: a new bucket keeps three copies when
// the cluster has three nodes and falls back to one on a single server.
func TestBucketR3OnAClusterR1OnOneNode(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	if r := replicasOf(t, srv.ClientURL()); r != 1 {
		t.Fatalf("single node: %d replicas", r)
	}
	cluster := testutil.StartCluster(t, 3)
	if r := replicasOf(t, testutil.ClientURL(cluster...)); r != 3 {
		t.Fatalf("3-node cluster: %d replicas", r)
	}
}
