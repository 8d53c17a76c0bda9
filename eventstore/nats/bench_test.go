package nats_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/testutil"
)

// BenchmarkRawPublishSync is the baseline the adapter has to beat: one
// ~200-byte message per synchronous publish to a file stream with fsync
// always. Every message costs an fsync, with 1 or 64 publishers alike.
func BenchmarkRawPublishSync(b *testing.B) {
	for _, publishers := range []int{1, 64} {
		b.Run(fmt.Sprintf("publishers=%d", publishers), func(b *testing.B) {
			srv, _ := testutil.StartJetStream(b)
			nc, err := natsgo.Connect("", natsgo.InProcessServer(srv))
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			js, err := jetstream.New(nc)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw"}, Storage: jetstream.FileStorage}); err != nil {
				b.Fatal(err)
			}
			payload := make([]byte, 200)
			var next atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range publishers {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if _, err := js.Publish(ctx, "raw", payload); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// BenchmarkAppend measures the adapter's group commit: records per second
// with 1 and 100 ~200-byte records per Append (one message, one fsync).
func BenchmarkAppend(b *testing.B) {
	for _, per := range []int{1, 100} {
		b.Run(fmt.Sprintf("records=%d", per), func(b *testing.B) {
			ctx := context.Background()
			st, err := nats.Open(ctx, nats.Options{DataDir: b.TempDir(), Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			recs := make([][]byte, per)
			for i := range recs {
				recs[i] = make([]byte, 200)
			}
			head := uint64(0)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if head, err = st.Append(ctx, "341504", head, recs); err != nil {
					b.Fatal(err)
				}
			}
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)/secs, "appends/s")
			b.ReportMetric(float64(b.N*per)/secs, "records/s")
		})
	}
}
