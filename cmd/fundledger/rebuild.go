package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

func init() { commands["rebuild"] = runRebuild }

// runRebuild throws away the projections' checkpoints and snapshots and
// rebuilds them from zero, checking the hash chain on the way.
func runRebuild(args []string) error {
	fs := newFlags("rebuild", "fundledger rebuild --data-dir DIR [--ledger CODE]: rebuild the projections (checkpoints and snapshots) from zero; stop the server first")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	projDir := fs.String("projections-dir", "", "checkpoints and snapshots (default DATA_DIR/projections)")
	code := fs.String("ledger", "", "only this ledger (default: every ledger)")
	every := fs.Uint64("snapshot-every", 10000, "commits between snapshots once serve follows the ledger live (a rebuild itself writes one snapshot, at the head)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *projDir == "" {
		*projDir = filepath.Join(*dataDir, "projections")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openOffline(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	codes, err := ledgerCodes(ctx, store, *code)
	if err != nil {
		return err
	}
	p := projections.New(store, projections.Options{Dir: *projDir, SnapshotEvery: *every, Logger: quietLog()})
	for _, c := range codes {
		head, err := store.Head(ctx, c)
		if err != nil {
			return err
		}
		if head == 0 {
			return fmt.Errorf("ledger %s has no commits", c)
		}
		bar := newProgress(os.Stderr, "rebuild "+c, head)
		start := time.Now()
		m, err := p.Rebuild(ctx, c, func(cm *domain.Commit) { bar.step(cm.Seq, len(cm.Events)) })
		bar.done()
		if err != nil {
			return fmt.Errorf("ledger %s: %w", c, err)
		}
		took := time.Since(start)
		fmt.Fprintf(os.Stderr, "rebuilt ledger %s: %d commits, %d events in %s (%.0f events/s); checkpoint at seq %d in %s\n",
			c, m.Seq(), m.Events(), took.Round(time.Millisecond), float64(m.Events())/took.Seconds(), p.Checkpoint(c), filepath.Join(*projDir, c))
	}
	return nil
}
