package failover

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RunRaw is the baseline of Run: the same kill on a fresh 3-node cluster,
// with cfg.Writers plain nats.go publishers (nats.go's defaults: a publish
// waits up to its default 5 s for the ack; an error is followed by the next
// publish) on an R3 file stream. It answers the stall of acks.
func RunRaw(ctx context.Context, cfg Config) (time.Duration, error) {
	cluster, err := startCluster(ctx, filepath.Join(cfg.Dir, "raw"), cfg.Kill)
	if err != nil {
		return 0, err
	}
	defer cluster.Close()
	nc, err := natsgo.Connect(cluster.URL(), natsgo.MaxReconnects(-1))
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, err
	}
	const stream = "RAW"
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	_, err = js.CreateStream(cctx, jetstream.StreamConfig{Name: stream, Subjects: []string{"raw"}, Storage: jetstream.FileStorage, Replicas: 3})
	cancel()
	if err != nil {
		return 0, err
	}

	var mu sync.Mutex
	var acks []time.Time
	ackTimes := func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), acks...) // appended in time order under mu
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	payload := make([]byte, 300)
	for range cfg.Writers {
		wg.Go(func() {
			for wctx.Err() == nil {
				if _, err := js.Publish(context.Background(), "raw", payload); err == nil {
					mu.Lock()
					acks = append(acks, time.Now())
					mu.Unlock()
				}
			}
		})
	}
	defer func() {
		stop()
		wg.Wait()
	}()
	if err := sleep(ctx, cfg.Before); err != nil {
		return 0, err
	}
	k, err := cluster.killLeader(ctx, stream)
	if err != nil {
		return 0, err
	}
	return waitResumed(ctx, ackTimes, k.at, cfg.After, cfg.Limit)
}
