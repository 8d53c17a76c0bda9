// Package node wires one running fundledger: the store, the tokens, the
// metrics, the writers, the projections and the HTTP API, started and
// stopped in the one order that keeps every acknowledged write and lets the
// next start continue. `fundledger serve` and the tests of the packages it
// wires use it, so that tests run the server serve runs.
package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/console"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/owner"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// HTTPShutdownLimit is how long Close lets in-flight requests finish before
// their connections are cut (see api.Server.Shutdown): with the writers,
// the final checkpoint and the store's close after it, shutdown stays
// within the 10 s a service manager allows after SIGTERM.
const HTTPShutdownLimit = 7 * time.Second

// Config is what a node is opened with.
type Config struct {
	// DataDir holds the embedded store, tokens.json (with NATSURL, the
	// tokens live in the cluster's bucket instead), the head witnesses
	// (witness/) and the projection snapshots (projections/). Empty only
	// with Store: then tokens, witnesses and snapshots live in memory.
	DataDir string
	// NATSURL names an external NATS cluster instead of the embedded store.
	NATSURL string
	// ESDBURL names an EventStoreDB/KurrentDB cluster (esdb://…) instead of
	// the embedded store; not together with NATSURL.
	ESDBURL string
	// NATSReplicas of each ledger stream with NATSURL (0: 3) and NATSAuth,
	// the credentials and TLS files for it.
	NATSReplicas int
	NATSAuth     nats.Auth
	// Store, if set, is used instead of opening one (benchmarks over the
	// in-memory store); Close closes it too.
	Store eventstore.Store
	// AdminToken is the bearer token of the admin role; empty: none.
	AdminToken string
	// ReadWait bounds how long a read waits for the projections (default
	// api.DefaultReadWait).
	ReadWait time.Duration
	Logger   *slog.Logger
	// Clock is the writers' clock, the record time of each commit
	// (default time.Now); tests inject one to read as_of a known time.
	Clock func() time.Time
	// ServedStore, if set, wraps the store the HTTP handlers read; the
	// writers and the projections keep the real one. For tests that make
	// the store fail under a handler.
	ServedStore func(eventstore.Store) eventstore.Store
	// NodeName names this server in Fundledger-Node and in the ledger
	// leases (default: the host name); AdvertiseURL is where other
	// servers reach its HTTP API (default: http:// and the address Serve
	// listens on). With NATSURL, each ledger is written by the server
	// holding its lease (internal/owner); otherwise by this one.
	NodeName, AdvertiseURL string
}

// WitnessDir is where a data dir keeps its ledgers' head witnesses.
func WitnessDir(dataDir string) string { return filepath.Join(dataDir, "witness") }

// ManagerOptions completes a ledger manager's options for a data dir: its
// head witnesses, and its newest projection snapshots as further vouchers
// (a tail lost together with its witness is still caught before a write).
// Every writer of a data dir (serve, demo, import) uses it.
func ManagerOptions(dataDir string, opts ledger.Options) ledger.Options {
	opts.WitnessDir = WitnessDir(dataDir)
	opts.SnapshotDir = WriterSnapshotDir(dataDir)
	opts.KeyIndexDir = KeyIndexDir(dataDir)
	snapshots := SnapshotDir(dataDir)
	opts.Vouchers = func(code string) ([]ledger.Voucher, error) { return projections.NewestSnapshotVoucher(snapshots, code) }
	return opts
}

// Vouchers answers everything beside a data dir's store that vouches for
// a ledger's history (its head witness, its newest genuine snapshot), for
// readers that open the store themselves (replay, export).
func Vouchers(dataDir, code string) ([]ledger.Voucher, error) {
	var out []ledger.Voucher
	w, ok, err := ledger.NewWitnessDir(WitnessDir(dataDir)).Read(code)
	if err != nil {
		return nil, err
	}
	if ok {
		out = append(out, ledger.Voucher{Witness: w, What: "head witness"})
	}
	out = append(out, ledger.WriterSnapshotVoucher(WriterSnapshotDir(dataDir), code)...)
	snap, err := projections.NewestSnapshotVoucher(SnapshotDir(dataDir), code)
	return append(out, snap...), err
}

// WriterSnapshotDir is where a data dir keeps its writers' snapshots.
func WriterSnapshotDir(dataDir string) string { return filepath.Join(dataDir, "writer") }

// KeyIndexDir is where a data dir keeps the idempotency keys older than
// the writers' window (ledger.KeyIndex: derived from the chain).
func KeyIndexDir(dataDir string) string { return filepath.Join(dataDir, "keys") }

// SnapshotDir is where a data dir keeps its projection snapshots.
func SnapshotDir(dataDir string) string { return filepath.Join(dataDir, "projections") }

// TokensFile is where a data dir keeps its bearer tokens (as hashes).
func TokensFile(dataDir string) string { return filepath.Join(dataDir, "tokens.json") }

// Node is one wired fundledger. Its parts are exported for what comes
// between Open and Start (serve loads the demo county through Manager and
// issues its tokens) and for tests.
type Node struct {
	Store     eventstore.Store
	Tokens    *api.Tokens
	Manager   *ledger.Manager
	Projector *projections.Projector
	Server    *api.Server
	// Owners is who writes each ledger: leases with NATSURL, else this
	// node (owner.Local).
	Owners owner.Owners

	log      *slog.Logger
	leases   *owner.KV // nil without NATSURL
	hs       *http.Server
	stopProj context.CancelFunc
	projDone chan struct{}
	start    sync.Once
	stop     sync.Once
	stopErr  error
}

