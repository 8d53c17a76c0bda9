package ledger

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// BenchmarkDurableCommits64 measures commits through the writer on the
// embedded JetStream store with 64 concurrent writers (b.SetParallelism).
// The full comparison with raw JetStream lives in scripts/bench/writepath.
func BenchmarkDurableCommits64(b *testing.B) {
	store := openNATS(&testing.T{}, b.TempDir())
	defer store.Close()
	m := NewManager(store, Options{Logger: quiet})
	defer m.Close()
	if _, err := m.Submit(context.Background(), code, Request{Command: domain.OpenLedger{Code: code, Name: "某县"}}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(32) // × GOMAXPROCS(2) = 64 writers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := m.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: fmt.Sprintf("A%d", n.Add(1)),
				SourceLevel: "central", Programme: "中央财政专项扶贫资金", FiscalYear: 2019, DocumentNo: "财农〔2019〕1号", Amount: "1000.00"}})
			if err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkKeyedCommits64 measures commits under idempotency keys through
// the writer on the embedded JetStream store with 64 concurrent writers:
// every key in RAM (ram), and with the key index (index: a window of 1,000
// commits, the index first filled with 1M keys of another ledger and
// flushed to its tables, so that a new key's lookup goes past the memtable).
func BenchmarkKeyedCommits64(b *testing.B) {
	for _, withIndex := range []bool{false, true} {
		name := map[bool]string{false: "ram", true: "index"}[withIndex]
		b.Run(name, func(b *testing.B) {
			store := openNATS(&testing.T{}, b.TempDir())
			defer store.Close()
			opts := Options{Logger: quiet}
			if withIndex {
				opts.KeyIndexDir, opts.KeyWindow = b.TempDir(), 1000
				fillIndex(b, opts.KeyIndexDir, 1_000_000)
			}
			m := NewManager(store, opts)
			defer m.Close()
			if _, err := m.Submit(context.Background(), code, Request{Command: domain.OpenLedger{Code: code, Name: "某县"}}); err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(32) // × GOMAXPROCS(2) = 64 writers
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					key := fmt.Sprintf("key-%09d", i)
					_, err := m.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: fmt.Sprintf("A%d", i),
						SourceLevel: "central", Programme: "中央财政专项扶贫资金", FiscalYear: 2019, DocumentNo: "财农〔2019〕1号", Amount: "1000.00"},
						IdempotencyKey: key, RequestHash: fmt.Sprintf("%064x", i)})
					if err != nil {
						b.Error(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}

// fillIndex writes n keys of another ledger into the index in dir and
// flushes them to its tables.
func fillIndex(b *testing.B, dir string, n int) {
	x, err := OpenKeyIndex(dir, quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	batch := make([]keyRec, 0, 10_000)
	for i := 1; i <= n; i++ {
		batch = append(batch, keyRec{fmt.Sprintf("key-%09d", i), keyEntry{fmt.Sprintf("%064x", i), uint64(i), fmt.Sprintf("%064x", i)}})
		if len(batch) == cap(batch) || i == n {
			if err := x.write("000000", batch, uint64(i), fmt.Sprintf("%064x", i)); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := x.db.Flush(); err != nil {
		b.Fatal(err)
	}
}
