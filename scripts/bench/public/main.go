// Command public measures the disclosure JSON and the notice HTML of a demo
// village under concurrent load, with and without a matching ETag, next to
// /healthz in the same run (package internal/public; the same code runs in
// `go run ./scripts/bench`).
//
//	go run ./scripts/bench/public [-clients 64] [-duration 5s] [-cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	"github.com/fundledger/fundledger/scripts/bench/internal/public"
)

func main() {
	cfg := public.Config{Households: 2000}
	flag.IntVar(&cfg.Clients, "clients", 64, "concurrent clients")
	flag.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each route is loaded")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	figs, err := public.Run(context.Background(), cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "public:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	figure.Print(os.Stdout, figs)
}
