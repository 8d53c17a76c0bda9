// Package safefile writes the small files fundledger keeps beside its
// store (head witnesses, writer and projection snapshots, their keys) so
// that a crash leaves the old file or the new one, never a part, and so
// that files holding full ID and bank-card numbers are readable by their
// owner only (files 0600, directories 0700).
package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// ReadKey reads a signing key kept as hex in path (snapshot keys); nil and
// no error when there is none yet. A file that is not a key of at least 32
// bytes is an error: what it signed cannot be trusted.
func ReadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s: not a key", path)
	}
	return key, nil
}

// LoadOrCreateKey answers the key in path, making its directory (0700) and
// a new random 32-byte key (0600) when there is none.
func LoadOrCreateKey(path string) ([]byte, error) {
	if err := PrivateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if key, err := ReadKey(path); key != nil || err != nil {
		return key, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, WriteBytes(path, []byte(hex.EncodeToString(key)+"\n"))
}
