// Package public measures the public disclosure routes under concurrent
// load on loopback: requests/s and latency percentiles for the disclosure
// JSON and the notice HTML of a demo village, with and without a matching
// ETag (If-None-Match → 304), next to /healthz (the cheapest route through
// the same server) measured in the same run.
package public

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

// Config sizes a run.
type Config struct {
	Clients    int
	Duration   time.Duration // each route
	Households int           // of the demo county
}

// Run loads the demo county into a fresh node and answers, per route,
// req/s against /healthz's: notice_cached (the notice HTML, 200 from the
// render cache), notice_304, disclosure_cached, disclosure_304, and
// notice_cached_p99_ms against /healthz's p99; context goes to log.
func Run(ctx context.Context, cfg Config, log io.Writer) ([]figure.Figure, error) {
	dir, err := os.MkdirTemp("", "fundledger-public-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	if _, err := demo.Load(ctx, n.Manager, demo.Build(cfg.Households)); err != nil {
		return nil, err
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n.Serve(ln)
	base := "http://" + ln.Addr().String()
	clients := cfg.Clients
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	routes := []struct{ name, id, path string }{
		{"healthz (baseline)", "healthz", "/healthz"},
		{"disclosure JSON", "disclosure", "/v1/public/ledgers/341504/villages/V001/disclosure"},
		{"notice HTML", "notice", "/notice/341504/V001"},
	}
	fmt.Fprintf(log, "# %d clients, %s per route, demo county (%d households), village V001\n", clients, cfg.Duration, cfg.Households)
	var baseline result
	var figs []figure.Figure
	for _, r := range routes {
		etag, err := fetchETag(client, base+r.path)
		if err != nil {
			return nil, err
		}
		modes := []string{""}
		if etag != "" {
			modes = append(modes, etag)
		}
		for _, m := range modes {
			res := load(client, base+r.path, m, clients, cfg.Duration)
			name, id := r.name, r.id+"_cached"
			if m != "" {
				name, id = name+", If-None-Match", r.id+"_304"
			}
			if baseline.rate == 0 {
				baseline = res
				id = "public_healthz"
			}
			if bad := res.statuses[-1] + res.statuses[500] + res.statuses[503]; bad > 0 || len(res.statuses) == 0 {
				return nil, fmt.Errorf("%s: answers %v", name, res.statuses)
			}
			fmt.Fprintf(log, "# %-34s %10.0f req/s  p50 %9s  p99 %9s  %v   (%.2f× baseline)\n", name, res.rate, res.p50, res.p99, res.statuses, res.rate/baseline.rate)
			figs = append(figs, figure.Figure{Name: id, Value: res.rate, Unit: "req/s", Baseline: baseline.rate})
			if id == "notice_cached" {
				figs = append(figs, figure.Figure{Name: "notice_cached_p99_ms", Value: ms(res.p99), Unit: "ms", Baseline: ms(baseline.p99)})
			}
		}
	}
	return figs, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fetchETag(c *http.Client, url string) (string, error) {
	res, err := c.Get(url)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return res.Header.Get("ETag"), nil
}

type result struct {
	rate     float64
	p50, p99 time.Duration
	statuses map[int]int
}

func load(c *http.Client, url, etag string, clients int, d time.Duration) result {
	var mu sync.Mutex
	var lat []time.Duration
	statuses := map[int]int{}
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			seen := map[int]int{}
			for time.Now().Before(stop) {
				req, _ := http.NewRequest("GET", url, nil)
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				t0 := time.Now()
				res, err := c.Do(req)
				if err != nil {
					seen[-1]++
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mine = append(mine, time.Since(t0))
				seen[res.StatusCode]++
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range seen {
				statuses[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*p)].Round(10 * time.Microsecond)
	}
	return result{rate: float64(len(lat)) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), statuses: statuses}
}
