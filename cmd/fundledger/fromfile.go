package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/fundledger/fundledger/export"
	"github.com/fundledger/fundledger/projections"
)

// readExportFile reads the NDJSON export at path, checking its chain, and
// calls fn for each commit within cut. A file that does not prove itself
// is reported on stderr by line and sequence and answers exit status 1.
func readExportFile(path, code, label string, cut projections.Cut, fn func(export.Line) error) (string, export.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", export.Result{}, err
	}
	defer f.Close()
	var total uint64
	if fi, err := f.Stat(); err == nil {
		total = uint64(fi.Size())
	}
	bar := newProgress(os.Stderr, label+" "+path, total).counting("byte", "commits")
	var read uint64
	got, res, err := export.ReadNDJSON(f, code, cut, func(l export.Line) error {
		read += uint64(len(l.Raw)) + 1
		bar.step(read, 1)
		return fn(l)
	})
	bar.done()
	var bad *export.FileError
	if errors.As(err, &bad) {
		fmt.Fprintf(os.Stderr, "fundledger %s: %s: hash chain broken at %v\n", label, path, bad)
		return got, res, exitError(1)
	}
	if err != nil {
		return got, res, fmt.Errorf("%s: %w", path, err)
	}
	return got, res, nil
}

// replayFile folds an NDJSON export up to cut, as replay folds a store.
func replayFile(path, code string, cut projections.Cut) (*projections.Model, error) {
	var m *projections.Model
	got, res, err := readExportFile(path, code, "replay", cut, func(l export.Line) error {
		if m == nil {
			m = projections.NewModel(l.Commit.Ledger)
		}
		return m.ApplyCut(l.Commit, cut)
	})
	if err != nil {
		return nil, err
	}
	if m == nil { // the cut is before the first commit
		m = projections.NewModel(got)
	}
	m.MarkBusinessCut(cut.Date)
	fmt.Fprintf(os.Stderr, "replayed ledger %s from %s to seq %d (%s), chain verified\n", got, path, m.Seq(), m.HeadHash())
	if res.Seq != 0 {
		// A file cut short after a whole line still proves itself: only a
		// hash published elsewhere shows that nothing is missing.
		fmt.Fprintf(os.Stderr, "check the head against a published hash: GET /v1/public/ledgers/%s/verify?seq=%d&hash=%s\n", got, res.Seq, res.Hash)
	}
	return m, nil
}
