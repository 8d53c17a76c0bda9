package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/fundledger/fundledger/ledger"
)

func init() { commands["verify"] = runVerify }

// runVerify walks each ledger's hash chain in the data directory, checks the
// store against what was acknowledged beside it (the head witnesses), and
// prints one JSON line per ledger. Exit status: 0 every ledger valid; 1 a
// ledger is damaged or tampered (a missing tail, a gap, a changed commit, a
// witness or snapshot the log disagrees with); 2 usage (a missing data dir,
// one in use by a running server).
func runVerify(args []string) error {
	fs := newFlags("verify", "fundledger verify --data-dir DIR [--ledger CODE]: check the hash chain of stored history; exit 0 valid, 1 damaged, 2 usage")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "only this ledger (default: every ledger)")
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
		vouchers, werr := vouchersOf(witnesses, c)
		v, _, err := ledger.VerifyAgainst(ctx, store, c, vouchers...)
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
		_ = enc.Encode(struct {
			Ledger string `json:"ledger"`
			ledger.Verification
		}{c, v})
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

// vouchersOf answers what beside the store vouches for a ledger's history:
// its head witness.
func vouchersOf(witnesses *ledger.WitnessDir, code string) ([]ledger.Voucher, error) {
	w, ok, err := witnesses.Read(code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	return []ledger.Voucher{{Witness: w, What: "head witness"}}, nil
}

// mergeCodes answers the sorted union of two lists of ledger codes.
func mergeCodes(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
