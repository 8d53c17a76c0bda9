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
// The same code runs in `go run ./scripts/bench/console` and
// `go run ./scripts/bench`.
package console

import (
	"context"
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
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

// code is the big ledger's; the import goes to two fresh ledgers.
const code = "341504"

// Config sizes a run.
type Config struct {
	Events, Households, Funds, Batches, ImportRows, Clients int
	Format                                                  string // csv or xlsx
	Duration                                                time.Duration
	SkipImport, SkipReads                                   bool
	CPUProfile                                              string
	// NoRepeat skips loading the first two routes again to show the noise.
	NoRepeat bool
	Log      io.Writer // context lines (#)
}

// Default is the full run's configuration.
func Default() Config {
	return Config{Events: 1000000, Households: 100000, Funds: 50, Batches: 100, ImportRows: 100000, Clients: 16,
		Format: "xlsx", Duration: 5 * time.Second, Log: io.Discard}
}

// Quick is the small one: 20k events, 5k households, a 10k-row import.
func Quick() Config {
	c := Default()
	c.Events, c.Households, c.Batches, c.ImportRows, c.Duration = 20000, 5000, 5, 10000, 2*time.Second
	return c
}

// bench is the running node and what the phases share.
type bench struct {
	cfg     Config
	n       *node.Node
	base    string // http://127.0.0.1:port
	client  *http.Client
	finance string // bearer tokens
	auditor string
	figs    []figure.Figure
}

// Run measures and answers the figures (import_*, then per route
// <route>_p50, _p99, _rate against /healthz's).
func Run(ctx context.Context, cfg Config) ([]figure.Figure, error) {
	if cfg.Format != "csv" && cfg.Format != "xlsx" {
		return nil, fmt.Errorf("the format is csv or xlsx, not %q", cfg.Format)
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	b := &bench{cfg: cfg}
	err := b.run(ctx)
	return b.figs, err
}

func (b *bench) run(ctx context.Context) error {
	cfg := b.cfg
	dir, err := os.MkdirTemp("", "fundledger-console-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet, ReadWait: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer n.Close()
	b.n = n
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
	b.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients, MaxConnsPerHost: cfg.Clients}}
	fmt.Fprintf(cfg.Log, "# %d CPUs (GOMAXPROCS %d), load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), figure.Loadavg())
	if !cfg.SkipImport {
		if err := b.importPhase(ctx); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if !cfg.SkipReads {
		if err := b.readPhase(ctx); err != nil {
			return fmt.Errorf("reads: %w", err)
		}
	}
	fmt.Fprintf(cfg.Log, "# load average at the end %s\n", figure.Loadavg())
	return nil
}

// figure records one measured figure next to its same-run baseline.
func (b *bench) figure(name string, value float64, unit string, baseline float64) {
	b.figs = append(b.figs, figure.Figure{Name: name, Value: value, Unit: unit, Baseline: baseline})
}
