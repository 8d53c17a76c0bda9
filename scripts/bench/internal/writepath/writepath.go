// Package writepath measures durable commits per second through the ledger
// writer on the embedded JetStream store (fsync before every ack) at each
// of several writer counts, next to the raw JetStream rate of one
// synchronous publish per message at the same concurrency on a stream with
// the same fsync setting, and the packed ceiling (records/s when many
// records share one message, as the writer's group commit packs them), all
// in the same run so that the ratio is fair on a noisy machine.
package writepath

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config sizes a run.
type Config struct {
	Duration time.Duration // each measurement
	Writers  []int         // concurrencies, e.g. 1, 64, 256
	RawBytes int           // payload of one raw publish (a record)
	Pack     int           // records per message of the packed ceiling
}

// Default is the full run's configuration.
func Default() Config {
	return Config{Duration: 5 * time.Second, Writers: []int{1, 64, 256}, RawBytes: 300, Pack: 100}
}

const code = "341504"

// Run measures and answers commits_<n> for every writer count (baseline:
// raw publishes at n) and commits_<max>_packed (baseline: records/s packed
// cfg.Pack to a message at the largest count); context goes to log.
func Run(ctx context.Context, cfg Config, log io.Writer) ([]figure.Figure, error) {
	dir, err := os.MkdirTemp("", "fundledger-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer store.Close()

	raw := map[int]float64{}
	for _, n := range cfg.Writers {
		if raw[n], err = rawPublish(ctx, store, cfg.Duration, n, cfg.RawBytes, 1); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "# raw JetStream publish, 1 msg (%d bytes) = 1 fsync, %d publishers: %.0f msg/s\n", cfg.RawBytes, n, raw[n])
	}
	most := cfg.Writers[len(cfg.Writers)-1]
	packed, err := rawPublish(ctx, store, cfg.Duration, most, cfg.RawBytes, cfg.Pack)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "# raw JetStream publish, %d records of %d bytes per msg, %d publishers: %.0f records/s\n", cfg.Pack, cfg.RawBytes, most, packed)

	m := ledger.NewManager(store, ledger.Options{Logger: quiet})
	defer m.Close()
	if _, err := m.Submit(ctx, code, ledger.Request{Command: domain.OpenLedger{Code: code, Name: "某县"}}); err != nil {
		return nil, err
	}
	var next atomic.Int64
	var figs []figure.Figure
	var atMost float64
	for _, n := range cfg.Writers {
		rate := Measure(cfg.Duration, n, func() error { return allocate(ctx, m, next.Add(1)) })
		fmt.Fprintf(log, "# fundledger durable commits, %d writers: %.0f commits/s (%.2f× raw at %d, %.2f× raw at 1)\n", n, rate, rate/raw[n], n, rate/raw[cfg.Writers[0]])
		figs = append(figs, figure.Figure{Name: fmt.Sprintf("commits_%d", n), Value: rate, Unit: "commits/s", Baseline: raw[n]})
		atMost = rate
	}
	figs = append(figs, figure.Figure{Name: fmt.Sprintf("commits_%d_packed", most), Value: atMost, Unit: "commits/s", Baseline: packed})
	if v, err := ledger.Verify(ctx, store, code); err != nil || !v.Valid {
		return nil, fmt.Errorf("chain after the run: %+v %v", v, err)
	}
	return figs, nil
}

func allocate(ctx context.Context, m *ledger.Manager, n int64) error {
	_, err := m.Submit(ctx, code, ledger.Request{Actor: "bench", Command: domain.Allocate{
		ID: fmt.Sprintf("A%d", n), SourceLevel: "central", Programme: "中央财政专项扶贫资金", FiscalYear: 2019,
		DocumentNo: "财农〔2019〕1号", Amount: "1000.00"}})
	return err
}

// Measure runs op from n goroutines for d and answers successful ops per second.
func Measure(d time.Duration, n int, op func() error) float64 {
	var done atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if op() == nil {
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds()
}

// rawPublish is the baseline: a file stream on the same server with
// synchronous publishes of pack records of size bytes each, every message
// acknowledged after its fsync; it answers records per second.
func rawPublish(ctx context.Context, store *flnats.Store, d time.Duration, publishers, size, pack int) (float64, error) {
	nc, err := natsgo.Connect("", natsgo.InProcessServer(store.Server()))
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	name := fmt.Sprintf("RAW%dx%d", publishers, pack)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"raw." + name}, Storage: jetstream.FileStorage}); err != nil {
		return 0, err
	}
	defer js.DeleteStream(ctx, name)
	payload := make([]byte, size*pack)
	return float64(pack) * Measure(d, publishers, func() error {
		_, err := js.Publish(ctx, "raw."+name, payload)
		return err
	}), nil
}
