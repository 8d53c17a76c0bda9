// Package failover kills the leader of a ledger's stream on a 3-node
// loopback JetStream cluster while writers commit through the real ledger
// writer, and checks what an operator of a cluster relies on: writes
// resume within seconds, every acknowledged commit is in the stream
// exactly once, nothing is there that no one tried to write, the hash
// chain verifies and the head witness agrees. RunRaw measures the same kill
// with a plain nats.go publisher, the engine's own floor. The failover
// test, `go run ./scripts/failover` and the cluster benchmark run it.
package failover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
)

// Config sizes a run.
type Config struct {
	Dir     string        // the cluster's stores and the witness go here (a fresh directory)
	Writers int           // concurrent writers (64)
	Before  time.Duration // writing before the kill
	After   time.Duration // writing after writes resumed
	Limit   time.Duration // writes must resume within this of the kill
	Logger  *slog.Logger  // default: discard
	// Kill is how the leader dies: KillProcess (SIGKILL to a node of its
	// own, the default) or KillShutdown (nats-server's in-process Shutdown,
	// which hands leadership over first).
	Kill string
}

// How a run kills the stream leader.
const (
	KillProcess  = "sigkill"
	KillShutdown = "shutdown"
)

// Default is one run of the failover test and script.
func Default(dir string) Config {
	return Config{Dir: dir, Writers: 64, Before: 2 * time.Second, After: 2 * time.Second, Limit: 30 * time.Second}
}

// Result is what one kill did.
type Result struct {
	Killed      string        // the stream leader shut down
	Stall       time.Duration // last ack before the kill → first ack after
	Acked       int           // acknowledged writes
	Lost        int           // acknowledged, not in the stream (or elsewhere)
	Duplicated  int           // idempotency keys found in more than one commit
	Unattempted int           // commits in the stream that no writer sent
	Errors      int           // answers that were errors (sent again)
	Commits     uint64        // the ledger's head
	Verify      string        // "ok", or what the chain or witness check found
}

// OK answers why r is not a clean failover within maxStall, or nil.
func (r Result) OK(maxStall time.Duration) error {
	var errs []error
	if r.Stall > maxStall {
		errs = append(errs, fmt.Errorf("writes stalled %.1fs (over %v)", r.Stall.Seconds(), maxStall))
	}
	if r.Lost > 0 || r.Duplicated > 0 || r.Unattempted > 0 {
		errs = append(errs, fmt.Errorf("%d lost, %d duplicated, %d never attempted", r.Lost, r.Duplicated, r.Unattempted))
	}
	if r.Verify != "ok" {
		errs = append(errs, fmt.Errorf("verify: %s", r.Verify))
	}
	if r.Acked == 0 {
		errs = append(errs, errors.New("nothing acknowledged"))
	}
	return errors.Join(errs...)
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Run starts a 3-node cluster, opens the store through its URL (R3), runs
// cfg.Writers writers through a ledger.Manager, shuts the stream leader
// down hard (in-process Shutdown, no lame-duck mode), waits for writes to
// resume, stops, and checks the stream against the acknowledgements.
func Run(ctx context.Context, cfg Config) (Result, error) {
	var r Result
	cluster, err := startCluster(ctx, filepath.Join(cfg.Dir, "cluster"), cfg.Kill)
	if err != nil {
		return r, err
	}
	defer cluster.Close()
	log := cfg.logger()
	store, err := flnats.Open(ctx, flnats.Options{URL: cluster.URL(), Replicas: 3, Logger: log})
	if err != nil {
		return r, err
	}
	defer store.Close()
	witnessDir := filepath.Join(cfg.Dir, "witness")
	if err := os.MkdirAll(witnessDir, 0o700); err != nil {
		return r, err
	}
	m := ledger.NewManager(store, ledger.Options{Logger: log, WitnessDir: witnessDir})
	closed := false
	defer func() {
		if !closed {
			m.Close()
		}
	}()
	if err := Setup(ctx, m); err != nil {
		return r, err
	}
	w := StartWorkload(m, cfg.Writers)
	stopped := false
	defer func() {
		if !stopped {
			w.Stop()
		}
	}()
	if err := sleep(ctx, cfg.Before); err != nil {
		return r, err
	}
	leader, err := cluster.killLeader(ctx, "FUNDLEDGER_"+Code)
	if err != nil {
		return r, err
	}
	r.Killed = leader.name
	r.Stall, err = waitResumed(ctx, w.ackTimes, leader.at, cfg.After, cfg.Limit)
	w.Stop()
	stopped = true
	if err != nil {
		return r, err
	}
	m.Close() // the witness now holds the last durable head
	closed = true
	r.Acked, r.Errors = len(w.acks), w.errors
	return r, check(ctx, store, witnessDir, w, &r)
}

// check compares the stream with the workload: each acknowledged key in
// exactly one commit, at the sequence and hash it was acknowledged with;
// no commit with a key no writer sent; the chain sound; the witness held
// by the stream and not behind any acknowledgement.
func check(ctx context.Context, store *flnats.Store, witnessDir string, w *Workload, r *Result) error {
	found := map[string]*domain.Commit{}
	err := ledger.Walk(ctx, store, Code, 0, func(c *domain.Commit) error {
		r.Commits = c.Seq
		if c.IdempotencyKey == "" {
			return nil // setup
		}
		if found[c.IdempotencyKey] != nil {
			r.Duplicated++
		}
		if !w.attempted[c.IdempotencyKey] {
			r.Unattempted++
		}
		found[c.IdempotencyKey] = c
		return nil
	})
	if err != nil {
		// Lost and the rest are unknown: the verdict says why.
		r.Verify = "reading the stream back: " + err.Error()
		return nil
	}
	var lastAcked uint64
	for _, a := range w.acks {
		if c := found[a.key]; c == nil || c.Seq != a.seq || c.Hash != a.hash {
			r.Lost++
		}
		lastAcked = max(lastAcked, a.seq)
	}
	wit, ok, err := ledger.NewWitnessDir(witnessDir).Read(Code)
	switch {
	case err != nil:
		r.Verify = "witness: " + err.Error()
		return nil
	case !ok:
		r.Verify = "no head witness"
		return nil
	}
	v, d, err := ledger.VerifyAgainst(ctx, store, Code, ledger.Voucher{Witness: wit, What: "head witness"})
	switch {
	case err != nil:
		return err
	case d != nil:
		r.Verify = d.Reason
	case !v.Valid:
		r.Verify = v.Problem
	case wit.Seq < lastAcked:
		// The witness may lag the head by appends that landed after their
		// callers left (the workload stopped), never an acknowledgement.
		r.Verify = fmt.Sprintf("witness at %d, behind the last acknowledged commit %d", wit.Seq, lastAcked)
	default:
		r.Verify = "ok"
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
