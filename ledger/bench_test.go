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
