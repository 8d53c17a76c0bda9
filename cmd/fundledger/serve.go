package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/internal/datadir"
	"github.com/fundledger/fundledger/internal/node"
)

func init() { commands["serve"] = runServe }

// Shutdown bounds. SIGTERM must end the process within 10 s whatever the
// clients do (a service manager kills it soon after): HTTP gets
// node.HTTPShutdownLimit (7 s) to let in-flight requests finish, then its
// connections are cut (live event streams end at once; slow uploads and
// clients that do not read are cut at the bound); the rest is for the
// writers to finish the group they are committing, the projections'
// checkpoint and the store's close. Past shutdownLimit the process exits
// regardless.
const shutdownLimit = 9500 * time.Millisecond

// runServe starts the embedded store, the projections and the HTTP API, and
// shuts them down cleanly on SIGINT or SIGTERM: in-flight requests finish,
// the writers stop after their group commit, the projections write a
// checkpoint and the store closes its files, so the next start continues.
func runServe(args []string) error {
	fs := newFlags("serve", "fundledger serve [--addr 127.0.0.1:8080] [--data-dir ./data] [--demo]: run the ledger's HTTP API with its embedded JetStream store")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store, the token file and the projection snapshots")
	natsURL := fs.String("nats-url", "", "external NATS cluster instead of the embedded store (streams R3)")
	esdbURL := fs.String("esdb-url", "", "EventStoreDB/KurrentDB cluster (esdb://host:2113?tls=…) instead of the embedded store; not with --nats-url")
	natsOpts := addNATSFlags(fs)
	withDemo := fs.Bool("demo", false, "on an empty data dir, load the demo county; print admin, finance and auditor tokens")
	adminToken := fs.String("admin-token", "", "bearer token of the admin role (set FUNDLEDGER_ADMIN_TOKEN rather than the flag, which other users can see)")
	readWait := fs.Duration("read-wait", api.DefaultReadWait, "how long a read waits for the projections before answering 503")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	nodeName := fs.String("node-name", "", "this server's name in Fundledger-Node and the ledger leases (default: host name and --addr's port)")
	advertise := fs.String("advertise-url", "", "URL other servers reach this one at, to forward writes of ledgers it owns (default: http://<--addr>)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *natsURL != "" && *esdbURL != "" {
		return exitUsage("serve", "--nats-url and --esdb-url name two stores; give one (or neither, for the embedded store)")
	}
	if err := natsOpts.check(); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// One process per data dir: the store, tokens, witnesses and snapshots
	// all assume a single owner. Held until the process exits.
	lock, err := datadir.Acquire(*dataDir, true)
	if err != nil {
		return err
	}
	defer lock.Release()
	// serve --demo without an admin token makes one for this run; the
	// server must know it before it starts.
	adminGenerated := false
	if *withDemo && *adminToken == "" {
		*adminToken, adminGenerated = randomToken("adm_"), true
	}
	n, err := node.Open(ctx, node.Config{DataDir: *dataDir, NATSURL: *natsURL, NATSReplicas: *natsOpts.replicas, NATSAuth: natsOpts.auth, AdminToken: *adminToken,
		ESDBURL:  *esdbURL,
		ReadWait: *readWait, Logger: log, NodeName: cmp.Or(*nodeName, node.DefaultName(*addr)), AdvertiseURL: *advertise})
	if err != nil {
		return err
	}
	var stopAt time.Time // when shutdown began
	defer func() {
		_ = n.Close() // on an early return; after a signal, Shutdown below has done it
		if !stopAt.IsZero() {
			log.Info("fundledger stopped", "took", time.Since(stopAt).Round(time.Millisecond).String())
		}
	}()

	var banner *demoBanner
	if *withDemo {
		if banner, err = prepareDemo(ctx, log, n.Store, n.Manager, n.Tokens, adminToken); err != nil {
			return err
		}
		banner.adminGenerated = adminGenerated
	}
	if *adminToken == "" {
		log.Warn("FUNDLEDGER_ADMIN_TOKEN is not set: no admin token, so no new tokens can be issued over HTTP")
	}

	n.Start()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	errc := n.Serve(ln)
	base := "http://" + ln.Addr().String()
	log.Info("fundledger serving", "addr", base, "data_dir", *dataDir)
	if banner != nil {
		banner.print(base)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	stopAt = time.Now()
	time.AfterFunc(shutdownLimit, func() {
		// Every acknowledged write is already on disk (fsync before ack):
		// exiting now loses nothing but the final checkpoint, which the
		// next start rebuilds from the log.
		log.Error("shutdown did not finish in time; exiting", "limit", shutdownLimit)
		os.Exit(1)
	})
	shutdown, cancel := context.WithTimeout(context.Background(), node.HTTPShutdownLimit)
	defer cancel()
	if err := n.Shutdown(shutdown); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	return nil
}

// randomToken makes a bearer token for the admin when none is configured.
func randomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
