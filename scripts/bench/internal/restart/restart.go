// Package restart measures how long `serve`'s node takes to be ready on an
// existing data dir: node.Open (the store, the writers opening every
// ledger), Start (the projections from their snapshots and the tail) and
// Serve, until GET /readyz answers 200, next to opening the embedded store
// alone on the same dir in the same run.
package restart

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

// Run answers restart_s (baseline: the store alone opened and closed) for
// the data dir dir, which nothing else may hold open.
func Run(ctx context.Context, dir string, log io.Writer) ([]figure.Figure, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := time.Now()
	store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		return nil, err
	}
	storeOpen := time.Since(start)
	if err := store.Close(); err != nil {
		return nil, err
	}

	start = time.Now()
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	opened := time.Since(start)
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n.Serve(ln)
	url := "http://" + ln.Addr().String() + "/readyz"
	wait, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(wait, "GET", url, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
			if bytes.Contains(body, []byte(`"damaged"`)) {
				return nil, fmt.Errorf("/readyz: %s", body)
			}
		}
		if wait.Err() != nil {
			return nil, fmt.Errorf("/readyz not 200 after %s", time.Since(start).Round(time.Second))
		}
		time.Sleep(5 * time.Millisecond)
	}
	ready := time.Since(start)
	fmt.Fprintf(log, "# restart on the existing data dir: node.Open %s, /readyz 200 after %s; the store alone opens in %s\n",
		opened.Round(time.Millisecond), ready.Round(time.Millisecond), storeOpen.Round(time.Millisecond))
	return []figure.Figure{{Name: "restart_s", Value: ready.Seconds(), Unit: "s", Baseline: storeOpen.Seconds()}}, nil
}