// Open wires a node: store, tokens, metrics, the writers — which open every
// ledger the store or a snapshot knows, so that a damaged one is found and
// named by /readyz before the first write —, the projections (damage they
// find quarantines the ledger's writes) and the HTTP API. Nothing runs
// until Start and Serve; on error, what was opened is closed.
func Open(ctx context.Context, cfg Config) (n *Node, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir == "" && cfg.Store == nil {
		return nil, errors.New("node: a data dir is required")
	}
	n = &Node{log: cfg.Logger, Store: cfg.Store, projDone: make(chan struct{})}
	if n.Store == nil && (cfg.ESDBURL != "" || cfg.NATSURL != "") {
		if n.Store, err = openExternal(cfg); err != nil {
			return nil, err
		}
	}
	if n.Store == nil {
		if n.Store, err = nats.Open(ctx, nats.Options{DataDir: cfg.DataDir, URL: cfg.NATSURL, Logger: cfg.Logger,
			Replicas: replicas(cfg), Auth: cfg.NATSAuth}); err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			if n.Manager != nil {
				n.Manager.Close()
			}
			if n.leases != nil {
				_ = n.leases.Close()
			}
			if n.Tokens != nil {
				_ = n.Tokens.Close()
			}
			if cerr := n.Store.Close(); cerr != nil {
				cfg.Logger.Error("store close", "err", cerr)
			}
			n = nil
		}
	}()
	tokensFile, snapshots := "", ""
	if cfg.DataDir != "" {
		tokensFile, snapshots = TokensFile(cfg.DataDir), SnapshotDir(cfg.DataDir)
	}
	if n.Tokens, err = n.openTokens(ctx, cfg, tokensFile); err != nil {
		return n, err
	}
	metrics := api.NewMetrics()
	opts := ledger.Options{Logger: cfg.Logger, Observer: metrics, Clock: cfg.Clock}
	if cfg.DataDir != "" {
		opts = ManagerOptions(cfg.DataDir, opts)
	}
	if cfg.NATSURL != "" {
		opts.Fence = n.fence
	}
	n.Manager = ledger.NewManager(n.Store, opts)
	if n.Owners, err = n.openOwners(ctx, cfg); err != nil {
		return n, err
	}
	var known []string
	if snapshots != "" {
		known = projections.SnapshotLedgers(snapshots)
	}
	if err = n.Manager.OpenAll(ctx, known...); err != nil {
		return n, err
	}
	n.Projector = projections.New(n.Store, projections.Options{Dir: snapshots, Logger: cfg.Logger,
		// A snapshot that saw history the store no longer holds: quarantine.
		OnDamage: func(code string, firstBad uint64, reason string) { n.Manager.Quarantine(code, firstBad, reason) }})
	served := n.Store
	if cfg.ServedStore != nil {
		served = cfg.ServedStore(n.Store)
	}
	n.Server = api.New(api.Config{Manager: n.Manager, Store: served, Projector: n.Projector, Tokens: n.Tokens,
		AdminToken: cfg.AdminToken, Metrics: metrics, Logger: cfg.Logger, ReadWait: cfg.ReadWait, Owners: n.Owners})
	// The console's pages call the API's own handler, so it reads and
	// writes exactly as the API does.
	n.Server.Mount(console.Prefix, console.New(n.Server, console.Options{Logger: cfg.Logger}))
	return n, nil
}

// Start runs the projections' follower until Close. A node never started
// answers reads 503 once they wait past ReadWait.
func (n *Node) Start() {
	n.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		n.stopProj = cancel
		go func() {
			defer close(n.projDone)
			if err := n.Projector.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				n.log.Error("projections stopped", "err", err)
			}
		}()
	})
}

// Serve answers HTTP on ln until Shutdown, with the timeouts of
// api.Server.HTTPServer; the channel receives Serve's error.
func (n *Node) Serve(ln net.Listener) <-chan error {
	if n.leases != nil && n.leases.Self().URL == "" {
		n.leases.SetURL(advertised(ln.Addr()))
	}
	n.hs = n.Server.HTTPServer(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- n.hs.Serve(ln) }()
	return errc
}

// Shutdown stops the node in the order that keeps every acknowledged write
// and lets the next start continue: HTTP first (live event streams end at
// once; in-flight requests may finish until ctx is done, then their
// connections are cut), then the writers after the group they are
// committing, then the projections with their final checkpoint, and the
// store last. It answers the HTTP server's error; later calls do nothing.
func (n *Node) Shutdown(ctx context.Context) error {
	n.stop.Do(func() {
		if n.hs != nil {
			if err := n.Server.Shutdown(ctx, n.hs); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.stopErr = err
			}
		} else {
			n.Server.Closing()
		}
		n.Manager.Close()
		if n.leases != nil {
			_ = n.leases.Close() // writers stopped: others may take the ledgers at once
		}
		// HTTP stopped: nothing authenticates any more.
		_ = n.Tokens.Close()
		n.start.Do(func() { close(n.projDone) }) // never started: nothing to wait for
		if n.stopProj != nil {
			n.stopProj()
		}
		<-n.projDone
		if err := n.Store.Close(); err != nil {
			n.log.Error("store close", "err", err)
		}
	})
	return n.stopErr
}

// Close is Shutdown bounded by HTTPShutdownLimit.
func (n *Node) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), HTTPShutdownLimit)
	defer cancel()
	return n.Shutdown(ctx)
}

// replicas answers the stream replicas asked for: only an external cluster
// replicates; the embedded store is one node.
func replicas(cfg Config) int {
	if cfg.NATSURL == "" {
		return 0
	}
	return cfg.NATSReplicas
}
