package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

func init() { commands["verify"] = runVerify }

// runVerify walks each ledger's hash chain in the data directory, checks the
// store against what was acknowledged beside it (the head witnesses), and
// prints one JSON line per ledger. Exit status: 0 every ledger valid; 1 a
// ledger is damaged or tampered (a missing tail, a gap, a changed commit, a
// witness or snapshot the log disagrees with); 2 usage (a missing data dir,
// one in use by a running server).
func runVerify(args []string) error {
	fs := newFlags("verify", "fundledger verify --data-dir DIR [--ledger CODE] [--deep]: check the hash chain of stored history against its head witness and projection snapshots; exit 0 valid, 1 damaged or tampered, 2 usage")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "only this ledger (default: every ledger)")
	deep := fs.Bool("deep", false, "also refold each ledger's whole log and compare it with every projection snapshot")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	store, err := openOffline(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	witnesses := ledger.NewWitnessDir(witnessDir(*dataDir))
	projDir := filepath.Join(*dataDir, "projections")
	codes, err := ledgerCodes(ctx, store, *code)
	if *code == "" {
		// A ledger whose whole stream vanished has only its witness left.
		more, werr := witnesses.Ledgers()
		if werr != nil {
			return werr
		}
		codes = mergeCodes(codes, more)
		if len(codes) > 0 {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	broken := false
	enc := json.NewEncoder(os.Stdout)
	for _, c := range codes {
		vouchers, werr := witnessVoucher(witnesses, c)
		snapVouchers, badSnaps, serr := projections.SnapshotVouchers(projDir, c)
		if serr != nil {
			return fmt.Errorf("ledger %s: snapshots: %w", c, serr)
		}
		snapVouchers = append(snapVouchers, ledger.WriterSnapshotVoucher(node.WriterSnapshotDir(*dataDir), c)...)
		v, _, err := ledger.VerifyAgainst(ctx, store, c, append(vouchers, snapVouchers...)...)
		if err != nil {
			return fmt.Errorf("ledger %s: %w", c, err)
		}
		if werr != nil && v.Valid {
			// What the witness vouched for is unknown: not trusted.
			first := v.Seq + 1
			v = ledger.Verification{Seq: v.Seq, HeadHash: v.HeadHash, FirstBadSeq: &first, Problem: werr.Error()}
		}
		if v.Seq == 0 && v.Valid {
			return fmt.Errorf("ledger %s has no commits in %s", c, *dataDir)
		}
		if *deep && v.Valid {
			res, err := projections.DeepCheck(ctx, store, projDir, c)
			if err != nil {
				return fmt.Errorf("ledger %s: deep check: %w", c, err)
			}
			badSnaps = append(badSnaps, res.Bad...)
		}
		if len(badSnaps) > 0 && v.Valid {
			v = snapshotVerdict(v, badSnaps)
		}
		_ = enc.Encode(struct {
			Ledger string `json:"ledger"`
			ledger.Verification
			BadSnapshots []projections.SnapshotProblem `json:"bad_snapshots,omitempty"`
		}{c, v, badSnaps})
		if !v.Valid {
			broken = true
			fmt.Fprintf(os.Stderr, "ledger %s: damaged at commit %d: %s\n", c, *v.FirstBadSeq, v.Problem)
		}
	}
	if broken {
		return exitError(1)
	}
	return nil
}

// witnessVoucher answers a ledger's head witness as a voucher, if it has one.
func witnessVoucher(witnesses *ledger.WitnessDir, code string) ([]ledger.Voucher, error) {
	w, ok, err := witnesses.Read(code)
	if err != nil || !ok {
		return nil, err
	}
	return []ledger.Voucher{{Witness: w, What: "head witness"}}, nil
}

// snapshotVerdict turns a log that verifies but snapshots that disagree
// with it (edited, forged, or built from other history) into a failed
// verification naming the earliest such snapshot's sequence: derived data
// that a page could print is not what the log says. A server discards
// such a snapshot and rebuilds it from the log.
func snapshotVerdict(v ledger.Verification, bad []projections.SnapshotProblem) ledger.Verification {
	first := bad[0]
	for _, b := range bad[1:] {
		if b.Seq < first.Seq {
			first = b
		}
	}
	seq := first.Seq
	v.Valid, v.FirstBadSeq = false, &seq
	v.Problem = fmt.Sprintf("the log verifies to seq %d, but snapshot %s (seq %d) disagrees with it: %s", v.Seq, first.File, first.Seq, first.Problem)
	return v
}

// mergeCodes answers the sorted union of two lists of ledger codes.
func mergeCodes(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
