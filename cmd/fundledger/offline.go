package main

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/fundledger/fundledger/eventstore/nats"
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
