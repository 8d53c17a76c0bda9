package projections

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
// is ignored (the projection replays instead), never misread.
const snapFormat = 1

// keepSnapshots bounds the snapshots kept per ledger; the oldest go first.
// A read as of a point before the oldest replays from zero.
const keepSnapshots = 24

// encodeModel writes a snapshot: one line of metadata, the state without
// its two big maps, then the households and the accounts one entry per
// line. Entry by entry keeps the encoder's buffer small: one value holding
// a million payout lines would be built whole in memory before a byte is
// written.
func encodeModel(w io.Writer, m *Model) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	meta := snapMeta{Ledger: m.st.Ledger, Seq: m.st.Seq, Hash: m.st.Hash, Time: m.st.Time, Events: m.st.Events, Format: snapFormat}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(meta); err != nil {
		return err
	}
	shell := m.st
	shell.Households, shell.Accounts = nil, nil
	if err := enc.Encode(&shell); err != nil {
		return err
	}
	if err := enc.Encode(len(m.st.Households)); err != nil {
		return err
	}
	for _, id := range keys(m.st.Households) {
		if err := enc.Encode(householdEntry{id, m.st.Households[id]}); err != nil {
			return err
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
	return bw.Flush()
}

type householdEntry struct {
	ID string     `json:"id"`
	H  *household `json:"h"`
}

type accountEntry struct {
	A domain.Account `json:"a"`
	F *flow          `json:"f"`
}

// decodeModel reads a snapshot written by encodeModel.
func decodeModel(r io.Reader) (*Model, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	dec := json.NewDecoder(br)
	var meta snapMeta
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	if meta.Format != snapFormat {
		return nil, fmt.Errorf("snapshot format %d, want %d", meta.Format, snapFormat)
	}
	m := NewModel(meta.Ledger)
	households, accounts := m.st.Households, m.st.Accounts
	if err := dec.Decode(&m.st); err != nil {
		return nil, fmt.Errorf("snapshot body: %w", err)
	}
	m.st.Households, m.st.Accounts = households, accounts
	var n int
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("snapshot households: %w", err)
	}
	for range n {
		var e householdEntry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("snapshot household: %w", err)
		}
		m.st.Households[e.ID] = e.H
	}
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("snapshot accounts: %w", err)
	}
	for range n {
		var e accountEntry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("snapshot account: %w", err)
		}
		m.st.Accounts[e.A] = e.F
	}
	if m.st.Seq != meta.Seq || m.st.Hash != meta.Hash {
		return nil, errors.New("snapshot body does not match its header")
	}
	m.reintern()
	return m, nil
}

// reintern shares repeated strings again after a snapshot was decoded.
func (m *Model) reintern() {
	for _, h := range m.st.Households {
		for i := range h.Lines {
			l := &h.Lines[i]
			l.Item, l.Period, l.Fund = m.in(l.Item), m.in(l.Period), m.in(l.Fund)
		}
	}
}

// snapStore keeps snapshots and each ledger's checkpoint: in a directory
// (surviving restarts) or, with no directory, in memory (for as-of reads).
type snapStore struct {
	dir string

	mu   sync.Mutex
	list map[string][]snapMeta // ascending seq, loaded lazily from dir
	mem  map[string][][]byte   // dir == "": encoded snapshots, parallel to list
}

func newSnapStore(dir string) *snapStore {
	return &snapStore{dir: dir, list: map[string][]snapMeta{}, mem: map[string][][]byte{}}
}

func (s *snapStore) ledgerDir(ledger string) string { return filepath.Join(s.dir, ledger) }

func snapName(seq uint64) string { return fmt.Sprintf("snap-%020d.json", seq) }

// metas answers a ledger's snapshots in ascending order of seq.
func (s *snapStore) metas(ledger string) []snapMeta {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.list[ledger]; ok || s.dir == "" {
		return slices.Clone(l)
	}
	var out []snapMeta
	entries, _ := os.ReadDir(s.ledgerDir(ledger))
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "snap-") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if meta, err := readMeta(filepath.Join(s.ledgerDir(ledger), e.Name())); err == nil && meta.Ledger == ledger && meta.Format == snapFormat {
			out = append(out, meta)
		}
	}
	slices.SortFunc(out, func(a, b snapMeta) int { return cmpU(a.Seq, b.Seq) })
	s.list[ledger] = out
	return slices.Clone(out)
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func readMeta(path string) (snapMeta, error) {
	f, err := os.Open(path)
	if err != nil {
		return snapMeta{}, err
	}
	defer f.Close()
	var meta snapMeta
	err = json.NewDecoder(bufio.NewReaderSize(f, 4096)).Decode(&meta)
	return meta, err
}

