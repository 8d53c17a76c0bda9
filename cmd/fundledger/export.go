package main

import (
	"errors"
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
	fs := newFlags("export", "fundledger export --data-dir DIR --ledger CODE --format ndjson|csv|xlsx|iati [--as-of 2019-06-30|--seq N] --out F: export a ledger's commits (ndjson, the file replay --from and restore read), money movements (csv, xlsx) or an IATI-style activity file, verifying the hash chain on the way (stop the server first, or use GET /v1/ledgers/CODE/export on a running one)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "ledger code (required)")
	format := fs.String("format", "", "ndjson (every stored commit, one per line), csv (UTF-8 with BOM), xlsx or iati (default: from --out's extension; .xml is iati, .jsonl ndjson)")
	asOf := fs.String("as-of", "", "stop at this point: a date (end of that day, China time), an RFC 3339 time, or a sequence number")
	seq := fs.Uint64("seq", 0, "stop after this commit sequence")
	out := fs.String("out", "", "file to write (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *code == "" || *out == "" {
		return exitUsage("export", "--ledger and --out are required")
	}
	if err := needDataDir("export", *dataDir); err != nil {
		return err
	}
	f, ok := export.Lookup(*format)
	if *format == "" {
		f, ok = export.ForPath(*out)
	}
	if !ok {
		return exitUsage("export", "--format %q: give %s", *format, export.Names())
	}
	cut, err := parseCut(*asOf, *seq)
	if err != nil {
		return exitUsage("export", "%v", err)
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

// needDataDir refuses, with exit status 2, a data dir that does not
// exist: an offline tool reads a store and never creates one.
func needDataDir(cmd, dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return exitUsage(cmd, "data dir %s does not exist", dir)
	}
	if err == nil && !fi.IsDir() {
		return exitUsage(cmd, "data dir %s is not a directory", dir)
	}
	return err
}
