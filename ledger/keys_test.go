package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
)

// keyDirs is a data dir's store, writer snapshots and key index.
type keyDirs struct{ store, snaps, keys string }

func newKeyDirs(t *testing.T) keyDirs {
	d := t.TempDir()
	return keyDirs{filepath.Join(d, "store"), filepath.Join(d, "writer"), filepath.Join(d, "keys")}
}

// keyWindow is small in these tests, so that most keys live only in the index.
const keyWindow = 4

func (d keyDirs) manager(store *flnats.Store) *Manager {
	return NewManager(store, Options{Logger: quiet, SnapshotDir: d.snaps, KeyIndexDir: d.keys, KeyWindow: keyWindow})
}

// writeKeyed writes the ledger's opening, then n allocations under keys
// prefix0…, each key's request hash "h-<key>", and answers what each key
// was answered with.
func writeKeyed(t *testing.T, m *Manager, prefix string, n int, open bool) map[string]Result {
	t.Helper()
	if open {
		submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})
	}
	out := map[string]Result{}
	for i := range n {
		key := fmt.Sprint(prefix, i)
		out[key] = keyed(t, m, key, allocate("F-"+key))
	}
	return out
}

// answersOriginals retries every key with its request and checks it answers
// the original commit, writing nothing.
func answersOriginals(t *testing.T, m *Manager, written map[string]Result) {
	t.Helper()
	head, _, _ := m.Head(context.Background(), code)
	for key, want := range written {
		res := keyed(t, m, key, allocate("ignored"))
		if !res.Replayed || res.Seq != want.Seq || res.Hash != want.Hash || len(res.Events) != 1 {
			t.Fatalf("retry of %s answered seq %d %s replayed %v, want the original seq %d %s", key, res.Seq, res.Hash, res.Replayed, want.Seq, want.Hash)
		}
	}
	if now, _, _ := m.Head(context.Background(), code); now != head {
		t.Fatalf("retries moved the head from %d to %d", head, now)
	}
}

func conflicts(t *testing.T, m *Manager, key string) {
	t.Helper()
	_, err := m.Submit(context.Background(), code, Request{Command: allocate("X-" + key), Actor: "t", IdempotencyKey: key, RequestHash: "another body"})
	if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Code != ErrIdempotencyConflict.Code {
		t.Fatalf("%s reused with another request: %v, want idempotency_conflict", key, err)
	}
}

// outOfRAM fails unless the key is held by the index only.
func outOfRAM(t *testing.T, m *Manager, key string) {
	t.Helper()
	w := loaded(t, m)
	if _, ok := w.keys.ram[key]; ok {
		t.Fatalf("key %s, older than the window, is still in RAM", key)
	}
	if _, ok, err := w.keys.idx.get(code, key); !ok || err != nil {
		t.Fatalf("key %s is not in the index: %v", key, err)
	}
}

