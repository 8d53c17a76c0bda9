package projections

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/fundledger/fundledger/internal/safefile"
)

// snapStore keeps each ledger's snapshots: in a directory (surviving
// restarts) or, with no directory, in memory (for as-of reads). The
// checkpoint of a ledger, the snapshot a restart resumes from, is its newest
// snapshot; checkpoint.json names it for operators and tools.
type snapStore struct {
	dir string
	log *slog.Logger

	mu   sync.Mutex
	key  []byte                // signs and checks snapshots; loaded lazily
	list map[string][]snapMeta // ascending seq, loaded lazily from dir
	mem  map[string][][]byte   // dir == "": encoded snapshots, parallel to list
}

func newSnapStore(dir string, log *slog.Logger) *snapStore {
	return &snapStore{dir: dir, log: log, list: map[string][]snapMeta{}, mem: map[string][][]byte{}}
}

func (s *snapStore) ledgerDir(ledger string) string { return filepath.Join(s.dir, ledger) }

func snapName(seq uint64) string { return fmt.Sprintf("snap-%020d.json", seq) }

// file names a snapshot for a log line.
func (s *snapStore) file(meta snapMeta) string {
	if s.dir == "" {
		return "memory:" + meta.Ledger + "/" + snapName(meta.Seq)
	}
	return filepath.Join(s.ledgerDir(meta.Ledger), snapName(meta.Seq))
}

// signingKey answers the directory's key; with create, one is made if there
// is none. Without one, no snapshot on disk verifies.
func (s *snapStore) signingKey(create bool) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	var err error
	switch {
	case create:
		s.key, err = loadOrCreateKey(s.dir)
	case s.dir != "":
		s.key, err = readKey(s.dir)
	}
	return s.key, err
}

// metas answers a ledger's snapshots in ascending order of seq. The first
// listing of a directory also tidies it: it removes what a crash left
// (temporary files) and snapshots of another format (never misread: the
// projection replays instead), and tightens what an older version wrote
// world-readable.
func (s *snapStore) metas(ledger string) []snapMeta {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.list[ledger]; ok || s.dir == "" {
		return slices.Clone(l)
	}
	var out []snapMeta
	dir := s.ledgerDir(ledger)
	entries, err := os.ReadDir(dir)
	if err == nil {
		_ = os.Chmod(dir, 0o700)
	}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() {
			continue
		}
		if safefile.IsTemp(name) {
			_ = os.Remove(path)
			continue
		}
		_ = os.Chmod(path, 0o600)
		if !strings.HasPrefix(name, "snap-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		meta, err := readMeta(path)
		switch {
		case err != nil || meta.Ledger != ledger || snapName(meta.Seq) != name:
			s.log.Warn("projections: snapshot discarded, its header does not describe it; the ledger is rebuilt from the log", "file", path, "err", err)
		case meta.Format != snapFormat:
			s.log.Info("projections: snapshot of another format removed; the ledger is rebuilt from the log", "file", path, "format", meta.Format, "want", snapFormat)
		default:
			out = append(out, meta)
			continue
		}
		_ = os.Remove(path)
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

// readMeta reads a snapshot's first line. It is not checked against the
// digest: it only lists the file; load checks the whole.
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

// checkpointFile is checkpoint.json: it names the newest snapshot, with the
// (seq, hash) it was built at and its digest.
type checkpointFile struct {
	snapMeta
	Snapshot string `json:"snapshot"`
	SHA256   string `json:"sha256"`
}

// save stores a signed snapshot of m, which becomes the ledger's
// checkpoint. On disk the file is written aside, fsynced and renamed, so a
// crash leaves the previous snapshots intact.
func (s *snapStore) save(m *Model) error {
	meta := snapMeta{Ledger: m.st.Ledger, Seq: m.st.Seq, Hash: m.st.Hash, Time: m.st.Time, Events: m.st.Events, Format: snapFormat}
	key, err := s.signingKey(true)
	if err != nil {
		return fmt.Errorf("snapshot key: %w", err)
	}
	if s.dir == "" {
		data, _, err := writeBytes(m, key)
		if err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.list[meta.Ledger] = append(s.list[meta.Ledger], meta)
		s.mem[meta.Ledger] = append(s.mem[meta.Ledger], data)
		if n := len(s.list[meta.Ledger]); n > keepSnapshots {
			s.list[meta.Ledger] = slices.Delete(s.list[meta.Ledger], 0, n-keepSnapshots)
			s.mem[meta.Ledger] = slices.Delete(s.mem[meta.Ledger], 0, n-keepSnapshots)
		}
		return nil
	}
	s.metas(meta.Ledger) // load the listing before adding to it
	dir := s.ledgerDir(meta.Ledger)
	if err := safefile.PrivateDir(dir); err != nil {
		return err
	}
	var digest string
	if err := safefile.WriteAtomic(filepath.Join(dir, snapName(meta.Seq)), func(w io.Writer) (err error) {
		digest, err = writeSnapshot(w, m, key)
		return err
	}); err != nil {
		return err
	}
	cp, _ := json.Marshal(checkpointFile{meta, snapName(meta.Seq), digest})
	if err := safefile.WriteAtomic(filepath.Join(dir, "checkpoint.json"), func(w io.Writer) error { _, err := w.Write(cp); return err }); err != nil {
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

// checkpoint answers a ledger's newest snapshot: the one a restart resumes
// from, if it verifies.
func (s *snapStore) checkpoint(ledger string) (snapMeta, bool) {
	l := s.metas(ledger)
	if len(l) == 0 {
		return snapMeta{}, false
	}
	return l[len(l)-1], true
}

// load decodes one snapshot after checking it against its digest and
// signature and against the header it was listed by. A snapshot that fails
// any of these answers a *badSnapshotError.
func (s *snapStore) load(meta snapMeta) (*Model, error) {
	key, err := s.signingKey(false)
	if err != nil {
		return nil, err
	}
	var m *Model
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
		m, _, err = verifySnapshot(bytes.NewReader(data), int64(len(data)), key, true)
	} else {
		m, _, err = verifyFile(s.file(meta), key, true)
	}
	if err != nil {
		return nil, err
	}
	if m.Ledger() != meta.Ledger || m.Seq() != meta.Seq || m.HeadHash() != meta.Hash || !m.Time().Equal(meta.Time) {
		return nil, badSnapshot("content (ledger %s, seq %d) does not match its header (ledger %s, seq %d)", m.Ledger(), m.Seq(), meta.Ledger, meta.Seq)
	}
	return m, nil
}

// discard forgets a snapshot whose bytes cannot be trusted and removes its
// file, saying so: the model it held is rebuilt from the log instead.
func (s *snapStore) discard(meta snapMeta, why error) {
	s.log.Warn("projections: snapshot discarded; rebuilding from the log", "ledger", meta.Ledger, "seq", meta.Seq, "file", s.file(meta), "err", why)
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.list[meta.Ledger]
	for i, x := range l {
		if x.Seq == meta.Seq {
			s.list[meta.Ledger] = slices.Delete(slices.Clone(l), i, i+1)
			if s.dir == "" {
				s.mem[meta.Ledger] = slices.Delete(slices.Clone(s.mem[meta.Ledger]), i, i+1)
			}
			break
		}
	}
	if s.dir != "" {
		if err := os.Remove(s.file(meta)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("projections: remove discarded snapshot", "file", s.file(meta), "err", err)
		}
	}
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
