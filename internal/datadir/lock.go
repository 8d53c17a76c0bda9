// Package datadir guards a fundledger data directory: one process at a time.
//
// The embedded JetStream store, the token file, the head witnesses and the
// projection snapshots all assume one owner. Two processes on one directory
// (an offline import beside a live serve, two serves) each believe their
// writes landed, and after the next restart one of them is gone. So every
// command that opens a data dir first takes an exclusive flock on its LOCK
// file and keeps it until it exits; the kernel drops the lock when the
// process dies, so a kill -9 never leaves a stale lock behind.
package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockName is the lock file inside a data dir; it holds the owner's pid.
const LockName = "LOCK"

// InUseError says another live process holds the data dir.
type InUseError struct {
	Dir string
	PID int // 0 when the owner did not write its pid yet
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("data dir %s is in use by pid %d", e.Dir, e.PID)
}

// NotFoundError says a data dir that must exist does not.
type NotFoundError struct{ Dir string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("data dir %s does not exist (an offline tool never creates one; check --data-dir)", e.Dir)
}

// Lock is a held data-dir lock.
type Lock struct{ f *os.File }

// Acquire takes the data dir's lock without waiting. With create, a missing
// dir is made (0700); without, it is a *NotFoundError. A dir held by another
// process is an *InUseError naming its pid.
func Acquire(dir string, create bool) (*Lock, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		return nil, &NotFoundError{dir}
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("data dir %s is not a directory", dir)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			b, _ := os.ReadFile(f.Name())
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return nil, &InUseError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("lock data dir %s: %w", dir, err)
	}
	// The pid is for the message a second process prints; the flock is
	// what excludes it.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release lets the next process in. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	return err
}
