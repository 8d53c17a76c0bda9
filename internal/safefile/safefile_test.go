package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomicLeavesOldOrNewAndOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := PrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "f.json")
	if err := WriteBytes(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	// A failed write leaves the old file and no temporary behind.
	err := WriteAtomic(p, func(w io.Writer) error { _, _ = w.Write([]byte("half")); return errors.New("crash") })
	if err == nil {
		t.Fatal("a failed write reported success")
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if IsTemp(e.Name()) {
			t.Fatalf("temporary %s left behind", e.Name())
		}
	}
	if err := WriteBytes(p, []byte("n"), []byte("ew")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	dst, _ := os.Stat(dir)
	if b, _ := os.ReadFile(p); string(b) != "new" || st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Fatalf("file %q mode %v, dir mode %v", b, st.Mode().Perm(), dst.Mode().Perm())
	}
}

func TestKeysAreCreatedOnceOwnerOnlyAndCheckedWhenRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keys", "snapshot.key")
	if k, err := ReadKey(p); k != nil || err != nil {
		t.Fatalf("no key yet: %x %v", k, err)
	}
	k1, err := LoadOrCreateKey(p)
	if err != nil || len(k1) != 32 {
		t.Fatalf("create: %x %v", k1, err)
	}
	k2, err := LoadOrCreateKey(p)
	if err != nil || string(k2) != string(k1) {
		t.Fatalf("a second load made another key: %v", err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", st.Mode().Perm())
	}
	if err := os.WriteFile(p, []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKey(p); err == nil {
		t.Fatal("a 2-byte key was accepted")
	}
}
