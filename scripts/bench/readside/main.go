// Command readside measures the rebuild of a ledger from zero, the memory
// of its projections and record and business cuts, next to same-run
// baselines (package internal/readside; the same code runs in
// `go run ./scripts/bench`).
//
//	go run ./scripts/bench/readside [-households 100000] [-events 1000000] [-cpuprofile FILE] [-heapprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	"github.com/fundledger/fundledger/scripts/bench/internal/readside"
)

func main() {
	var cfg readside.Config
	flag.IntVar(&cfg.Households, "households", 100000, "registered households")
	flag.IntVar(&cfg.Events, "events", 1000000, "events in the ledger (one per commit)")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the rebuild here")
	flag.StringVar(&cfg.HeapProfile, "heapprofile", "", "write a heap profile of the live model after the rebuild here")
	flag.Parse()
	figs, err := readside.Run(context.Background(), cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "readside:", err)
		os.Exit(1)
	}
	figure.Print(os.Stdout, figs)
}
