package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/report"
	"github.com/fundledger/fundledger/projections"
)

func init() { commands["audit"] = runAudit }

// runAudit writes the audit workbook (审计底稿) of a ledger at a cut,
// read offline with its hash chain checked: the same workbook as GET
// /v1/ledgers/{ledger}/audit on a running server (汇总, 资金, 审计发现,
// 资金溯源).
func runAudit(args []string) error {
	fs := newFlags("audit", "fundledger audit --data-dir DIR --ledger CODE [--as-of 2019-06-30 [--known-at N|TIME]|--seq N] --out report.xlsx: write the audit workbook (summary, funds, findings with evidence, every fund's trace) of a ledger at a cut, verifying the hash chain (stop the server first, or GET /v1/ledgers/CODE/audit on a running one)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "ledger code (required)")
	asOf := fs.String("as-of", "", "the cut: a sequence number or an RFC 3339 time (a record cut), or a date 2019-06-30 (a business cut: every write dated on or before that day); default the head")
	knownAt := fs.String("known-at", "", "with --as-of DATE: the record point (sequence number or RFC 3339 time) the business cut is taken at")
	seq := fs.Uint64("seq", 0, "stop after this commit sequence")
	out := fs.String("out", "", "the .xlsx file to write (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *code == "" || *out == "" {
		return exitUsage("audit", "--ledger and --out are required")
	}
	cut, err := parseCut(*asOf, *seq, *knownAt)
	if err != nil {
		return exitUsage("audit", "%v", err)
	}
	m := projections.NewModel(*code)
	if err := walkOffline(*dataDir, *code, "audit", cut, func(c *domain.Commit, _ []byte) error { return m.ApplyCut(c, cut) }); err != nil {
		return err
	}
	m.MarkBusinessCut(cut.Date)
	if m.Seq() == 0 {
		return fmt.Errorf("ledger %s has no commits up to the cut; nothing was written", *code)
	}
	label := *asOf
	if *seq != 0 {
		label = fmt.Sprint(*seq)
	}
	// Written whole to a temporary file and renamed: a failed run leaves
	// no half workbook under the name asked for.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".audit-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = report.WriteXLSX(tmp, report.Audit(m, label))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "audit workbook of ledger %s at seq %d (%s), chain verified: wrote %s\n", *code, m.Seq(), m.HeadHash(), *out)
	return nil
}
