package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

func init() { commands["replay"] = runReplay }

// runReplay folds a ledger's history offline, checking the hash chain on
// the way, up to a cut, and writes the summary and every balance. The
// history comes from a stopped server's data dir, or with --from from an
// NDJSON export alone (no data dir is opened or created).
func runReplay(args []string) error {
	fs := newFlags("replay", "fundledger replay (--data-dir DIR --ledger CODE | --from FILE.ndjson) [--as-of 2019-06-30 [--known-at N|TIME]|--seq N] [--out F]: replay a ledger offline, verifying its hash chain, and write the summary and balances as JSON (and CSV if F ends in .csv); --from reads an NDJSON export instead of a store and names any line that breaks the chain")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	from := fs.String("from", "", "an NDJSON export (fundledger export --format ndjson, or GET /v1/ledgers/CODE/export?format=ndjson) to verify and replay instead of a data dir")
	code := fs.String("ledger", "", "ledger code (required with --data-dir; with --from, checked against the file)")
	asOf := fs.String("as-of", "", "a sequence number or an RFC 3339 time (stop there: a record cut), or a date 2019-06-30 (a business cut: every write dated on or before that day)")
	knownAt := fs.String("known-at", "", "with --as-of DATE: the record point (sequence number or RFC 3339 time) the business cut is taken at")
	seq := fs.Uint64("seq", 0, "stop after this commit sequence")
	out := fs.String("out", "", "write here instead of stdout; a name ending in .csv writes the balances as CSV and the JSON next to it (.json)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cut, err := parseCut(*asOf, *seq, *knownAt)
	if err != nil {
		return err
	}
	if *from != "" {
		m, err := replayFile(*from, *code, cut)
		if err != nil {
			return err
		}
		return writeExport(m, *out)
	}
	if *code == "" {
		return errors.New("--ledger is required")
	}
	m := projections.NewModel(*code)
	if err := walkOffline(*dataDir, *code, "replay", cut, func(c *domain.Commit, _ []byte) error { return m.ApplyCut(c, cut) }); err != nil {
		return err
	}
	m.MarkBusinessCut(cut.Date)
	fmt.Fprintf(os.Stderr, "replayed ledger %s to seq %d (%s), chain verified\n", *code, m.Seq(), m.HeadHash())
	return writeExport(m, *out)
}

func writeExport(m *projections.Model, out string) error {
	writeJSON := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(m.Export())
	}
	if out == "" {
		return writeJSON(os.Stdout)
	}
	jsonPath := out
	if strings.HasSuffix(strings.ToLower(out), ".csv") {
		jsonPath = out[:len(out)-4] + ".json"
		if err := writeFile(out, m.WriteCSV); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", out)
	}
	if err := writeFile(jsonPath, writeJSON); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", jsonPath)
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
