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
	"github.com/fundledger/fundledger/internal/datadir"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// lockedStore is the embedded store of a data dir this process holds the
// lock of; Close closes the store, then lets the next process in.
type lockedStore struct {
	*nats.Store
	lock *datadir.Lock
}

func (s *lockedStore) Close() error {
	err := s.Store.Close()
	if s.lock != nil { // a restore into a cluster names no data dir
		_ = s.lock.Release()
	}
	return err
}

// openDataDir locks dataDir and opens its embedded store. Without create, a
// missing dir is an error, never made: an auditor's typo must not produce
// an empty ledger that "verifies".
func openDataDir(ctx context.Context, dataDir string, create bool, log *slog.Logger) (*lockedStore, error) {
	lock, err := datadir.Acquire(dataDir, create)
	if err != nil {
		return nil, err
	}
	store, err := nats.Open(ctx, nats.Options{DataDir: dataDir, Logger: log})
	if err != nil {
		_ = lock.Release()
		return nil, err
	}
	return &lockedStore{Store: store, lock: lock}, nil
}

// openOffline opens the embedded store of an existing dataDir for an
// offline tool (verify, replay, rebuild, import, export); a running server
// holds the lock, so the tool exits 2 naming its pid.
func openOffline(ctx context.Context, dataDir string) (*lockedStore, error) {
	return openDataDir(ctx, dataDir, false, quietLog())
}

// witnessDir is where a data dir keeps its ledgers' head witnesses.
func witnessDir(dataDir string) string { return node.WitnessDir(dataDir) }

// ledgerCodes answers the one ledger asked for, or every ledger in the store.
func ledgerCodes(ctx context.Context, store eventstore.Store, code string) ([]string, error) {
	if code != "" {
		return []string{code}, nil
	}
	codes, err := store.Ledgers(ctx)
	if err == nil && len(codes) == 0 {
		err = errors.New("the store holds no ledgers")
	}
	return codes, err
}

// parseCut reads --as-of and --seq, of which at most one may be given, and
// --known-at, the record point of a business cut (--as-of DATE).
func parseCut(asOf string, seq uint64, knownAt string) (projections.Cut, error) {
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
	known, err := projections.ParseKnownAt(knownAt)
	if err != nil {
		return cut, err
	}
	return cut.KnownAt(known)
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
	// A store that lost its tail still walks clean: first check it against
	// what beside it vouches for its history, so that no figure is ever
	// computed from a silently shorter ledger.
	vouchers, err := node.Vouchers(dataDir, code)
	if err != nil {
		return fmt.Errorf("ledger %s: %w", code, err)
	}
	if d, err := ledger.CheckVouchers(ctx, store, code, vouchers); err != nil || d != nil {
		if d != nil {
			return fmt.Errorf("%v; nothing was read: run fundledger verify --data-dir %s", d, dataDir)
		}
		return err
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
