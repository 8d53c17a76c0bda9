package console

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// result is one route loaded by concurrent clients.
type result struct {
	n        int
	rate     float64 // answers per second
	p50, p99 time.Duration
	bytes    int64 // of one answer (the last one read)
	statuses map[int]int
}

// load sends GETs from clients goroutines, each one after another on a
// keep-alive connection, for d; url(i) names the i-th request of a client
// (a route may vary its id). Every answer is read to its end.
func (b *bench) load(url func(i int) string, d time.Duration) result {
	var mu sync.Mutex
	var lat []time.Duration
	res := result{statuses: map[int]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for c := range b.cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			seen := map[int]int{}
			var size int64
			for i := c; time.Now().Before(stop); i += b.cfg.Clients {
				req, _ := http.NewRequest("GET", url(i), nil)
				req.Header.Set("Authorization", "Bearer "+b.auditor)
				t0 := time.Now()
				r, err := b.client.Do(req)
				if err != nil {
					seen[-1]++
					continue
				}
				size, _ = io.Copy(io.Discard, r.Body)
				r.Body.Close()
				mine = append(mine, time.Since(t0))
				seen[r.StatusCode]++
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range seen {
				res.statuses[k] += v
			}
			res.bytes = max(res.bytes, size)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*p)]
	}
	res.n, res.rate, res.p50, res.p99 = len(lat), float64(len(lat))/elapsed.Seconds(), pct(0.50), pct(0.99)
	return res
}

// report prints a route's three figures against the baseline route's.
func (b *bench) report(name string, r, base result) {
	fmt.Fprintf(b.cfg.Log, "# %s: %d answers %v, %d bytes each\n", name, r.n, r.statuses, r.bytes)
	b.figure(name+"_p50", ms(r.p50), "ms", ms(base.p50))
	b.figure(name+"_p99", ms(r.p99), "ms", ms(base.p99))
	b.figure(name+"_rate", r.rate, "req/s", base.rate)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// get answers one GET's status and body (auditor token).
func (b *bench) get(url string) (int, []byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+b.auditor)
	r, err := b.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	return r.StatusCode, body, err
}
