package datadir

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSecondHolderIsRefusedWithThePID(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	// flock excludes other open file descriptions, in this process too.
	_, err = Acquire(dir, false)
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() {
		t.Fatalf("second Acquire: %v, want in use by pid %d", err, os.Getpid())
	}
	if want := "data dir " + dir + " is in use by pid " + strconv.Itoa(os.Getpid()); err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir, false)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}

func TestAnotherProcessIsRefused(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	dir := t.TempDir()
	l, err := Acquire(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	out, err := exec.Command("flock", "-n", filepath.Join(dir, LockName), "true").CombinedOutput()
	if err == nil {
		t.Fatalf("flock(1) took a held lock: %s", out)
	}
}

func TestMissingDirIsNeverCreatedWithoutCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := Acquire(dir, false)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("got %v, want NotFoundError", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dir was created: %v", err)
	}
	l, err := Acquire(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("created dir: %v mode %v", err, st.Mode())
	}
}
