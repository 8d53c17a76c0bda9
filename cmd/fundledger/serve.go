package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
)

func init() { commands["serve"] = runServe }

// runServe starts the embedded store and the HTTP server, and shuts both
// down cleanly on SIGINT or SIGTERM.
func runServe(args []string) error {
	fs := newFlags("serve", "fundledger serve: run the ledger with its embedded JetStream store")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := nats.Open(ctx, nats.Options{DataDir: *dataDir, Logger: log})
	if err != nil {
		return err
	}
	defer store.Close()
	mgr := ledger.NewManager(store, ledger.Options{Logger: log})
	defer mgr.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("fundledger serving", "addr", "http://"+*addr, "data_dir", *dataDir)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("fundledger stopped")
	return nil
}