func markOf(t *testing.T, dir string) (uint64, string) {
	t.Helper()
	x, err := OpenKeyIndex(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	seq, hash, err := x.mark(code)
	if err != nil {
		t.Fatal(err)
	}
	return seq, hash
}

// TestKeyOlderThanTheWindowAnswersTheOriginalAfterARestart: after a restart
// the keys older than the window are in the index only (not in RAM nor in
// the writer snapshot), and a retry of any of them answers the original; a
// reused key with another body conflicts; a new key is a new write.
func TestKeyOlderThanTheWindowAnswersTheOriginalAfterARestart(t *testing.T) {
	d := newKeyDirs(t)
	store := openNATS(t, d.store)
	defer store.Close()
	m := d.manager(store)
	written := writeKeyed(t, m, "k", 20, true)
	m.Close()

	if s := newestSnapOf(t, d.snaps); s.Seq != 21 || s.KeysFrom <= 1 || len(s.keys) >= 10 {
		t.Fatalf("writer snapshot at %d holds %d keys from %d; want the window's only", s.Seq, len(s.keys), s.KeysFrom)
	}
	m = d.manager(store)
	defer m.Close()
	outOfRAM(t, m, "k0")
	outOfRAM(t, m, "k10")
	answersOriginals(t, m, written)
	conflicts(t, m, "k0")
	conflicts(t, m, "k19")
	if res := keyed(t, m, "new", allocate("NEW")); res.Replayed || res.Seq != 22 {
		t.Fatalf("a new key answered %+v, want a new write at 22", res)
	}
}

func newestSnapOf(t *testing.T, dir string) *writerSnap {
	t.Helper()
	sd := newSnapDir(dir)
	files := sd.files(code)
	if len(files) == 0 {
		t.Fatal("no writer snapshot")
	}
	s, err := sd.Read(files[0], code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDeletedKeyIndexIsRebuiltFromTheChain: with the index gone, the
// writer rebuilds it from the chain and still answers every old key.
func TestDeletedKeyIndexIsRebuiltFromTheChain(t *testing.T) {
	d := newKeyDirs(t)
	store := openNATS(t, d.store)
	defer store.Close()
	m := d.manager(store)
	written := writeKeyed(t, m, "k", 12, true)
	m.Close()
	if err := os.RemoveAll(d.keys); err != nil {
		t.Fatal(err)
	}
	m = d.manager(store)
	defer m.Close()
	outOfRAM(t, m, "k0")
	answersOriginals(t, m, written)
	conflicts(t, m, "k3")
}

// TestKeyIndexBehindTheChainIsCaughtUp: commits written while the index
// was not kept (its lost tail) are indexed from the store at open.
func TestKeyIndexBehindTheChainIsCaughtUp(t *testing.T) {
	d := newKeyDirs(t)
	store := openNATS(t, d.store)
	defer store.Close()
	m := d.manager(store)
	written := writeKeyed(t, m, "k", 8, true)
	m.Close()
	// The tail: written by a writer without the index (nor snapshots).
	m = NewManager(store, Options{Logger: quiet})
	for k, v := range writeKeyed(t, m, "t", 10, false) {
		written[k] = v
	}
	m.Close()
	if seq, _ := markOf(t, d.keys); seq != 9 {
		t.Fatalf("index mark %d before the restart, want 9 (behind the head 19)", seq)
	}

	m = d.manager(store)
	defer m.Close()
	if seq, hash := loaded(t, m).keys.markSeq, loaded(t, m).keys.markHash; seq != 19 || hash != written["t9"].Hash {
		t.Fatalf("index mark %d %s after open, want the head 19", seq, hash)
	}
	outOfRAM(t, m, "t1") // from the tail, older than the window: indexed at open
	answersOriginals(t, m, written)
	conflicts(t, m, "t2")
}

// TestKeyIndexFromAnotherHistoryIsNotTrusted: an index whose mark is ahead
// of the chain, or names another hash at its seq, is dropped and rebuilt:
// a key only the other history used is a new write here, never a replay.
func TestKeyIndexFromAnotherHistoryIsNotTrusted(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int // commits of this history after its opening
	}{{"ahead", 5}, {"another hash at its seq", 30}} {
		t.Run(tc.name, func(t *testing.T) {
			d := newKeyDirs(t)
			other := openNATS(t, filepath.Join(t.TempDir(), "other"))
			m := NewManager(other, Options{Logger: quiet, KeyIndexDir: d.keys, KeyWindow: keyWindow})
			submit(t, m, domain.OpenLedger{Code: code, Name: "别县"})
			keyed(t, m, "theirs", allocate("THEIRS"))
			writeKeyed(t, m, "o", 10, false)
			m.Close()
			other.Close()
			if seq, _ := markOf(t, d.keys); seq != 12 {
				t.Fatalf("other history's index mark %d, want 12", seq)
			}

			store := openNATS(t, d.store)
			defer store.Close()
			m = NewManager(store, Options{Logger: quiet})
			written := writeKeyed(t, m, "k", tc.n, true)
			m.Close()

			m = d.manager(store)
			defer m.Close()
			res := keyed(t, m, "theirs", allocate("MINE"))
			if res.Replayed || res.Seq != uint64(tc.n)+2 {
				t.Fatalf("a key only the other history used answered %+v, want a new write at %d", res, tc.n+2)
			}
			if _, err := m.Submit(context.Background(), code, Request{Command: allocate("O3"), Actor: "t", IdempotencyKey: "o3", RequestHash: "another body"}); err != nil {
				t.Fatalf("o3, used only by the other history: %v, want a new write", err)
			}
			answersOriginals(t, m, written)
			outOfRAM(t, m, "k0")
		})
	}
}

// crashChildEnv names the data dir of the child of TestCrashBeforeTheIndexWrite.
const crashChildEnv = "FUNDLEDGER_TEST_KEYS_CRASH_DIR"

// TestCrashBeforeTheIndexWrite: a writer killed (SIGKILL) after its groups
// were durable and acknowledged but before any reached the index leaves an
// index behind the chain; the next start indexes them from the store and
// every key answers its original.
func TestCrashBeforeTheIndexWrite(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	root := t.TempDir()
	d := keyDirs{filepath.Join(root, "store"), filepath.Join(root, "writer"), filepath.Join(root, "keys")}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashBeforeTheIndexWrite$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+root)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL\n%s", err, out)
	}
	if seq, _ := markOf(t, d.keys); seq > 1 {
		t.Fatalf("index mark %d after the crash, want at most the opening indexed", seq)
	}
	store := openNATS(t, d.store)
	defer store.Close()
	written := map[string]Result{}
	err = Walk(context.Background(), store, code, 0, func(c *domain.Commit) error {
		if c.IdempotencyKey != "" {
			written[c.IdempotencyKey] = Result{Seq: c.Seq, Hash: c.Hash}
		}
		return nil
	})
	if err != nil || len(written) != 15 {
		t.Fatalf("the child's chain holds %d keys (%v), want 15", len(written), err)
	}
	m := d.manager(store)
	defer m.Close()
	outOfRAM(t, m, "c0")
	answersOriginals(t, m, written)
	conflicts(t, m, "c1")
}

// crashChild writes 15 keyed commits with the indexer held (it waits for the
// lock of the ledger's part of the index), then kills itself.
func crashChild(root string) {
	store, err := flnats.Open(context.Background(), flnats.Options{DataDir: filepath.Join(root, "store"), Logger: quiet})
	if err != nil {
		panic(err)
	}
	m := keyDirs{filepath.Join(root, "store"), filepath.Join(root, "writer"), filepath.Join(root, "keys")}.manager(store)
	if _, err := m.Submit(context.Background(), code, Request{Command: domain.OpenLedger{Code: code, Name: "某县"}}); err != nil {
		panic(err)
	}
	w, err := m.writer(context.Background(), code, false)
	if err != nil {
		panic(err)
	}
	w.keys.imu.Lock() // no group reaches the index from here on
	for i := range 15 {
		key := fmt.Sprint("c", i)
		if _, err := m.Submit(context.Background(), code, Request{Command: allocate("F-" + key), Actor: "t", IdempotencyKey: key, RequestHash: "h-" + key}); err != nil {
			panic(err)
		}
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
