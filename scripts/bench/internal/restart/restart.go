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

	// The history was appended straight to the store, so no writer has
	// snapshotted it yet: the first start replays it (what a node does
	// once, after an import or a restore) and its clean stop writes the
	// writer and projection snapshots every later start begins from. The
	// second start is the restart a county sees.
	first, err := startOnce(ctx, dir, quiet)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "# first start on the data dir (no writer snapshot yet): %s\n", first)
	again, err := startOnce(ctx, dir, quiet)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "# restart on the existing data dir: %s; the store alone opens in %s\n", again, storeOpen.Round(time.Millisecond))
	return []figure.Figure{{Name: "restart_s", Value: again.ready.Seconds(), Unit: "s", Baseline: storeOpen.Seconds()}}, nil
}

// started is how long one start took: node.Open, and until /readyz
// answered 200.
type started struct{ opened, ready time.Duration }

func (s started) String() string {
	return fmt.Sprintf("node.Open %s, /readyz 200 after %s", s.opened.Round(time.Millisecond), s.ready.Round(time.Millisecond))
}

// startOnce opens a node on dir, serves until /readyz answers 200, and
// stops it cleanly (writing its snapshots).
func startOnce(ctx context.Context, dir string, quiet *slog.Logger) (started, error) {
	start := time.Now()
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return started{}, err
	}
	opened := time.Since(start)
	closed := false
	defer func() {
		if !closed {
			_ = n.Close()
		}
	}()
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return started{}, err
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
				return started{}, fmt.Errorf("/readyz: %s", body)
			}
		}
		if wait.Err() != nil {
			return started{}, fmt.Errorf("/readyz not 200 after %s", time.Since(start).Round(time.Second))
		}
		time.Sleep(5 * time.Millisecond)
	}
	ready := time.Since(start)
	// A clean stop, as SIGTERM gives serve: it writes the snapshots the
	// next start begins from.
	closed = true
	return started{opened, ready}, n.Close()
}
