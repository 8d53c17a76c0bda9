package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// keyed submits c under an idempotency key whose request hash is the key's.
func keyed(t *testing.T, m *Manager, key string, c domain.Command) Result {
	t.Helper()
	res, err := m.Submit(context.Background(), code, Request{Command: c, Actor: "t", IdempotencyKey: key, RequestHash: "h-" + key})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return res
}

// snapshotted writes a ledger of 1+n allocations, each under its own key,
// with a writer that snapshots every 4 commits and on its clean stop;
// then, with snapshots off, tail more commits the snapshots do not hold.
func snapshotted(t *testing.T, store eventstore.Store, dir string, n, tail int) map[string]Result {
	t.Helper()
	m := NewManager(store, Options{Logger: quiet, SnapshotDir: dir, SnapshotEvery: 4})
	submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})
	out := map[string]Result{}
	for i := range n {
		out[fmt.Sprint("k", i)] = keyed(t, m, fmt.Sprint("k", i), allocate(fmt.Sprint("A", i)))
	}
	m.Close()
	m = NewManager(store, Options{Logger: quiet})
	for i := range tail {
		out[fmt.Sprint("t", i)] = keyed(t, m, fmt.Sprint("t", i), allocate(fmt.Sprint("T", i)))
	}
	m.Close()
	return out
}

func loaded(t *testing.T, m *Manager) *writer {
	t.Helper()
	w, err := m.writer(context.Background(), code, false)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func encoded(t *testing.T, w *writer) string {
	t.Helper()
	var b bytes.Buffer
	if err := domain.EncodeState(&b, w.state); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWriterStartsFromItsSnapshotAsFromAFullReplay: a writer that starts
// from its snapshot and the tail holds the same state, keys and head as one
// that replays the whole chain, and a retry of a key older than the
// snapshot answers the original commit.
func TestWriterStartsFromItsSnapshotAsFromAFullReplay(t *testing.T) {
	store, dir := memory.New(), t.TempDir()
	written := snapshotted(t, store, dir, 9, 3)
	files := newSnapDir(dir).files(code)
	if len(files) != writerSnapsKept {
		t.Fatalf("%d snapshot files, want the newest %d: %v", len(files), writerSnapsKept, files)
	}
	for _, p := range []string{files[0], filepath.Join(dir, writerKeyFile)} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want 0600", p, st.Mode(), err)
		}
	}
	if st, _ := os.Stat(filepath.Dir(files[0])); st.Mode().Perm() != 0o700 {
		t.Fatalf("snapshot dir %v, want 0700", st.Mode())
	}

	fromSnap := NewManager(store, Options{Logger: quiet, SnapshotDir: dir})
	defer fromSnap.Close()
	full := NewManager(store, Options{Logger: quiet})
	defer full.Close()
	ws, wf := loaded(t, fromSnap), loaded(t, full)
	if ws.snapSeq != 10 { // open + 9 allocations, written on the clean stop
		t.Fatalf("writer started from snapshot %d, want 10", ws.snapSeq)
	}
	if ws.head != 13 || ws.head != wf.head || ws.headHash != wf.headHash || !ws.headTime.Equal(wf.headTime) {
		t.Fatalf("head %d %s, full replay %d %s", ws.head, ws.headHash, wf.head, wf.headHash)
	}
	if a, b := encoded(t, ws), encoded(t, wf); a != b {
		t.Fatalf("state from snapshot differs from full replay:\n%s\n%s", a, b)
	}
	if fmt.Sprint(ws.keys.ram) != fmt.Sprint(wf.keys.ram) || len(ws.keys.ram) != 12 {
		t.Fatalf("keys from snapshot %v, full replay %v", ws.keys.ram, wf.keys.ram)
	}
	for _, key := range []string{"k0", "k8", "t2"} {
		res := keyed(t, fromSnap, key, allocate("ignored"))
		if want := written[key]; !res.Replayed || res.Seq != want.Seq || res.Hash != want.Hash || len(res.Events) != 1 {
			t.Fatalf("retry of %s answered %+v, want seq %d %s", key, res, want.Seq, want.Hash)
		}
	}
	_, err := fromSnap.Submit(context.Background(), code, Request{Command: allocate("X"), Actor: "t", IdempotencyKey: "k1", RequestHash: "other"})
	if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Code != ErrIdempotencyConflict.Code {
		t.Fatalf("key from before the snapshot reused with another request: %v, want idempotency_conflict", err)
	}
	// The writer decides on the loaded state: a duplicate fund id from
	// before the snapshot is refused, a new one accepted at 14.
	if _, err := fromSnap.Submit(context.Background(), code, Request{Command: allocate("A3"), Actor: "t"}); err == nil {
		t.Fatal("a fund id from before the snapshot was allocated again")
	}
	if res := submit(t, fromSnap, allocate("N")); res.Seq != 14 {
		t.Fatalf("next commit %d, want 14", res.Seq)
	}
}

