// Package safefile writes the small files fundledger keeps beside its
// store (head witnesses, writer and projection snapshots, their keys) so
// that a crash leaves the old file or the new one, never a part, and so
// that files holding full ID and bank-card numbers are readable by their
// owner only (files 0600, directories 0700).
package safefile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// PrivateDir makes dir (and its parents) and tightens it to 0700: an
// existing directory made by an older version with 0755 is tightened too.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// WriteAtomic writes path through a 0600 temporary file in the same
// directory (named so that IsTemp recognises it), fsyncs it, renames it
// over path and fsyncs the directory.
func WriteAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Chmod(0o600)
	}
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
		return err
	}
	return SyncDir(dir)
}

// WriteBytes is WriteAtomic of the concatenation of parts.
func WriteBytes(path string, parts ...[]byte) error {
	return WriteAtomic(path, func(w io.Writer) error {
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// SyncDir makes a rename in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// IsTemp reports whether name is a temporary file WriteAtomic (or an
// older version) left behind in a crash.
func IsTemp(name string) bool {
	return strings.Contains(name, ".tmp-") || strings.HasSuffix(name, ".tmp")
}
