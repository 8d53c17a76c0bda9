// Command console measures what the auditor's console leans on, through the
// real HTTP server (internal/node, as `fundledger serve` wires it) on the
// embedded JetStream store, each figure next to a baseline taken in the
// same run on the same cores:
//
//   - reads on a ledger of about -events events, built through the ledger
//     manager (households registered 20,000 to a commit, funds, projects,
//     payout batches with bank results, then single payouts from 64
//     concurrent writers): a list page of 100 households (the first, and a
//     deep one reached by page_token), the trace of the busiest fund and the
//     trace of a household, with concurrent keep-alive HTTP clients; p50,
//     p99 and req/s next to GET /healthz loaded the same way;
//
//   - a registry import end to end: -import households in files of at most
//     domain.MaxRegisterRows rows (CSV or XLSX) POSTed to
//     …/households/import, until the projections show them; rows/s next to
//     the same commands submitted to ledger.Manager directly (no HTTP, no
//     file), and peak heap and RSS next to where they stood before.
//
// The import runs first, on the empty node, so that its memory is not
// hidden under the big ledger's. One line per figure:
//
//	name=<id> value=<number> unit=<unit> baseline=<number> ratio=<number>
//
// Usage:
//
//	go run ./scripts/bench/console [-events 1000000] [-households 100000] [-import 100000] [-format csv|xlsx] [-clients 16] [-duration 5s]
//	go run ./scripts/bench/console -quick     # a small ledger; under a minute
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
	"runtime"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/internal/node"
)

// code is the big ledger's; the import goes to two fresh ledgers.
const code = "341504"

type config struct {
	events, households, funds, batches, importRows, clients int
	format                                                  string
	duration                                                time.Duration
	skipImport, skipReads                                   bool
	cpuprofile                                              string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.events, "events", 1000000, "events in the big ledger (one per payout; a registry file is one event per household)")
	flag.IntVar(&cfg.households, "households", 100000, "households registered in the big ledger")
	flag.IntVar(&cfg.funds, "funds", 50, "allocations (funds) in the big ledger; payouts are spread over them")
	flag.IntVar(&cfg.batches, "batches", 100, "payout batches of 1,000 lines in the big ledger, half with bank results")
	flag.IntVar(&cfg.importRows, "import", 100000, "rows of the registry import, in files of at most 20,000")
	flag.StringVar(&cfg.format, "format", "xlsx", "registry file format: csv (UTF-8) or xlsx")
	flag.IntVar(&cfg.clients, "clients", 16, "concurrent HTTP clients per route")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "how long each route is loaded")
	flag.BoolVar(&cfg.skipImport, "no-import", false, "skip the registry import")
	flag.BoolVar(&cfg.skipReads, "no-reads", false, "skip the big ledger and its reads")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the loaded routes (not the setup) to this file")
	quick := flag.Bool("quick", false, "small sizes (20k events, 5k households, 10k-row import, 2s per route): under a minute")
	flag.Parse()
	if *quick {
		cfg.events, cfg.households, cfg.batches, cfg.importRows, cfg.duration = 20000, 5000, 5, 10000, 2*time.Second
	}
	if cfg.format != "csv" && cfg.format != "xlsx" {
		fmt.Fprintln(os.Stderr, "console: -format is csv or xlsx")
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}

// bench is the running node and what the phases share.
type bench struct {
	cfg     config
	n       *node.Node
	base    string // http://127.0.0.1:port
	client  *http.Client
	finance string // bearer tokens
	auditor string
}

func run(cfg config) error {
	dir, err := os.MkdirTemp("", "fundledger-console-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet, ReadWait: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer n.Close()
	b := &bench{cfg: cfg, n: n}
	if _, b.finance, err = n.Tokens.Issue(api.RoleFinance, "", "bench"); err != nil {
		return err
	}
	if _, b.auditor, err = n.Tokens.Issue(api.RoleAuditor, "", "bench"); err != nil {
		return err
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	n.Serve(ln)
	b.base = "http://" + ln.Addr().String()
	b.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.clients, MaxConnsPerHost: cfg.clients}}
	fmt.Printf("# %d CPUs (GOMAXPROCS %d), load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadavg())
	if !cfg.skipImport {
		if err := b.importPhase(ctx); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if !cfg.skipReads {
		if err := b.readPhase(ctx); err != nil {
			return fmt.Errorf("reads: %w", err)
		}
	}
	fmt.Printf("# load average at the end %s\n", loadavg())
	return nil
}

// figure prints one measured figure next to its same-run baseline.
func figure(name string, value float64, unit string, baseline float64) {
	ratio := 0.0
	if baseline != 0 {
		ratio = value / baseline
	}
	fmt.Printf("name=%s value=%s unit=%s baseline=%s ratio=%.3f\n", name, num(value), unit, num(baseline), ratio)
}

func num(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	s := string(b)
	if len(s) > 14 {
		s = s[:14]
	}
	return s
}
