package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openOffline opens the embedded store of dataDir for an offline tool
// (verify, replay, rebuild): the server must not be running on it.
func openOffline(ctx context.Context, dataDir string) (*nats.Store, error) {
	return nats.Open(ctx, nats.Options{DataDir: dataDir, Logger: quietLog()})
}

// ledgerCodes answers the one ledger asked for, or every ledger in the store.
func ledgerCodes(ctx context.Context, store *nats.Store, code string) ([]string, error) {
	if code != "" {
		return []string{code}, nil
	}
	codes, err := store.Ledgers(ctx)
	if err == nil && len(codes) == 0 {
		err = errors.New("the store holds no ledgers")
	}
	return codes, err
}

// parseCut reads --as-of and --seq, of which at most one may be given.
func parseCut(asOf string, seq uint64) (projections.Cut, error) {
	cut, err := projections.ParseAsOf(asOf)
	if err != nil {
		return cut, err
	}
	if seq != 0 {
		if !cut.IsZero() {
			return cut, errors.New("give --as-of or --seq, not both")
		}
		cut.Seq = seq
	}
	return cut, nil
}

// walkOffline opens the embedded store of dataDir and walks ledger code up
// to cut, checking the hash chain and showing a progress bar labelled
// label, and calls fn for each commit with its record as stored. A broken chain answers an error
// naming the first bad commit; SIGINT or SIGTERM stops the walk.
func walkOffline(dataDir, code, label string, cut projections.Cut, fn func(c *domain.Commit, raw []byte) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openOffline(ctx, dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	head, err := store.Head(ctx, code)
	if err != nil {
		return err
	}
	if head == 0 {
		return fmt.Errorf("ledger %s has no commits in %s", code, dataDir)
	}
	if cut.Seq > head {
		return fmt.Errorf("--seq %d is beyond the head of ledger %s (%d)", cut.Seq, code, head)
	}
	total := head
	if cut.Seq != 0 {
		total = cut.Seq
	}
	bar := newProgress(os.Stderr, label+" "+code, total)
	errCut := errors.New("cut reached")
	err = ledger.WalkRecords(ctx, store, code, cut.Seq, func(c *domain.Commit, r eventstore.Record) error {
		if !cut.Time.IsZero() && c.Time.After(cut.Time) {
			return errCut
		}
		if err := fn(c, r.Data); err != nil {
			return err
		}
		bar.step(c.Seq, len(c.Events))
		return nil
	})
	bar.done()
	var bad *ledger.ChainError
	switch {
	case errors.Is(err, errCut):
		return nil
	case errors.As(err, &bad):
		return fmt.Errorf("hash chain broken, stopped before commit %d: %s", bad.Seq, bad.Reason)
	}
	return err
}
