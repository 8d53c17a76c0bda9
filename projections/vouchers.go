package projections

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/safefile"
	"github.com/fundledger/fundledger/ledger"
)

// checkedSnapshot is one snapshot file of a ledger after its own checks
// (name, digest, signature, header): probs is empty when it is genuine.
type checkedSnapshot struct {
	file   string
	seq    uint64
	meta   snapMeta
	digest string
	probs  []string
}

// checkSnapshots reads every snapshot of a ledger under dir (the
// projections directory) and checks each against itself and the
// directory's key, in order of seq. Snapshots of another format are
// skipped: a projector removes them and replays instead.
func checkSnapshots(dir, code string) (snaps []*checkedSnapshot, skipped []SnapshotProblem, err error) {
	key, err := readKey(dir)
	if err != nil {
		return nil, nil, err
	}
	files, err := snapshotFiles(dir, code)
	for _, s := range files {
		if skip, err := checkSnapshot(s, key, code); err != nil {
			return nil, skipped, err
		} else if skip != nil {
			skipped = append(skipped, *skip)
			continue
		}
		snaps = append(snaps, s)
	}
	return snaps, skipped, err
}

// snapshotFiles lists a ledger's snapshot files in order of seq, unchecked;
// a file whose name is not a snapshot's comes first with its problem.
func snapshotFiles(dir, code string) ([]*checkedSnapshot, error) {
	ldir := filepath.Join(dir, code)
	entries, err := os.ReadDir(ldir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []*checkedSnapshot
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || safefile.IsTemp(name) || !strings.HasPrefix(name, "snap-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		s := &checkedSnapshot{file: filepath.Join(ldir, name)}
		if _, err := fmt.Sscanf(name, "snap-%d.json", &s.seq); err != nil {
			s.probs = append(s.probs, "not a snapshot's name")
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *checkedSnapshot) int { return cmpU(a.seq, b.seq) })
	return out, nil
}

// checkSnapshot checks one snapshot file against its digest, the key and
// its name, recording problems in s; a snapshot of another format answers
// skip instead.
func checkSnapshot(s *checkedSnapshot, key []byte, code string) (skip *SnapshotProblem, err error) {
	if len(s.probs) > 0 {
		return nil, nil
	}
	if meta, err := readMeta(s.file); err == nil && meta.Format != snapFormat {
		return &SnapshotProblem{s.file, s.seq, fmt.Sprintf("format %d, want %d", meta.Format, snapFormat)}, nil
	}
	_, chk, err := verifyFile(s.file, key, false)
	var bad *badSnapshotError
	switch {
	case errors.As(err, &bad):
		s.probs = append(s.probs, bad.reason)
	case err != nil:
		return nil, err
	}
	s.meta, s.digest = chk.meta, chk.digest
	if chk.digest != "" && (s.meta.Ledger != code || s.meta.Seq != s.seq) {
		s.probs = append(s.probs, fmt.Sprintf("its header says ledger %s seq %d", s.meta.Ledger, s.meta.Seq))
	}
	return nil, nil
}

// NewestSnapshotVoucher answers the (seq, hash) the newest genuine snapshot
// of a ledger was built at, the one the log must still hold (the chain
// links every earlier commit into it); none when the ledger has none.
// Snapshots are checked newest first, so a start reads one file, not all.
func NewestSnapshotVoucher(dir, code string) ([]ledger.Voucher, error) {
	key, err := readKey(dir)
	if err != nil {
		return nil, err
	}
	files, err := snapshotFiles(dir, code)
	if err != nil {
		return nil, err
	}
	for i := len(files) - 1; i >= 0; i-- {
		s := files[i]
		if skip, err := checkSnapshot(s, key, code); err != nil {
			return nil, err
		} else if skip == nil && len(s.probs) == 0 {
			return []ledger.Voucher{voucherOf(code, s)}, nil
		}
	}
	return nil, nil
}

func voucherOf(code string, s *checkedSnapshot) ledger.Voucher {
	return ledger.Voucher{Witness: ledger.Witness{Ledger: code, Seq: s.meta.Seq, Hash: s.meta.Hash}, What: "snapshot " + filepath.Base(s.file)}
}

// SnapshotVouchers is the cheap half of verify's snapshot check: each
// genuine snapshot of a ledger (its digest and signature hold) vouches for
// the (seq, hash) it was built at, which the log must still hold; a
// snapshot that fails its own checks was edited and is reported in bad.
// `verify --deep` (DeepCheck) also refolds the log and compares content.
func SnapshotVouchers(dir, code string) (vouchers []ledger.Voucher, bad []SnapshotProblem, err error) {
	snaps, _, err := checkSnapshots(dir, code)
	for _, s := range snaps {
		if len(s.probs) > 0 {
			bad = append(bad, SnapshotProblem{s.file, s.seq, strings.Join(s.probs, "; ")})
			continue
		}
		vouchers = append(vouchers, voucherOf(code, s))
	}
	return vouchers, bad, err
}

// SnapshotLedgers lists the ledgers that have a snapshot directory under
// dir: a ledger whose stream vanished is still known by its snapshots.
func SnapshotLedgers(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.IsDir() && eventstore.ValidLedgerCode(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}
