// Package natskv opens the JetStream key-value buckets fundledger keeps
// beside its ledger streams on a NATS cluster (ledger leases, bearer
// tokens), with one rule for how many replicas a new bucket gets.
package natskv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"
)

// Open opens the bucket cfg names, making it if it does not exist. A new
// bucket gets replicas copies; replicas 0 tries 3 (a 3-node cluster keeps
// the bucket through the loss of a node) and falls back to 1 on a smaller
// cluster, whatever the streams' replicas are. An existing bucket is
// opened as it is (its replicas are never changed here).
func Open(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig, replicas int, log *slog.Logger) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return kv, err
	}
	tries := []int{replicas}
	if replicas == 0 {
		tries = []int{3, 1}
	}
	for _, r := range tries {
		cfg.Replicas = r
		kv, err = js.CreateOrUpdateKeyValue(ctx, cfg)
		if err == nil {
			return kv, nil
		}
		log.Info("natskv: bucket not made with these replicas", "bucket", cfg.Bucket, "replicas", r, "err", err)
	}
	return nil, fmt.Errorf("make bucket %s: %w", cfg.Bucket, err)
}
