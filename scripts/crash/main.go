// Command crash kills a running fundledger server with SIGKILL, again and
// again, in the middle of concurrent writes, and checks after every restart
// that no acknowledged write was lost or doubled: every 201 is in the event
// log exactly once at its seq and hash, writes whose outcome the kill left
// unknown end up there exactly once after a retry with the same
// Idempotency-Key, the hash chain verifies, and the read side adds up to
// what was acknowledged. At the end the server stops cleanly and an offline
// `fundledger replay` must agree with what the API answered.
//
//	go run ./scripts/crash -cycles 20 [-seed S] [-writers 16] [-keep]
//
// Its last line is `cycles=N acked=A lost=L duplicated=D`; it exits 1 if
// anything was lost or duplicated or any check failed.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// config is one run's settings.
type config struct {
	cycles       int
	writers      int
	seed         uint64
	keep         bool
	repo         string        // module root, where ./cmd/fundledger is built from
	cycleTimeout time.Duration // the whole of one cycle: load, kill, restart, checks
	maxDelay     time.Duration // the kill comes after a random delay up to this
	sample       int           // acknowledged writes retried per cycle
	started      func(n int)   // tests: called after the n-th start of the server became ready
}

// result is what the last line reports.
type result struct {
	cycles, acked, lost, duplicated int
}

func (r result) String() string {
	return fmt.Sprintf("cycles=%d acked=%d lost=%d duplicated=%d", r.cycles, r.acked, r.lost, r.duplicated)
}

func main() {
	var cfg config
	flag.IntVar(&cfg.cycles, "cycles", 5, "kill-and-restart cycles")
	flag.IntVar(&cfg.writers, "writers", 16, "concurrent writers")
	flag.Uint64Var(&cfg.seed, "seed", 0, "seed of the writes and kill moments (0: from the clock, printed)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binary, data dir, server log)")
	flag.StringVar(&cfg.repo, "repo", "", "module root (default: found above the working directory)")
	flag.DurationVar(&cfg.cycleTimeout, "cycle-timeout", 90*time.Second, "deadline of each cycle")
	flag.DurationVar(&cfg.maxDelay, "max-delay", time.Second, "longest time the writes run before the kill")
	flag.IntVar(&cfg.sample, "sample", 8, "acknowledged writes retried after each restart")
	flag.Parse()
	if cfg.cycles < 1 || cfg.writers < 1 || cfg.maxDelay <= 0 {
		fmt.Fprintln(os.Stderr, "crash: -cycles, -writers and -max-delay must be positive")
		os.Exit(2)
	}
	if cfg.seed == 0 {
		cfg.seed = uint64(time.Now().UnixNano())
	}
	// ^C or SIGTERM cancels the run; run's deferred kill then ends the child.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	res, err := run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash:", err)
	}
	fmt.Println(res)
	if err != nil || res.lost+res.duplicated > 0 {
		os.Exit(1)
	}
}

// run builds the binary, sets up the ledger and runs the cycles. Whatever
// happens (an error, a panic, a cancelled ctx), the child is killed and the
// temporary directory removed (unless cfg.keep) before it returns.
func run(ctx context.Context, cfg config, out io.Writer) (res result, err error) {
	if cfg.repo == "" {
		if cfg.repo, err = moduleRoot(); err != nil {
			return res, err
		}
	}
	tmp, err := os.MkdirTemp("", "fundledger-crash-")
	if err != nil {
		return res, err
	}
	defer func() {
		if cfg.keep {
			fmt.Fprintf(out, "kept %s (data dir, server.log, fundledger)\n", tmp)
			return
		}
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	bctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	bin, err := buildBinary(bctx, cfg.repo, tmp)
	cancel()
	if err != nil {
		return res, err
	}
	srv := &server{bin: bin, dataDir: filepath.Join(tmp, "data"), logPath: filepath.Join(tmp, "server.log"), adminToken: secret()}
	defer srv.kill() // also on panic: no server outlives the harness

	h := &harness{cfg: cfg, srv: srv, book: newBook(), out: out, tmp: tmp}
	fmt.Fprintf(out, "crash: seed=%d writers=%d cycles=%d data dir %s\n", cfg.seed, cfg.writers, cfg.cycles, srv.dataDir)
	if err := h.setup(ctx); err != nil {
		return res, fmt.Errorf("setup: %w", err)
	}
	for n := 1; n <= cfg.cycles; n++ {
		err := h.cycle(ctx, n)
		res = result{cycles: n, acked: h.book.count(), lost: h.audit.lost, duplicated: h.audit.duplicated}
		if err != nil {
			return res, fmt.Errorf("cycle %d: %w", n, err)
		}
	}
	if err := h.final(ctx); err != nil {
		return res, fmt.Errorf("after the last cycle: %w", err)
	}
	return res, nil
}

// moduleRoot finds the directory of go.mod at or above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; pass -repo")
		}
		dir = parent
	}
}

// secret makes the run's admin token.
func secret() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return "crash-admin-" + hex.EncodeToString(b)
}
