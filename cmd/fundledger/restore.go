package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/export"
	"github.com/fundledger/fundledger/internal/datadir"
	"github.com/fundledger/fundledger/internal/node"
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

// runRestore writes the commits of a verified NDJSON export into a store,
// byte for byte (same sequences, same hashes), so that verify finds the
// same head. The store is a data dir's embedded one, or an external NATS
// cluster (--nats-url). A store that already holds the start of the
// ledger (a damaged tail: commits cut off the end) keeps it only if it
// matches the file hash for hash; then only the missing commits are
// appended. A store that disagrees with the file (a fork) is refused,
// naming the first commit that differs: it is never re-based.
func runRestore(args []string) error {
	fs := newFlags("restore", "fundledger restore --from FILE.ndjson (--data-dir DIR | --nats-url URL [--data-dir DIR]) [--ledger CODE] [--seq N]: "+
		"verify an NDJSON export and write its commits, byte for byte, into the store; a store holding the start of the ledger (a lost tail) "+
		"must match the file hash for hash and gets only the missing commits; then check the restored chain")
	from := fs.String("from", "", "the NDJSON export to restore (required)")
	dataDir := fs.String("data-dir", "", "data dir to restore into (created if missing); with --nats-url, the serve data dir whose head witness and snapshots vouch for the ledger (optional)")
	natsURL := fs.String("nats-url", "", "restore into the ledger's stream on this external NATS cluster instead of the data dir's embedded store (streams R3)")
	var auth nats.Auth
	addNATSAuthFlags(fs, &auth)
	replicas := fs.Int("nats-replicas", 3, "with --nats-url: copies of the restored stream in the cluster (1–5)")
	code := fs.String("ledger", "", "the ledger the file must hold (default: the file's)")
	seq := fs.Uint64("seq", 0, "restore only up to this commit: the good part of a file damaged after it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || (*dataDir == "" && *natsURL == "") {
		return exitUsage("restore", "--from and --data-dir (or --nats-url) are required")
	}
	cut := projections.Cut{Seq: *seq}
	// First the whole file is checked, so that a bad line leaves nothing
	// half-restored; its hashes are kept to compare with what the store
	// and the data dir already hold. The second pass checks again what it
	// writes.
	var hashes [][32]byte
	got, want, err := readExportFile(*from, *code, "verify", cut, func(l export.Line) error {
		var h [32]byte
		if _, err := hex.Decode(h[:], []byte(l.Commit.Hash)); err != nil {
			return fmt.Errorf("line %d: hash %q: %w", l.No, l.Commit.Hash, err)
		}
		hashes = append(hashes, h)
		return nil
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openRestoreTarget(ctx, *dataDir, *natsURL, auth, *replicas)
	if err != nil {
		return err
	}
	defer store.Close()
	where := *dataDir
	if *natsURL != "" {
		where = "the NATS cluster at " + *natsURL
	}

	// What beside the store vouches for the ledger (head witness,
	// snapshots) must be inside the file: restoring an older copy over it
	// would silently forget acknowledged commits.
	var vouchers []ledger.Voucher
	if *dataDir != "" {
		if vouchers, err = node.Vouchers(*dataDir, got); err != nil {
			return err
		}
	}
	for _, v := range vouchers {
		if msg := voucherOutside(v, hashes); msg != "" {
			fmt.Fprintf(os.Stderr, "fundledger restore: %s; nothing was written. Restore from a copy that holds it (a replica's export), or into a fresh data dir and enter the later writes again\n", msg)
			return exitError(1)
		}
	}

	kept, err := keptPrefix(ctx, store, got, hashes)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fundledger restore: ledger %s in %s: %v; nothing was written. Move it aside and restore into a fresh data dir (or delete the stream)\n", got, where, err)
		return exitError(1)
	}
	if kept >= want.Seq {
		return exitUsage("restore", "%s already holds ledger %s up to commit %d, the file ends at %d: nothing to restore", where, got, kept, want.Seq)
	}
	if kept > 0 {
		fmt.Fprintf(os.Stderr, "ledger %s: commits 1–%d in %s match the file hash for hash; appending %d–%d\n", got, kept, where, kept+1, want.Seq)
	}

	written, err := appendFile(ctx, store, *from, got, cut, kept)
	added := fmt.Sprintf("%d commits appended", written-kept)
	if errors.Is(err, eventstore.ErrConflict) && written == kept && kept < want.Seq {
		// The store refuses an append right after the last commit it can
		// give back: a JetStream stream keeps counting its own sequence
		// past a lost block. Every commit it holds was just checked
		// against the file, so the stream is rebuilt from the file: the
		// same bytes for commits 1–kept, then the missing ones.
		written, err = rebuildFromFile(ctx, store, *from, got, cut, kept)
		if err == nil {
			added = fmt.Sprintf("stream rebuilt: %d commits written, 1–%d the same as before", written, kept)
		}
	}
	if err != nil {
		return fmt.Errorf("after commit %d restored to %s: %w", written, where, err)
	}

	v, d, err := ledger.VerifyAgainst(ctx, store, got, vouchers...)
	if err != nil {
		return err
	}
	_ = json.NewEncoder(os.Stdout).Encode(struct {
		Ledger string `json:"ledger"`
		ledger.Verification
	}{got, v})
	if d != nil || !v.Valid || v.Seq != want.Seq || v.HeadHash != want.Hash {
		return fmt.Errorf("the restored ledger %s does not verify as the file did (seq %d, %s)", got, want.Seq, want.Hash)
	}
	if *dataDir != "" {
		// The restored head is what this data dir now vouches for; every
		// older voucher was checked to lie inside the file above.
		if err := ledger.NewWitnessDir(witnessDir(*dataDir)).Write(ledger.Witness{Ledger: got, Seq: v.Seq, Hash: v.HeadHash}); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "restored ledger %s to seq %d (%s) into %s (%s), chain verified\n", got, v.Seq, v.HeadHash, where, added)
	return nil
}

// ledgerDropper is a store that can delete a ledger's log and start it
// again (eventstore/nats), for rebuilding a stream whose tail was lost.
type ledgerDropper interface {
	DropLedger(ctx context.Context, ledger string) error
}

// rebuildFromFile drops the ledger's log and writes the whole file into
// it, once the store still ends at kept, the commits restore compared.
func rebuildFromFile(ctx context.Context, store eventstore.Store, path, code string, cut projections.Cut, kept uint64) (uint64, error) {
	d, ok := store.(ledgerDropper)
	if !ok {
		return kept, fmt.Errorf("the store refuses an append after commit %d, its head: %w", kept, eventstore.ErrConflict)
	}
	// Another writer moved the head meanwhile: never drop what it wrote.
	if head, err := store.Head(ctx, code); err != nil || head != kept {
		return kept, fmt.Errorf("the store's head moved to %d (%v) while restoring: is a server writing ledger %s?", head, err, code)
	}
	fmt.Fprintf(os.Stderr, "ledger %s: the store's stream counts past its last readable commit %d (a lost block): rebuilding the stream from the file, commits 1–%d being the same bytes\n", code, kept, kept)
	if err := d.DropLedger(ctx, code); err != nil {
		return 0, err
	}
	return appendFile(ctx, store, path, code, cut, 0)
}

// appendFile appends the file's commits after commit after, in groups,
// starting from the store's head after; it answers the head it reached.
func appendFile(ctx context.Context, store eventstore.Store, path, code string, cut projections.Cut, after uint64) (uint64, error) {
	var group [][]byte
	size, written := 0, after
	flush := func() error {
		n, err := appendSplit(ctx, store, code, written, group)
		written += n
		group, size = group[:0], 0
		return err
	}
	_, _, err := readExportFile(path, code, "restore", cut, func(l export.Line) error {
		if l.Commit.Seq <= after {
			return nil
		}
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
	return written, err
}

// openRestoreTarget opens the store a restore writes to, locked against a
// server using the same data dir: the data dir's embedded store, or the
// external cluster (and the data dir, if named, only locked).
func openRestoreTarget(ctx context.Context, dataDir, natsURL string, auth nats.Auth, replicas int) (eventstore.Store, error) {
	if natsURL == "" {
		return openDataDir(ctx, dataDir, true, quietLog())
	}
	var lock *datadir.Lock
	if dataDir != "" {
		var err error
		if lock, err = datadir.Acquire(dataDir, true); err != nil {
			return nil, err
		}
	}
	store, err := nats.Open(ctx, nats.Options{URL: natsURL, Logger: quietLog(), Auth: auth, Replicas: replicas})
	if err != nil {
		if lock != nil {
			_ = lock.Release()
		}
		return nil, err
	}
	return &lockedStore{Store: store, lock: lock}, nil
}

// voucherOutside says why a voucher of the data dir is not inside the
// file's history (past its end, or another hash there); "" if it is.
func voucherOutside(v ledger.Voucher, hashes [][32]byte) string {
	switch {
	case v.Seq == 0:
		return ""
	case v.Seq > uint64(len(hashes)):
		return fmt.Sprintf("the data dir's %s vouches for commit %d of ledger %s, but the file ends at commit %d", v.What, v.Seq, v.Ledger, len(hashes))
	case hex.EncodeToString(hashes[v.Seq-1][:]) != v.Hash:
		return fmt.Sprintf("the data dir's %s holds hash %.12s… at commit %d of ledger %s, the file %.12s…: the file is another history (a fork at or before commit %d)",
			v.What, v.Hash, v.Seq, v.Ledger, hex.EncodeToString(hashes[v.Seq-1][:]), v.Seq)
	}
	return ""
}

// errPrefixEnd stops the walk of the kept prefix at the file's end.
var errPrefixEnd = errors.New("end of the file")

// keptPrefix answers how many commits the store already holds of the
// ledger, after checking each against the file's hash at its sequence:
// a store holding another commit anywhere (a fork), or one it cannot give
// back whole (a gap, an unreadable message), is an error naming the
// commit. A store holding more than the file answers its head.
func keptPrefix(ctx context.Context, store eventstore.Store, code string, hashes [][32]byte) (uint64, error) {
	head, err := store.Head(ctx, code)
	if err != nil {
		if d := ledger.AsDamage(code, err); d != nil {
			return 0, fmt.Errorf("the store cannot give back its history from commit %d (%s)", d.FirstBadSeq, d.Reason)
		}
		return 0, err
	}
	if head == 0 {
		return 0, nil
	}
	var good uint64
	err = ledger.WalkRecords(ctx, store, code, min(head, uint64(len(hashes))), func(c *domain.Commit, _ eventstore.Record) error {
		good = c.Seq - 1
		if c.Seq > uint64(len(hashes)) {
			return errPrefixEnd
		}
		if want := hex.EncodeToString(hashes[c.Seq-1][:]); c.Hash != want {
			return fmt.Errorf("commit %d differs: the store holds hash %.12s…, the file %.12s…: a fork, not a lost tail", c.Seq, c.Hash, want)
		}
		good = c.Seq
		return nil
	})
	if errors.Is(err, errPrefixEnd) {
		err = nil
	}
	if d := ledger.AsDamage(code, err); d != nil && err != nil {
		// The walk knows the last commit it read whole: the next is the
		// first the store cannot give back.
		return 0, fmt.Errorf("the store cannot give back commit %d whole, though it holds commits up to %d (%s): not a lost tail", max(d.FirstBadSeq, good+1), head, d.Reason)
	}
	return head, err
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