// TestTamperedWriterSnapshotIsDiscarded: a snapshot whose content was edited
// (with or without a recomputed digest) is discarded and the writer falls
// back to the older snapshot, or to a full replay, with the same result.
func TestTamperedWriterSnapshotIsDiscarded(t *testing.T) {
	for _, recompute := range []bool{false, true} {
		t.Run(fmt.Sprint("recomputed digest ", recompute), func(t *testing.T) {
			store, dir := memory.New(), t.TempDir()
			snapshotted(t, store, dir, 9, 0)
			files := newSnapDir(dir).files(code)
			for _, p := range files {
				b, _ := os.ReadFile(p)
				body := bytes.Replace(b[:len(b)-writerTrailerLen], []byte("\nA1\t"), []byte("\nZ1\t"), 1)
				if bytes.Equal(body, b[:len(b)-writerTrailerLen]) {
					t.Fatal("nothing to tamper with")
				}
				trailer := b[len(b)-writerTrailerLen:]
				if recompute {
					trailer = bytes.Replace(trailer, trailer[11:75], fmt.Appendf(nil, "%x", sha256.Sum256(body)), 1)
				}
				if err := os.WriteFile(p, append(body, trailer...), 0o600); err != nil {
					t.Fatal(err)
				}
				m := NewManager(store, Options{Logger: quiet, SnapshotDir: dir})
				w := loaded(t, m)
				full := NewManager(store, Options{Logger: quiet})
				if w.snapSeq == seqOf(t, p) {
					t.Fatalf("tampered snapshot %s was used", p)
				}
				if a, b := encoded(t, w), encoded(t, loaded(t, full)); a != b || w.state.Funds["A1"] == nil {
					t.Fatal("state after discarding the tampered snapshot differs from a full replay")
				}
				full.Close()
				m.Close() // writes a fresh snapshot at the head: tamper it again next round
			}
		})
	}
}

