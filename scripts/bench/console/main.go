// Command console measures the console's lists and traces on a big ledger
// and a registry import end to end, each figure next to a same-run
// baseline (package internal/console; the same code runs in
// `go run ./scripts/bench`). One line per figure:
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
	"os"

	"github.com/fundledger/fundledger/scripts/bench/internal/console"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

func main() {
	cfg := console.Default()
	flag.IntVar(&cfg.Events, "events", cfg.Events, "events in the big ledger (one per payout; a registry file is one event per household)")
	flag.IntVar(&cfg.Households, "households", cfg.Households, "households registered in the big ledger")
	flag.IntVar(&cfg.Funds, "funds", cfg.Funds, "allocations (funds) in the big ledger; payouts are spread over them")
	flag.IntVar(&cfg.Batches, "batches", cfg.Batches, "payout batches of 1,000 lines in the big ledger, half with bank results")
	flag.IntVar(&cfg.ImportRows, "import", cfg.ImportRows, "rows of the registry import, in files of at most 20,000")
	flag.StringVar(&cfg.Format, "format", cfg.Format, "registry file format: csv (UTF-8) or xlsx")
	flag.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent HTTP clients per route")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long each route is loaded")
	flag.BoolVar(&cfg.SkipImport, "no-import", false, "skip the registry import")
	flag.BoolVar(&cfg.SkipReads, "no-reads", false, "skip the big ledger and its reads")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the loaded routes (not the setup) to this file")
	quick := flag.Bool("quick", false, "small sizes (20k events, 5k households, 10k-row import, 2s per route): under a minute")
	flag.Parse()
	if *quick {
		q := console.Quick()
		cfg.Events, cfg.Households, cfg.Batches, cfg.ImportRows, cfg.Duration = q.Events, q.Households, q.Batches, q.ImportRows, q.Duration
	}
	if cfg.Format != "csv" && cfg.Format != "xlsx" {
		fmt.Fprintln(os.Stderr, "console: -format is csv or xlsx")
		os.Exit(2)
	}
	cfg.Log = os.Stdout
	figs, err := console.Run(context.Background(), cfg)
	figure.Print(os.Stdout, figs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}
