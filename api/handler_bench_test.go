package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
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
	store := memory.New()
	tokens, err := api.OpenTokens("")
	if err != nil {
		b.Fatal(err)
	}
	_, fin, err := tokens.Issue(api.RoleFinance, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	metrics := api.NewMetrics()
	mgr := ledger.NewManager(store, ledger.Options{Logger: log, Observer: metrics})
	defer mgr.Close()
	srv := api.New(api.Config{Manager: mgr, Store: store, Tokens: tokens, Metrics: metrics, Logger: log})
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
