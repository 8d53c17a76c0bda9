package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
)

func init() { commands["demo"] = runDemo }

// runDemo loads the demo county into an empty data directory and prints
// finance and auditor tokens; start the server on it afterwards.
func runDemo(args []string) error {
	fs := newFlags("demo", "fundledger demo [--data-dir ./data]: load the demo county into an empty data directory (the server must not be running on it)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	store, err := openDataDir(ctx, *dataDir, true, log)
	if err != nil {
		return err
	}
	defer store.Close()
	tokens, err := api.OpenTokens(filepath.Join(*dataDir, "tokens.json"))
	if err != nil {
		return err
	}
	mgr := ledger.NewManager(store, node.ManagerOptions(*dataDir, ledger.Options{Logger: log}))
	defer mgr.Close()
	admin := os.Getenv("FUNDLEDGER_ADMIN_TOKEN")
	b, err := prepareDemo(ctx, log, store, mgr, tokens, &admin)
	if err != nil {
		return err
	}
	b.adminGenerated = false // this process ends; the server needs its own admin token
	b.print("")
	fmt.Printf("Start the server on it:\n  FUNDLEDGER_ADMIN_TOKEN=... go run ./cmd/fundledger serve --data-dir %s\n", *dataDir)
	return nil
}

// demoBanner is what `serve --demo` prints once the server listens.
type demoBanner struct {
	loaded         bool
	stats          demo.Stats
	took           time.Duration
	admin          string
	adminGenerated bool
	finance        string
	auditor        string
}

// prepareDemo loads the demo county if the store holds no ledger yet, and
// issues a fresh finance and auditor token for it (new ones on every start,
// since tokens are stored only as hashes and cannot be shown again). With
// no admin token configured it makes one for this run.
func prepareDemo(ctx context.Context, log *slog.Logger, store eventstore.Store, mgr *ledger.Manager, tokens *api.Tokens, admin *string) (*demoBanner, error) {
	b := &demoBanner{}
	codes, err := store.Ledgers(ctx)
	if err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		fmt.Fprintf(os.Stderr, "Loading the demo county %s %s (about 2,600 commits)…\n", demo.Ledger, demo.Name)
		start := time.Now()
		b.stats, err = demo.Load(ctx, mgr, demo.Build(0))
		if err != nil {
			return nil, err
		}
		b.loaded, b.took = true, time.Since(start)
		log.Info("demo county loaded", "ledger", demo.Ledger, "commits", b.stats.Commits, "took", b.took)
	}
	if *admin == "" {
		*admin = randomToken("adm_")
		b.adminGenerated = true
	}
	b.admin = *admin
	if _, b.finance, err = tokens.Issue(api.RoleFinance, "", "demo"); err != nil {
		return nil, err
	}
	if _, b.auditor, err = tokens.Issue(api.RoleAuditor, "", "demo"); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *demoBanner) print(base string) {
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	L := demo.Ledger
	if b.loaded {
		fmt.Printf("\nDemo county %s %s loaded: %d commits, %d households, in %s.\n", L, demo.Name, b.stats.Commits, b.stats.Households, b.took.Round(time.Millisecond))
	} else {
		fmt.Printf("\nThe data directory already holds ledgers; the demo county was not loaded again.\n")
	}
	fmt.Println("\nTokens (shown once; stored only as hashes):")
	switch {
	case b.adminGenerated:
		fmt.Printf("  admin    %s   (for this run only; set FUNDLEDGER_ADMIN_TOKEN to keep one)\n", b.admin)
	case b.admin != "":
		fmt.Printf("  admin    (FUNDLEDGER_ADMIN_TOKEN)\n")
	}
	fmt.Printf("  finance  %s\n  auditor  %s\n", b.finance, b.auditor)
	fmt.Printf(`
Open:
  %[1]s/notice/%[2]s                                      village notice boards (公告公示)
  %[1]s/notice/%[2]s/V001                                 罗田村's notice, printable
  %[1]s/v1/openapi.json                                   the API
  %[1]s/v1/public/ledgers/%[2]s/verify?seq=1&hash=…        public check of a printed hash
  %[1]s/metrics  %[1]s/healthz  %[1]s/readyz

Try:
  export AUDITOR=%[3]s FINANCE=%[4]s
  curl -s -H "Authorization: Bearer $AUDITOR" %[1]s/v1/ledgers/%[2]s/summary
  curl -s -H "Authorization: Bearer $AUDITOR" %[1]s/v1/ledgers/%[2]s/balances/villages/V001
  curl -s -H "Authorization: Bearer $AUDITOR" %[1]s/v1/ledgers/%[2]s/balances/funds/A2019-001
  curl -s -H "Authorization: Bearer $FINANCE" -H "Content-Type: application/json" -H "Idempotency-Key: demo-a1" \
    -d '{"id":"A2019-101","source_level":"central","programme":"中央财政专项扶贫资金","fiscal_year":2019,"document_no":"财农〔2019〕99号","amount":"500000.00"}' \
    %[1]s/v1/ledgers/%[2]s/allocations

`, base, L, b.auditor, b.finance)
}