// save stores a snapshot of m and makes it the ledger's checkpoint. On disk
// the file is written aside, fsynced and renamed, and only then does the
// checkpoint name it, so a crash leaves the previous checkpoint intact.
func (s *snapStore) save(m *Model) error {
	meta := snapMeta{Ledger: m.st.Ledger, Seq: m.st.Seq, Hash: m.st.Hash, Time: m.st.Time, Events: m.st.Events, Format: snapFormat}
	if s.dir == "" {
		var buf bytes.Buffer
		if err := encodeModel(&buf, m); err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.list[meta.Ledger] = append(s.list[meta.Ledger], meta)
		s.mem[meta.Ledger] = append(s.mem[meta.Ledger], buf.Bytes())
		if n := len(s.list[meta.Ledger]); n > keepSnapshots {
			s.list[meta.Ledger] = slices.Delete(s.list[meta.Ledger], 0, n-keepSnapshots)
			s.mem[meta.Ledger] = slices.Delete(s.mem[meta.Ledger], 0, n-keepSnapshots)
		}
		return nil
	}
	s.metas(meta.Ledger) // load the listing before adding to it
	dir := s.ledgerDir(meta.Ledger)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	final := filepath.Join(dir, snapName(meta.Seq))
	if err := writeAtomic(final, func(w io.Writer) error { return encodeModel(w, m) }); err != nil {
		return err
	}
	cp, _ := json.Marshal(struct {
		snapMeta
		Snapshot string `json:"snapshot"`
	}{meta, snapName(meta.Seq)})
	if err := writeAtomic(filepath.Join(dir, "checkpoint.json"), func(w io.Writer) error { _, err := w.Write(cp); return err }); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := slices.DeleteFunc(s.list[meta.Ledger], func(x snapMeta) bool { return x.Seq == meta.Seq })
	l = append(l, meta)
	for len(l) > keepSnapshots {
		_ = os.Remove(filepath.Join(dir, snapName(l[0].Seq)))
		l = l[1:]
	}
	s.list[meta.Ledger] = l
	return nil
}

func writeAtomic(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// Checkpoint answers the sequence of a ledger's checkpoint: the newest
// snapshot a restart resumes from (0: none).
func (s *snapStore) checkpoint(ledger string) (snapMeta, bool) {
	if s.dir != "" {
		b, err := os.ReadFile(filepath.Join(s.ledgerDir(ledger), "checkpoint.json"))
		if err == nil {
			var cp struct {
				snapMeta
				Snapshot string `json:"snapshot"`
			}
			if json.Unmarshal(b, &cp) == nil && cp.Ledger == ledger && cp.Format == snapFormat {
				return cp.snapMeta, true
			}
		}
	}
	l := s.metas(ledger)
	if len(l) == 0 {
		return snapMeta{}, false
	}
	return l[len(l)-1], true
}

// nearest answers the newest snapshot within cut.
func (s *snapStore) nearest(ledger string, cut Cut) (snapMeta, bool) {
	l := s.metas(ledger)
	for i := len(l) - 1; i >= 0; i-- {
		if cut.includes(l[i].Seq, l[i].Time) {
			return l[i], true
		}
	}
	return snapMeta{}, false
}

// load decodes one snapshot.
func (s *snapStore) load(meta snapMeta) (*Model, error) {
	if s.dir == "" {
		s.mu.Lock()
		var data []byte
		for i, x := range s.list[meta.Ledger] {
			if x.Seq == meta.Seq {
				data = s.mem[meta.Ledger][i]
			}
		}
		s.mu.Unlock()
		if data == nil {
			return nil, fmt.Errorf("snapshot of %s at %d is gone", meta.Ledger, meta.Seq)
		}
		return decodeModel(bytes.NewReader(data))
	}
	f, err := os.Open(filepath.Join(s.ledgerDir(meta.Ledger), snapName(meta.Seq)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeModel(f)
}

// drop forgets every snapshot and the checkpoint of a ledger (rebuild).
func (s *snapStore) drop(ledger string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.list, ledger)
	delete(s.mem, ledger)
	if s.dir == "" {
		return nil
	}
	return os.RemoveAll(s.ledgerDir(ledger))
}
