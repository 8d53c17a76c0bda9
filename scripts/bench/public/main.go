// Command public measures the public disclosure routes under concurrent
// load on loopback: requests/s and latency percentiles for the disclosure
// JSON and the notice HTML of a demo village, with and without a matching
// ETag (If-None-Match → 304), next to /healthz (the cheapest route through
// the same server) measured in the same run.
//
//	go run ./scripts/bench/public [-clients 64] [-duration 5s]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/internal/node"
)

func main() {
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 5*time.Second, "how long each route is loaded")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*clients, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "public:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(clients int, d time.Duration) error {
	dir, err := os.MkdirTemp("", "fundledger-public-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return err
	}
	defer n.Close()
	if _, err := demo.Load(ctx, n.Manager, demo.Build(2000)); err != nil {
		return err
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	n.Serve(ln)
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	routes := []struct{ name, path string }{
		{"healthz (baseline)", "/healthz"},
		{"disclosure JSON", "/v1/public/ledgers/341504/villages/V001/disclosure"},
		{"notice HTML", "/notice/341504/V001"},
	}
	fmt.Printf("%d clients, %s per route, demo county (2,000 households), village V001\n\n", clients, d)
	fmt.Printf("%-34s %10s %9s %9s %9s\n", "route", "req/s", "p50", "p99", "status")
	var baseline float64
	for _, r := range routes {
		etag, err := fetchETag(client, base+r.path)
		if err != nil {
			return err
		}
		modes := []string{""}
		if etag != "" {
			modes = append(modes, etag)
		}
		for _, m := range modes {
			res := load(client, base+r.path, m, clients, d)
			name := r.name
			if m != "" {
				name += ", If-None-Match"
			}
			if baseline == 0 {
				baseline = res.rate
			}
			fmt.Printf("%-34s %10.0f %9s %9s %9v   (%.2f× baseline)\n", name, res.rate, res.p50, res.p99, res.statuses, res.rate/baseline)
		}
	}
	return nil
}

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
