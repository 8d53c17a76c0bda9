// Package cluster measures fundledger on a 3-node loopback JetStream
// cluster with R3 ledger streams (what --nats-url gives): durable commits
// per second and p99 latency at 64 writers through the ledger writer, next
// to the same on the single-node embedded store in the same run, and the
// write stall when the stream leader is killed (SIGKILL), next to a plain
// nats.go publisher's stall on the same kill (internal/failover).
package cluster

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/failover"
	"github.com/fundledger/fundledger/internal/testutil"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

// Config sizes a run.
type Config struct {
	Writers  int           // 64
	Duration time.Duration // each throughput window
	Kills    int           // failover runs (and as many raw ones)
	Quick    bool          // shorter writing around each kill
}

// Run answers commits_64_r3 (baseline: embedded), latency_p99_r3_ms
// (baseline: embedded) and failover_s (median; baseline: raw JetStream's).
// The program must call failover.RunNodeIfAsked first thing: the killed
// cluster's nodes are that program started again.
func Run(ctx context.Context, cfg Config, log io.Writer) ([]figure.Figure, error) {
	dir, err := os.MkdirTemp("", "fundledger-bench-cluster-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	embRate, embLat, err := load(ctx, flnats.Options{DataDir: filepath.Join(dir, "embedded"), Logger: quiet}, cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	c, err := testutil.NewCluster(filepath.Join(dir, "r3"), 3)
	if err != nil {
		return nil, err
	}
	r3Rate, r3Lat, err := load(ctx, flnats.Options{URL: c.URL(), Replicas: 3, Logger: quiet}, cfg)
	c.Close()
	if err != nil {
		return nil, fmt.Errorf("r3: %w", err)
	}
	fmt.Fprintf(log, "# %d writers: R3 cluster %.0f commits/s p99 %.1f ms; embedded %.0f commits/s p99 %.1f ms\n",
		cfg.Writers, r3Rate, ms(p99(r3Lat)), embRate, ms(p99(embLat)))
	figs := []figure.Figure{
		{Name: fmt.Sprintf("commits_%d_r3", cfg.Writers), Value: r3Rate, Unit: "commits/s", Baseline: embRate},
		{Name: "latency_p99_r3_ms", Value: ms(p99(r3Lat)), Unit: "ms", Baseline: ms(p99(embLat))},
	}

	var ours, raw []float64
	for i := range cfg.Kills {
		fcfg := failover.Default(filepath.Join(dir, fmt.Sprintf("kill%d", i)))
		fcfg.Writers = cfg.Writers
		if cfg.Quick {
			fcfg.Before, fcfg.After = time.Second, time.Second
		}
		r, err := failover.Run(ctx, fcfg)
		if err == nil {
			err = r.OK(fcfg.Limit)
		}
		if err != nil {
			return figs, fmt.Errorf("failover %d: %w", i+1, err)
		}
		d, err := failover.RunRaw(ctx, fcfg)
		if err != nil {
			return figs, fmt.Errorf("raw failover %d: %w", i+1, err)
		}
		ours, raw = append(ours, r.Stall.Seconds()), append(raw, d.Seconds())
		fmt.Fprintf(log, "# kill %d (SIGKILL %s): fundledger stalled %.2f s (%d acked, %d lost, %d duplicated, verify %s); raw JetStream %.2f s\n",
			i+1, r.Killed, r.Stall.Seconds(), r.Acked, r.Lost, r.Duplicated, r.Verify, d.Seconds())
	}
	if len(ours) > 0 {
		figs = append(figs, figure.Figure{Name: "failover_s", Value: median(ours), Unit: "s", Baseline: median(raw)})
	}
	return figs, nil
}

// load opens a store, writes through a ledger.Manager for cfg.Duration and
// answers commits/s and latencies.
func load(ctx context.Context, opts flnats.Options, cfg Config) (float64, []time.Duration, error) {
	store, err := flnats.Open(ctx, opts)
	if err != nil {
		return 0, nil, err
	}
	defer store.Close()
	m := ledger.NewManager(store, ledger.Options{Logger: opts.Logger})
	defer m.Close()
	return failover.Load(ctx, m, cfg.Writers, cfg.Duration)
}

func p99(xs []time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)*99/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
