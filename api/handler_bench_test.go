package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/internal/node"
)

// BenchmarkWriteHandler measures what the API itself costs per write, apart
// from the network, the client and a durable store: one POST …/allocations
// through Server.ServeHTTP (request id, auth, body, strict decode, request
// hash, log line, metrics, 201 answer) over the in-memory store. The
// ledger's decide and hash are in the figure too, the same for every
// version of the API, so differences between runs are the API's own.
//
//	go test ./api -run '^$' -bench WriteHandler -benchmem -count=5
func BenchmarkWriteHandler(b *testing.B) {
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Wired as serve wires it, over the in-memory store; the projections
	// are not started, as no read is measured.
	n, err := node.Open(context.Background(), node.Config{Store: memory.New(), Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	_, fin, err := n.Tokens.Issue(api.RoleFinance, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	srv := n.Server
	post := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+fin)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := post("/v1/ledgers", `{"code":"`+county+`","name":"光州区"}`); rec.Code != http.StatusCreated {
		b.Fatalf("open ledger: %d %s", rec.Code, rec.Body)
	}
	path := "/v1/ledgers/" + county + "/allocations"
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		body := fmt.Sprintf(`{"id":"B%d","source_level":"county","programme":"区本级财政专项扶贫资金","fiscal_year":2019,"document_no":"光财〔2019〕8号","amount":"100.00"}`, i)
		if rec := post(path, body); rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
