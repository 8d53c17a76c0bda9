// Command writepath measures durable commits per second through the ledger
// writer at 1, 64 and 256 writers next to raw JetStream publishes at the
// same concurrency and the packed ceiling (package internal/writepath; the
// same code runs in `go run ./scripts/bench`).
//
//	go run ./scripts/bench/writepath [-duration 5s] [-writers 1,64,256] [-raw-bytes 300] [-pack 100]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	"github.com/fundledger/fundledger/scripts/bench/internal/writepath"
)

func main() {
	cfg := writepath.Default()
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long each measurement runs")
	writers := flag.String("writers", "1,64,256", "concurrent writers (and raw publishers), comma-separated, ascending")
	flag.IntVar(&cfg.RawBytes, "raw-bytes", cfg.RawBytes, "payload of each raw publish")
	flag.IntVar(&cfg.Pack, "pack", cfg.Pack, "records per message of the packed ceiling")
	flag.Parse()
	cfg.Writers = nil
	for _, s := range strings.Split(*writers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "writepath: -writers is a list of positive counts")
			os.Exit(2)
		}
		cfg.Writers = append(cfg.Writers, n)
	}
	figs, err := writepath.Run(context.Background(), cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "writepath:", err)
		os.Exit(1)
	}
	figure.Print(os.Stdout, figs)
}
