package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/fundledger/fundledger/ledger"
)

func init() { commands["verify"] = runVerify }

// runVerify walks each ledger's hash chain in the data directory and names
// the first bad commit. Exit status 1 if any chain is broken.
func runVerify(args []string) error {
	fs := newFlags("verify", "fundledger verify --data-dir DIR [--ledger CODE]: check the hash chain of stored history")
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
	codes, err := ledgerCodes(ctx, store, *code)
	if err != nil {
		return err
	}
	broken := false
	enc := json.NewEncoder(os.Stdout)
	for _, c := range codes {
		v, err := ledger.Verify(ctx, store, c)
		if err != nil {
			return fmt.Errorf("ledger %s: %w", c, err)
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
			fmt.Fprintf(os.Stderr, "ledger %s: chain broken at commit %d: %s\n", c, *v.FirstBadSeq, v.Problem)
		}
	}
	if broken {
		return exitError(1)
	}
	return nil
}