func seqOf(t *testing.T, path string) uint64 {
	var seq uint64
	if _, err := fmt.Sscanf(filepath.Base(path), "%020d.snap", &seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// TestStoreBehindTheWriterSnapshotIsDamaged: a store that lost commits the
// writer snapshot was built on (no witness to tell) is damaged from the
// first lost commit, never re-based on its shorter head.
func TestStoreBehindTheWriterSnapshotIsDamaged(t *testing.T) {
	inner, dir := memory.New(), t.TempDir()
	snapshotted(t, inner, dir, 9, 0)
	store := &forgetfulStore{Store: inner}
	store.keep.Store(6)
	m := NewManager(store, Options{Logger: quiet, SnapshotDir: dir})
	defer m.Close()
	if err := m.OpenAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, ok := m.Damaged(code)
	if !ok || d.FirstBadSeq != 7 || d.Seq != 6 || !strings.Contains(d.Reason, "writer snapshot") {
		t.Fatalf("damage %+v %v, want first bad 7 after good 6, named by the writer snapshot", d, ok)
	}
	_, err := m.Submit(context.Background(), code, Request{Command: allocate("B"), Actor: "t"})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("write on a store behind its snapshot: %v, want ledger_damaged", err)
	}
	if n, _ := inner.Head(context.Background(), code); n != 10 {
		t.Fatalf("store head %d: something was written", n)
	}
}

// TestOldFormatWriterSnapshotIsDiscarded: a genuinely signed snapshot of
// format 1 (the state as one line of JSON) is discarded and the writer
// replays the whole chain, never reading it as the current format.
func TestOldFormatWriterSnapshotIsDiscarded(t *testing.T) {
	store, dir := memory.New(), t.TempDir()
	snapshotted(t, store, dir, 9, 0)
	d := newSnapDir(dir)
	files := d.files(code)
	if len(files) == 0 {
		t.Fatal("no snapshots")
	}
	for _, p := range files {
		b, _ := os.ReadFile(p)
		body := b[:len(b)-writerTrailerLen]
		header, rest, _ := bytes.Cut(body, []byte("\n"))
		state, err := domain.DecodeState(bytes.NewReader(rest))
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(state)
		if err != nil {
			t.Fatal(err)
		}
		_, keys, _ := bytes.Cut(rest, []byte("\nend\n"))
		current := fmt.Sprintf(`"format":%d`, writerSnapFormat)
		old := bytes.Replace(header, []byte(current), []byte(`"format":1`), 1)
		if bytes.Equal(old, header) {
			t.Fatalf("header %s has no %s", header, current)
		}
		old = append(append(append(append(old, '\n'), js...), '\n'), keys...)
		if err := d.Write(code, seqOf(t, p), old); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Read(p, code); err == nil || !strings.Contains(err.Error(), "format 1") {
			t.Fatalf("format 1 snapshot read: %v", err)
		}
	}
	replaysPastOldSnapshots(t, store, dir, 1)
}

// TestFormat3WriterSnapshotIsDiscarded: a genuinely signed snapshot of
// format 3 (state 1: every write's accounts by name, before issue 14's
// numbered accounts) is refused by its header and the writer replays the
// chain, never reading its state as state 2.
func TestFormat3WriterSnapshotIsDiscarded(t *testing.T) {
	store, dir := memory.New(), t.TempDir()
	snapshotted(t, store, dir, 9, 0)
	d := newSnapDir(dir)
	files := d.files(code)
	if len(files) == 0 {
		t.Fatal("no snapshots")
	}
	current := fmt.Sprintf(`"format":%d`, writerSnapFormat)
	for _, p := range files {
		b, _ := os.ReadFile(p)
		body := b[:len(b)-writerTrailerLen]
		old := bytes.Replace(body, []byte(current), []byte(`"format":3`), 1)
		if bytes.Equal(old, body) || writerSnapFormat == 3 {
			t.Fatalf("header has no %s", current)
		}
		if err := d.Write(code, seqOf(t, p), old); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Read(p, code); err == nil || !strings.Contains(err.Error(), "format 3") {
			t.Fatalf("format 3 snapshot read: %v", err)
		}
	}
	replaysPastOldSnapshots(t, store, dir, 3)
}

// replaysPastOldSnapshots checks that a writer over dir, whose snapshots are
// all of an old format, starts from none of them and ends in the state a
// full replay of the chain gives.
func replaysPastOldSnapshots(t *testing.T, store eventstore.Store, dir string, format int) {
	t.Helper()
	m := NewManager(store, Options{Logger: quiet, SnapshotDir: dir})
	defer m.Close()
	full := NewManager(store, Options{Logger: quiet})
	defer full.Close()
	w := loaded(t, m)
	if w.snapSeq != 0 {
		t.Fatalf("started from snapshot %d of format %d", w.snapSeq, format)
	}
	if a, b := encoded(t, w), encoded(t, loaded(t, full)); a != b || w.state.Funds["A8"] == nil {
		t.Fatal("state after discarding the old snapshots differs from a full replay")
	}
}
