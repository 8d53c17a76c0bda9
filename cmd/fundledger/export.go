package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/export"
)

func init() { commands["export"] = runExport }

// runExport writes a ledger's history, read offline with its hash chain
// checked, for other tools and for recovery: every stored commit as NDJSON,
// every money movement as CSV or XLSX, or an IATI-style activity file. A
// running server gives the same files at GET /v1/ledgers/{ledger}/export.
func runExport(args []string) error {
	fs := newFlags("export", "fundledger export --data-dir DIR --ledger CODE --format ndjson|csv|xlsx|iati [--as-of 2019-06-30 [--known-at N|TIME]|--seq N] --out F: export a ledger's commits (ndjson, the file replay --from and restore read), money movements (csv, xlsx) or an IATI-style activity file, verifying the hash chain on the way (stop the server first, or use GET /v1/ledgers/CODE/export on a running one)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "ledger code (required)")
	format := fs.String("format", "", "ndjson (every stored commit, one per line), csv (UTF-8 with BOM), xlsx or iati (default: from --out's extension; .xml is iati, .jsonl ndjson)")
	asOf := fs.String("as-of", "", "a sequence number or an RFC 3339 time (stop there: a record cut), or a date 2019-06-30 (a business cut: the writes dated on or before that day; not for ndjson)")
	knownAt := fs.String("known-at", "", "with --as-of DATE: the record point (sequence number or RFC 3339 time) the business cut is taken at")
	seq := fs.Uint64("seq", 0, "stop after this commit sequence")
	out := fs.String("out", "", "file to write (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *code == "" || *out == "" {
		return exitUsage("export", "--ledger and --out are required")
	}
	f, ok := export.Lookup(*format)
	if *format == "" {
		f, ok = export.ForPath(*out)
	}
	if !ok {
		return exitUsage("export", "--format %q: give %s", *format, export.Names())
	}
	cut, err := parseCut(*asOf, *seq, *knownAt)
	if err != nil {
		return exitUsage("export", "%v", err)
	}
	if cut.IsBusiness() && f.Name == "ndjson" {
		return exitUsage("export", "%v", export.ErrDatedLog)
	}
	// The file appears only once the whole chain up to the cut is good: a
	// streamed format writes to a temporary file renamed at the end.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := f.New(*code, tmp)
	var last *domain.Commit
	err = walkOffline(*dataDir, *code, "export", cut, func(c *domain.Commit, raw []byte) error {
		last = c
		if !cut.Holds(c) { // a business cut: dated after its day
			return nil
		}
		return w.Commit(c, raw)
	})
	if err == nil && last == nil {
		err = fmt.Errorf("ledger %s has no commits up to the cut", *code)
	}
	if err == nil {
		err = w.Close()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w; nothing was exported", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exported ledger %s to seq %d (%s), chain verified: wrote %s\n", *code, last.Seq, last.Hash, *out)
	return nil
}

// exitUsage prints a usage mistake of command cmd and exits 2, as a bad
// flag does.
func exitUsage(cmd, format string, args ...any) error {
	fmt.Fprintf(os.Stderr, "fundledger %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return exitError(2)
}
