package projections

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// snapMeta describes one snapshot: the commit it reflects.
type snapMeta struct {
	Ledger string    `json:"ledger"`
	Seq    uint64    `json:"seq"`
	Hash   string    `json:"head_hash"`
	Time   time.Time `json:"time"`
	Events uint64    `json:"events"`
	Format int       `json:"format"`
}

// snapFormat versions the encoding of state; a snapshot of another format
// is removed (the projection replays instead), never misread. Format 2 added
// the digest trailer (snapfile.go); format 4 the standards, answers to
// findings, business dates of payout lines and removals, re-issue links and
// the index of business dates; format 5 the payout lines and writes as
// lines of fields (snaplines.go).
const snapFormat = 5

// keepSnapshots bounds the snapshots kept per ledger; the oldest go first.
// A read as of a point before the oldest replays from zero.
const keepSnapshots = 24

// encodeModel writes a snapshot: one line of metadata, the state without
// its three big maps, then the households, the accounts and the writes
// one entry per line. Entry by entry keeps the encoder's buffer small: one
// value holding a million payout lines would be built whole in memory
// before a byte is written. A household is a JSON line of its register
// entry and the count of its payout lines, then those lines in the field
// format of snaplines.go, as are the writes.
func encodeModel(w io.Writer, m *Model) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	meta := snapMeta{Ledger: m.st.Ledger, Seq: m.st.Seq, Hash: m.st.Hash, Time: m.st.Time, Events: m.st.Events, Format: snapFormat}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(meta); err != nil {
		return err
	}
	shell := m.st
	shell.Households, shell.Accounts, shell.Writes = nil, nil, nil
	if err := enc.Encode(&shell); err != nil {
		return err
	}
	fw := &fieldWriter{w: bw}
	if err := enc.Encode(len(m.st.Households)); err != nil {
		return err
	}
	for _, id := range keys(m.st.Households) {
		h := m.st.Households[id]
		if h == nil {
			return fmt.Errorf("encode snapshot: household %q is nil", id)
		}
		head := *h
		head.Lines = nil
		if err := enc.Encode(householdEntry{id, &head, len(h.Lines)}); err != nil {
			return err
		}
		for i := range h.Lines {
			if err := fw.line(&h.Lines[i]); err != nil {
				return err
			}
		}
	}
	if err := enc.Encode(len(m.st.Accounts)); err != nil {
		return err
	}
	accts := make([]string, 0, len(m.st.Accounts))
	for a := range m.st.Accounts {
		accts = append(accts, string(a))
	}
	slices.Sort(accts)
	for _, a := range accts {
		if err := enc.Encode(accountEntry{domain.Account(a), m.st.Accounts[domain.Account(a)]}); err != nil {
			return err
		}
	}
	if err := enc.Encode(len(m.st.Writes)); err != nil {
		return err
	}
	for _, id := range keys(m.st.Writes) {
		wr := m.st.Writes[id]
		if wr == nil {
			return fmt.Errorf("encode snapshot: write %q is nil", id)
		}
		if err := fw.write(id, wr); err != nil {
			return err
		}
	}
	return bw.Flush()
}

type householdEntry struct {
	ID    string     `json:"id"`
	H     *household `json:"h"`
	Lines int        `json:"n"` // payout lines that follow
}

type accountEntry struct {
	A domain.Account `json:"a"`
	F *flow          `json:"f"`
}

// maxPrealloc bounds what a count read from a snapshot may reserve before
// its entries are read: the digest is checked only after the decode.
const maxPrealloc = 1 << 20

// decodeModel reads a snapshot body written by encodeModel.
func decodeModel(r io.Reader) (*Model, error) {
	lr := &lineReader{r: bufio.NewReaderSize(r, 1<<20)}
	var meta snapMeta
	if err := lr.json(&meta); err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	if meta.Format != snapFormat {
		return nil, fmt.Errorf("snapshot format %d, want %d", meta.Format, snapFormat)
	}
	m := NewModel(meta.Ledger)
	lr.in, lr.m = m.intern, m // the lines' names and kinds are shared as the fold shares them
	accounts := m.st.Accounts
	if err := lr.json(&m.st); err != nil {
		return nil, fmt.Errorf("snapshot body: %w", err)
	}
	m.st.Accounts = accounts // the households and writes are made to measure below
	var n int
	if err := lr.json(&n); err != nil {
		return nil, fmt.Errorf("snapshot households: %w", err)
	}
	m.st.Households = make(map[string]*household, min(max(n, 0), maxPrealloc))
	for range n {
		var e householdEntry
		if err := lr.json(&e); err != nil || e.H == nil || e.Lines < 0 {
			return nil, fmt.Errorf("snapshot household: %v", err)
		}
		if e.Lines > 0 {
			e.H.Lines = make([]line, min(e.Lines, maxPrealloc))[:0]
		}
		for range e.Lines {
			e.H.Lines = append(e.H.Lines, line{})
			if err := lr.line(&e.H.Lines[len(e.H.Lines)-1]); err != nil {
				return nil, fmt.Errorf("snapshot household %q: payout line: %w", e.ID, err)
			}
		}
		if e.H.Info.ID == e.ID {
			e.ID = e.H.Info.ID // one copy of the id for the key and the register
		}
		m.st.Households[e.ID] = e.H
	}
	if err := lr.json(&n); err != nil {
		return nil, fmt.Errorf("snapshot accounts: %w", err)
	}
	for range n {
		var e accountEntry
		if err := lr.json(&e); err != nil {
			return nil, fmt.Errorf("snapshot account: %w", err)
		}
		m.st.Accounts[e.A] = e.F
	}
	if err := lr.json(&n); err != nil {
		return nil, fmt.Errorf("snapshot writes: %w", err)
	}
	m.st.Writes = make(map[string]*write, min(max(n, 0), maxPrealloc))
	for range n {
		id, w, err := lr.write()
		if err != nil {
			return nil, fmt.Errorf("snapshot write: %w", err)
		}
		m.st.Writes[id] = w
	}
	if _, err := lr.next(); err != io.EOF {
		return nil, errors.New("snapshot body goes on after its last entry")
	}
	if m.st.Seq != meta.Seq || m.st.Hash != meta.Hash {
		return nil, errors.New("snapshot body does not match its header")
	}
	return m, nil
}
