// Command failover kills (SIGKILL) the stream leader of a ledger on a 3-node loopback
// JetStream cluster while 64 writers commit through the ledger writer, N
// times, and prints one line per run beside the raw JetStream baseline of
// the same kill (a plain nats.go publisher), then the median and maximum:
//
//	go run ./scripts/failover -runs 10
//
// failover_s is the stall from the last ack before the kill to the first
// after it; lost, duplicated and unattempted compare the acknowledged
// writes with the stream; verify checks the hash chain and head witness.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/fundledger/fundledger/internal/failover"
)

func main() {
	failover.RunNodeIfAsked() // this program is also each node of the cluster
	runs := flag.Int("runs", 10, "kills to run")
	writers := flag.Int("writers", 64, "concurrent writers")
	raw := flag.Bool("raw", true, "also measure the raw JetStream baseline of each kill")
	kill := flag.String("kill", failover.KillProcess, "how the leader dies: sigkill (a node process of its own) or shutdown (in-process, which hands leadership over first)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *runs, *writers, *raw, *kill); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, runs, writers int, raw bool, kill string) error {
	var ours, base []float64
	failed := 0
	for i := 1; i <= runs; i++ {
		dir, err := os.MkdirTemp("", "fundledger-failover-")
		if err != nil {
			return err
		}
		cfg := failover.Default(dir)
		cfg.Writers, cfg.Kill = writers, kill
		r, err := failover.Run(ctx, cfg)
		if err != nil {
			os.RemoveAll(dir)
			return fmt.Errorf("run %d: %w", i, err)
		}
		rawS := "-"
		if raw {
			d, err := failover.RunRaw(ctx, cfg)
			if err != nil {
				os.RemoveAll(dir)
				return fmt.Errorf("run %d raw: %w", i, err)
			}
			base = append(base, d.Seconds())
			rawS = fmt.Sprintf("%.2f", d.Seconds())
		}
		os.RemoveAll(dir)
		ours = append(ours, r.Stall.Seconds())
		verdict := "ok"
		if err := r.OK(10 * time.Second); err != nil {
			verdict, failed = "FAIL: "+err.Error(), failed+1
		}
		fmt.Printf("run %2d killed=%s failover_s=%.2f raw_s=%s acked=%d lost=%d duplicated=%d unattempted=%d errors=%d head=%d verify=%s %s\n",
			i, r.Killed, r.Stall.Seconds(), rawS, r.Acked, r.Lost, r.Duplicated, r.Unattempted, r.Errors, r.Commits, r.Verify, verdict)
	}
	fmt.Printf("summary runs=%d failover_s median=%.2f max=%.2f", runs, median(ours), slices.Max(ours))
	if len(base) > 0 {
		fmt.Printf(" raw_s median=%.2f max=%.2f", median(base), slices.Max(base))
	}
	fmt.Printf(" failed=%d\n", failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d runs failed", failed, runs)
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
