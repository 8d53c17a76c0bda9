package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/export"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

func init() { commands["restore"] = runRestore }

// Restore appends in groups: one JetStream message (one fsync) carries
// many commits, yet stays far below the store's message limit.
const (
	restoreGroupCommits = 4096
	restoreGroupBytes   = 4 << 20
)

// runRestore writes the commits of a verified NDJSON export into a data
// dir that does not hold the ledger yet, byte for byte (same sequences,
// same hashes), so that verify finds the same head. It is how a county
// restores after a damaged tail: from the last good export, then the
// writes made since are entered again.
func runRestore(args []string) error {
	fs := newFlags("restore", "fundledger restore --from FILE.ndjson --data-dir NEW [--ledger CODE] [--seq N]: verify an NDJSON export and write its commits, byte for byte, into a data dir that does not hold the ledger yet (it is created if missing); then check the restored chain")
	from := fs.String("from", "", "the NDJSON export to restore (required)")
	dataDir := fs.String("data-dir", "", "data dir to restore into (required; created if missing; must not hold the ledger)")
	code := fs.String("ledger", "", "the ledger the file must hold (default: the file's)")
	seq := fs.Uint64("seq", 0, "restore only up to this commit: the good part of a file damaged after it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *dataDir == "" {
		return exitUsage("restore", "--from and --data-dir are required")
	}
	cut := projections.Cut{Seq: *seq}
	// First the whole file is checked, so that a bad line leaves nothing
	// half-restored; the second pass checks again what it writes.
	got, want, err := readExportFile(*from, *code, "verify", cut, func(export.Line) error { return nil })
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}
	store, err := openOffline(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	head, err := store.Head(ctx, got)
	if err != nil {
		return err
	}
	if head != 0 {
		return exitUsage("restore", "data dir %s already holds ledger %s (head %d): restore into a data dir without it", *dataDir, got, head)
	}

	var group [][]byte
	size, written := 0, uint64(0)
	flush := func() error {
		n, err := appendSplit(ctx, store, got, written, group)
		written += n
		group, size = group[:0], 0
		return err
	}
	_, _, err = readExportFile(*from, got, "restore", cut, func(l export.Line) error {
		if len(group) > 0 && (len(group) >= restoreGroupCommits || size+len(l.Raw) > restoreGroupBytes) {
			if err := flush(); err != nil {
				return err
			}
		}
		group = append(group, l.Raw)
		size += len(l.Raw)
		return nil
	})
	if err == nil && len(group) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("after %d commits restored to %s: %w", written, *dataDir, err)
	}

	v, err := ledger.Verify(ctx, store, got)
	if err != nil {
		return err
	}
	_ = json.NewEncoder(os.Stdout).Encode(struct {
		Ledger string `json:"ledger"`
		ledger.Verification
	}{got, v})
	if !v.Valid || v.Seq != want.Seq || v.HeadHash != want.Hash {
		return fmt.Errorf("the restored ledger %s does not verify as the file did (seq %d, %s)", got, want.Seq, want.Hash)
	}
	fmt.Fprintf(os.Stderr, "restored ledger %s to seq %d (%s) into %s, chain verified\n", got, v.Seq, v.HeadHash, *dataDir)
	return nil
}

// appendSplit appends records after head expected, halving a group the
// store finds too large for one atomic write. It answers how many records
// it stored.
func appendSplit(ctx context.Context, store eventstore.Store, code string, expected uint64, records [][]byte) (uint64, error) {
	_, err := store.Append(ctx, code, expected, records)
	if errors.Is(err, eventstore.ErrTooLarge) && len(records) > 1 {
		half := len(records) / 2
		n, err := appendSplit(ctx, store, code, expected, records[:half])
		if err != nil {
			return n, err
		}
		m, err := appendSplit(ctx, store, code, expected+n, records[half:])
		return n + m, err
	}
	if err != nil {
		return 0, err
	}
	return uint64(len(records)), nil
}
