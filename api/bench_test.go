package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// TestHTTPWriteFigures measures what BENCHMARKS.md "## HTTP API" records:
// single-write latency over HTTP at light load (one client), write
// throughput with 64 concurrent HTTP clients, and, in the same run, durable
// commits/s through ledger.Manager directly with 64 goroutines. It runs only
// with FUNDLEDGER_BENCH=1:
//
//	FUNDLEDGER_BENCH=1 go test ./api -run TestHTTPWriteFigures -v -count=1
//
// With FUNDLEDGER_BENCH_PROFILE=dir it also writes a CPU profile of each
// 64-way window alone (dir/HTTP.cpu, dir/ledger.Manager.cpu), so that the
// one-client warm-up and the other window do not blur where the time goes.
func TestHTTPWriteFigures(t *testing.T) {
	if os.Getenv("FUNDLEDGER_BENCH") == "" {
		t.Skip("set FUNDLEDGER_BENCH=1 to measure")
	}
	// The log lines go to /dev/null, one write(2) each, as serve's go to
	// stderr; the tests' in-memory buffer would grow to tens of MB and
	// charge the run for copying it.
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devNull.Close() }) // after the env's own cleanup
	e := startEnv(t, "", envOptions{logTo: devNull})
	fin := e.seedCounty("1.00")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}
	var n atomic.Int64
	post := func() (time.Duration, error) {
		id := n.Add(1)
		body := fmt.Sprintf(`{"id":"B%d","source_level":"county","programme":"区本级财政专项扶贫资金","fiscal_year":2019,"document_no":"光财〔2019〕8号","amount":"100.00"}`, id)
		req, _ := http.NewRequest("POST", e.url+"/v1/ledgers/"+county+"/allocations", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+fin)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		// Read the answer to its end before closing, as a real client
		// does: a body closed unread makes the Transport drop the
		// connection, and every request would pay a new TCP dial and
		// accept instead of reusing a keep-alive connection.
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			return 0, err
		}
		if res.StatusCode != 201 {
			return 0, fmt.Errorf("status %d", res.StatusCode)
		}
		return time.Since(start), nil
	}
	// Light load: one client, one write at a time.
	var lat []time.Duration
	for range 1000 {
		d, err := post()
		if err != nil {
			t.Fatal(err)
		}
		lat = append(lat, d)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("HTTP single write, 1 client, 1000 writes: p50 %v p99 %v", lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))

	run := func(name string, write func() error) float64 {
		const window = 5 * time.Second
		defer profile(t, name)()
		var done atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), window)
		defer cancel()
		var wg sync.WaitGroup
		start := time.Now()
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					if err := write(); err != nil {
						t.Error(err)
						return
					}
					done.Add(1)
				}
			}()
		}
		wg.Wait()
		rate := float64(done.Load()) / time.Since(start).Seconds()
		t.Logf("%s, 64 concurrent: %d writes in %v = %.0f commits/s", name, done.Load(), time.Since(start).Round(time.Millisecond), rate)
		return rate
	}
	httpRate := run("HTTP", func() error { _, err := post(); return err })
	storeRate := run("ledger.Manager", func() error {
		id := n.Add(1)
		_, err := e.mgr.Submit(context.Background(), county, ledger.Request{Actor: "bench", Command: domain.Allocate{
			ID: fmt.Sprintf("B%d", id), SourceLevel: "county", Programme: "区本级财政专项扶贫资金", FiscalYear: 2019,
			DocumentNo: "光财〔2019〕8号", Amount: "100.00"}})
		return err
	})
	t.Logf("HTTP / store ratio: %.2f", httpRate/storeRate)
}

// profile starts a CPU profile named after a benchmark window when
// FUNDLEDGER_BENCH_PROFILE names a directory, and answers its stop.
func profile(t *testing.T, name string) func() {
	dir := os.Getenv("FUNDLEDGER_BENCH_PROFILE")
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, name+".cpu"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
