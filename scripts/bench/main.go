// Command bench runs every fundledger benchmark in one process, one after
// another — the write path (1, 64 and 256 writers against raw and packed
// JetStream), HTTP writes and single-command latency, a full payout batch,
// the rebuild with its memory and as-of cuts, `serve`'s restart on the
// rebuilt data dir, the public pages, the console's lists, traces and
// registry import, and a 3-node R3 cluster (throughput, latency, a leader
// killed) — and prints at the end one line per figure:
//
//	name=<id> value=<number> unit=<unit> baseline=<number> ratio=<number>
//
// each baseline measured in the same run on the same cores. Lines starting
// with # are context. Each part is a package under internal/ that its own
// command (scripts/bench/writepath, readside, public, console) also runs.
//
//	go run ./scripts/bench            # full sizes (1M-event ledgers; ~10 min on 2 cores)
//	go run ./scripts/bench --quick    # small sizes; within 90 s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/failover"
	"github.com/fundledger/fundledger/scripts/bench/internal/cluster"
	"github.com/fundledger/fundledger/scripts/bench/internal/console"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	"github.com/fundledger/fundledger/scripts/bench/internal/httpwrite"
	"github.com/fundledger/fundledger/scripts/bench/internal/public"
	"github.com/fundledger/fundledger/scripts/bench/internal/readside"
	"github.com/fundledger/fundledger/scripts/bench/internal/restart"
	"github.com/fundledger/fundledger/scripts/bench/internal/writepath"
)

// sizes is everything a run's size depends on.
type sizes struct {
	duration           time.Duration // each throughput window
	single, batchLines int
	events, households int // the rebuilt ledger (and the restart)
	publicHouseholds   int
	console            console.Config
	kills              int // leader kills of the cluster part
	skip               map[string]bool
	cpuProfile         string // of the httpwrite part's many-client window
}

func full() sizes {
	c := console.Default()
	return sizes{duration: 5 * time.Second, single: 1000, batchLines: domain.MaxBatchLines,
		events: 1000000, households: 100000, publicHouseholds: 2000, console: c, kills: 3}
}

func quick() sizes {
	c := console.Quick()
	c.Duration, c.NoRepeat = time.Second, true
	return sizes{duration: time.Second, single: 200, batchLines: domain.MaxBatchLines,
		events: 100000, households: 5000, publicHouseholds: 500, console: c, kills: 1}
}

func main() {
	failover.RunNodeIfAsked() // the cluster part's killed nodes are this program started again
	flag.Bool("quick", false, "small sizes, within 90 s (read before the other flags, whose defaults it sets)")
	s := full()
	for _, a := range os.Args[1:] { // the sizes' defaults follow -quick
		if a == "-quick" || a == "--quick" || a == "-quick=true" || a == "--quick=true" {
			s = quick()
		}
	}
	flag.DurationVar(&s.duration, "duration", s.duration, "each throughput window (writers, HTTP, public routes)")
	flag.IntVar(&s.single, "single", s.single, "HTTP writes one after another for the latency")
	flag.IntVar(&s.batchLines, "batch-lines", s.batchLines, "lines of the payout batch (at most domain.MaxBatchLines)")
	flag.IntVar(&s.events, "events", s.events, "events of the rebuilt ledger (restart, memory, cuts)")
	flag.IntVar(&s.households, "households", s.households, "households of the rebuilt ledger")
	flag.IntVar(&s.publicHouseholds, "public-households", s.publicHouseholds, "households of the demo county for the public pages")
	flag.IntVar(&s.console.Events, "console-events", s.console.Events, "events of the console's ledger (built through the writer)")
	flag.IntVar(&s.console.Households, "console-households", s.console.Households, "households of the console's ledger")
	flag.IntVar(&s.console.ImportRows, "import", s.console.ImportRows, "rows of the registry import")
	flag.StringVar(&s.cpuProfile, "cpuprofile", "", "write a CPU profile of the httpwrite part's many-client window to this file")
	skip := flag.String("skip", "", "parts to skip, comma-separated: writepath,httpwrite,batch,readside,restart,public,console,cluster")
	flag.Parse()
	s.skip = map[string]bool{}
	for _, p := range strings.Split(*skip, ",") {
		s.skip[strings.TrimSpace(p)] = true
	}
	figs, failed := run(context.Background(), s, os.Stdout)
	fmt.Println("# summary")
	figure.Print(os.Stdout, figs)
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d part(s) failed\n", failed)
		os.Exit(1)
	}
}

// part is one benchmark of the run.
type part struct {
	name string
	run  func(ctx context.Context, log io.Writer) ([]figure.Figure, error)
}

// run runs every part in order and answers their figures and how many
// failed; a failed part is reported and the others still run.
func run(ctx context.Context, s sizes, log io.Writer) ([]figure.Figure, int) {
	start := time.Now()
	fmt.Fprintf(log, "# %d CPUs (GOMAXPROCS %d), %s, load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), figure.Loadavg())
	rebuilt, err := os.MkdirTemp("", "fundledger-bench-dir-")
	if err != nil {
		fmt.Fprintln(log, "# bench:", err)
		return nil, 1
	}
	defer os.RemoveAll(rebuilt)
	wp := writepath.Default()
	wp.Duration = s.duration
	cs := s.console
	cs.Log = log
	parts := []part{
		{"writepath", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) { return writepath.Run(ctx, wp, log) }},
		{"httpwrite", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) {
			return httpwrite.Run(ctx, httpwrite.Config{Single: s.single, Clients: 64, Duration: s.duration, CPUProfile: s.cpuProfile}, log)
		}},
		{"batch", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) {
			return console.Batch(ctx, s.batchLines, log)
		}},
		{"readside", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) {
			return readside.Run(ctx, readside.Config{Households: s.households, Events: s.events, Dir: rebuilt}, log)
		}},
		{"restart", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) {
			return restart.Run(ctx, rebuilt, log)
		}},
		{"public", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) {
			return public.Run(ctx, public.Config{Clients: 64, Duration: s.duration, Households: s.publicHouseholds}, log)
		}},
		{"console", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) { return console.Run(ctx, cs) }},
		{"cluster", func(ctx context.Context, log io.Writer) ([]figure.Figure, error) {
			return cluster.Run(ctx, cluster.Config{Writers: 64, Duration: s.duration, Kills: s.kills, Quick: s.kills < 3}, log)
		}},
	}
	var figs []figure.Figure
	failed := 0
	for _, p := range parts {
		if s.skip[p.name] || (p.name == "restart" && s.skip["readside"]) {
			continue
		}
		t0 := time.Now()
		fmt.Fprintf(log, "## %s (load average %s)\n", p.name, figure.Loadavg())
		f, err := p.run(ctx, log)
		figs = append(figs, f...)
		if err != nil {
			failed++
			fmt.Fprintf(log, "# %s FAILED: %v\n", p.name, err)
		}
		fmt.Fprintf(log, "# %s took %s\n", p.name, time.Since(t0).Round(time.Millisecond))
		runtime.GC()
	}
	fmt.Fprintf(log, "# all parts in %s, load average at the end %s\n", time.Since(start).Round(time.Millisecond), figure.Loadavg())
	return figs, failed
}
