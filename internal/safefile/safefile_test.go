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
