// Command writepath measures durable commits per second through the ledger
// writer on the embedded JetStream store (fsync before every ack), with 1 and
// with 64 concurrent writers, next to the raw JetStream rate of one
// synchronous publish per message on a stream with the same fsync setting,
// all in the same run so that the ratio is fair on a noisy machine.
//
//	go run ./scripts/bench/writepath [-duration 5s] [-writers 64]
package main

import (
	"context"
	"flag"
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
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var rawPayload = 300

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	writers := flag.Int("writers", 64, "concurrent writers for the second ledger figure")
	flag.IntVar(&rawPayload, "raw-bytes", 300, "payload of each raw publish")
	flag.Parse()
	if err := run(*duration, *writers); err != nil {
		fmt.Fprintln(os.Stderr, "writepath:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, writers int) error {
	dir, err := os.MkdirTemp("", "fundledger-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		return err
	}
	defer store.Close()

	raw1, err := rawPublish(ctx, store, d, 1)
	if err != nil {
		return err
	}
	rawN, err := rawPublish(ctx, store, d, writers)
	if err != nil {
		return err
	}
	m := ledger.NewManager(store, ledger.Options{Logger: quiet})
	defer m.Close()
	if _, err := m.Submit(ctx, "341504", ledger.Request{Command: domain.OpenLedger{Code: "341504", Name: "某县"}}); err != nil {
		return err
	}
	var next atomic.Int64
	one := measure(d, 1, func() error { return allocate(ctx, m, next.Add(1)) })
	many := measure(d, writers, func() error { return allocate(ctx, m, next.Add(1)) })
	if v, err := ledger.Verify(ctx, store, "341504"); err != nil || !v.Valid {
		return fmt.Errorf("chain after the run: %+v %v", v, err)
	}

	fmt.Printf("raw JetStream publish, 1 msg = 1 fsync, 1 publisher:    %8.0f msg/s\n", raw1)
	fmt.Printf("raw JetStream publish, 1 msg = 1 fsync, %d publishers:  %8.0f msg/s\n", writers, rawN)
	fmt.Printf("fundledger durable commits, 1 writer:                 %8.0f commits/s  (%.2f× raw 1)\n", one, one/raw1)
	fmt.Printf("fundledger durable commits, %d writers:               %8.0f commits/s  (%.2f× raw 1, %.2f× raw %d)\n",
		writers, many, many/raw1, many/rawN, writers)
	return nil
}

func allocate(ctx context.Context, m *ledger.Manager, n int64) error {
	_, err := m.Submit(ctx, "341504", ledger.Request{Actor: "bench", Command: domain.Allocate{
		ID: fmt.Sprintf("A%d", n), SourceLevel: "central", Programme: "中央财政专项扶贫资金", FiscalYear: 2019,
		DocumentNo: "财农〔2019〕1号", Amount: "1000.00"}})
	return err
}

// measure runs op from n goroutines for d and answers successful ops per second.
func measure(d time.Duration, n int, op func() error) float64 {
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
// synchronous publishes of ~300-byte messages, each acknowledged after its
// fsync.
func rawPublish(ctx context.Context, store *flnats.Store, d time.Duration, publishers int) (float64, error) {
	nc, err := natsgo.Connect("", natsgo.InProcessServer(store.Server()))
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	name := fmt.Sprintf("RAW%d", publishers)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"raw." + name}, Storage: jetstream.FileStorage}); err != nil {
		return 0, err
	}
	defer js.DeleteStream(ctx, name)
	payload := make([]byte, rawPayload)
	return measure(d, publishers, func() error {
		_, err := js.Publish(ctx, "raw."+name, payload)
		return err
	}), nil
}
