package strictjson_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/strictjson"
)

// BenchmarkDecode measures the strict decode of a write's body: an
// allocation (what every HTTP write of the benchmarks sends) and a payout
// batch of 1,000 small line objects.
//
//	go test ./internal/strictjson -run '^$' -bench Decode -benchmem
func BenchmarkDecode(b *testing.B) {
	b.Run("allocation", func(b *testing.B) {
		body := []byte(`{"id":"H1","source_level":"county","programme":"区本级财政专项扶贫资金","fiscal_year":2019,"document_no":"光财〔2019〕8号","amount":"100.00"}`)
		b.ReportAllocs()
		for b.Loop() {
			var a domain.Allocate
			if err := strictjson.Decode(body, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("batch1000", func(b *testing.B) {
		var sb strings.Builder
		sb.WriteString(`{"id":"B1","fund":"A1","item":"i","period":"2019","control":{"count":1000,"amount":"1000.00"},"lines":[`)
		for i := range 1000 {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"household":"H%04d","amount":"1.00"}`, i)
		}
		sb.WriteString(`]}`)
		body := []byte(sb.String())
		b.ReportAllocs()
		for b.Loop() {
			var p domain.PayoutBatch
			if err := strictjson.Decode(body, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
