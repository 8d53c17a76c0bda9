package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// harness carries one run from cycle to cycle.
type harness struct {
	cfg              config
	srv              *server
	book             *book
	out              io.Writer
	tmp              string
	finance, auditor string
	c                *client
	audit            audit // of the last check
	starts           int
}

// start starts the server and tells the test hook.
func (h *harness) start(ctx context.Context) error {
	if err := h.srv.start(ctx); err != nil {
		return err
	}
	h.starts++
	if h.cfg.started != nil {
		h.cfg.started(h.starts)
	}
	return nil
}

// setup starts the first server, issues a finance and an auditor token for
// the ledger, and writes the ledger, its places and the base fund, one write
// after another. No kill happens here: setup must simply succeed.
func (h *harness) setup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.cycleTimeout)
	defer cancel()
	if err := h.start(ctx); err != nil {
		return err
	}
	var err error
	if h.finance, err = issueToken(ctx, h.srv.base, h.srv.adminToken, "finance", ledgerCode); err != nil {
		return err
	}
	if h.auditor, err = issueToken(ctx, h.srv.base, h.srv.adminToken, "auditor", ledgerCode); err != nil {
		return err
	}
	h.c = newClient(h.srv.base, h.finance, h.auditor)
	for _, o := range setupOps() {
		if err := send(ctx, h.c, h.book, o, nil); err != nil {
			return err
		}
	}
	return nil
}

// cycle drives the writers, kills the server at a random moment, restarts it
// on the same data dir, settles the writes in doubt and checks everything.
func (h *harness) cycle(ctx context.Context, n int) error {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.cycleTimeout)
	defer cancel()
	start, before := time.Now(), h.book.count()
	rng := rand.New(rand.NewPCG(h.cfg.seed, uint64(n)))
	// At least a tenth of -max-delay, so that every cycle has writes in flight.
	delay := h.cfg.maxDelay/10 + time.Duration(rng.Int64N(int64(h.cfg.maxDelay)*9/10+1))

	stop, done := make(chan struct{}), make(chan struct{})
	var loadErr error
	go func() {
		defer close(done)
		_, loadErr = load(ctx, h.c, h.book, h.cfg.seed, n, h.cfg.writers, stop)
	}()
	select {
	case <-time.After(delay):
	case <-done: // every writer stopped early: a refusal, reported below
	case <-ctx.Done():
	}
	h.srv.kill() // SIGKILL, and wait until the process is gone
	close(stop)
	<-done
	h.c.close()
	if loadErr != nil {
		return loadErr
	}
	inDoubt := h.book.doubts()

	restartAt := time.Now()
	if err := h.start(ctx); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	restart := time.Since(restartAt)
	h.c = newClient(h.srv.base, h.finance, h.auditor)
	durable, rewritten, err := resolve(ctx, h.c, h.book)
	if err != nil {
		return err
	}
	checkAt := time.Now()
	head, err := h.check(ctx, rng)
	if err != nil {
		return err
	}
	fmt.Fprintf(h.out, "cycle %d/%d: +%d acked (%d in all), killed after %s with %d in doubt (%d had been durable, %d written on retry), "+
		"log to seq %d, verify ok; ready again in %s, checked in %s, %s in all\n",
		n, h.cfg.cycles, h.book.count()-before, h.book.count(), delay.Round(time.Millisecond), inDoubt, durable, rewritten,
		head.Seq, restart.Round(10*time.Millisecond), time.Since(checkAt).Round(10*time.Millisecond), time.Since(start).Round(10*time.Millisecond))
	return nil
}

// check runs the checks of a restarted server: the log against the
// acknowledged writes, a sample of retries, verify, and the read side's
// figures. It answers the log's head.
func (h *harness) check(ctx context.Context, rng *rand.Rand) (logCommit, error) {
	log, err := readLog(ctx, h.c)
	if err != nil {
		return logCommit{}, err
	}
	acked := h.book.sorted()
	h.audit = auditLog(acked, log)
	if !h.audit.ok() {
		return logCommit{}, errors.New(h.audit.String())
	}
	if len(log) == 0 {
		return logCommit{}, errors.New("the log is empty")
	}
	head := log[len(log)-1]
	if err := retrySample(ctx, h.c, acked, rng, h.cfg.sample); err != nil {
		return head, err
	}
	if err := checkVerify(ctx, h.c, head); err != nil {
		return head, err
	}
	return head, checkFigures(ctx, h.c, h.book, head)
}

// final reads the summary and a sample of balances from the API, stops the
// server cleanly (SIGTERM) and compares them with an offline replay of the
// same data dir.
func (h *harness) final(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.cycleTimeout)
	defer cancel()
	sample := balanceSample(h.book)
	api, err := readAPI(ctx, h.c, sample)
	if err != nil {
		return err
	}
	h.c.close()
	if err := h.srv.stop(15 * time.Second); err != nil {
		return err
	}
	replay, err := replayOffline(ctx, h.srv.bin, h.srv.dataDir, h.tmp)
	if err != nil {
		return err
	}
	if err := compareReplay(api, replay); err != nil {
		return err
	}
	n := 0
	for _, ids := range sample {
		n += len(ids)
	}
	fmt.Fprintf(h.out, "replay: the summary and %d balances agree with the API at seq %v\n", n, api.summary["seq"])
	return nil
}
