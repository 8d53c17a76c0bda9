package projections

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fundledger/fundledger/internal/safefile"
)

// A snapshot file is the model as encodeModel writes it (the body) followed
// by one trailer line of fixed length:
//
//	{"sha256":"<hex of SHA-256 of the body>","hmac":"<hex>"}
//
// The SHA-256 of the body is exactly the model's Fingerprint, so a fresh
// fold of the log to the snapshot's seq can be compared with it without
// decoding the file (DeepCheck). The digest alone catches an accidental or
// naive edit; whoever edits on purpose recomputes it. The HMAC, keyed by a
// random secret kept beside the snapshots in a 0600 file (snapKeyFile),
// signs the digest, so a snapshot edited or planted by someone who cannot
// read that key is refused on load at the cost of one HMAC. Someone who can
// read the key can forge a snapshot; only a refold catches that, which is
// what `fundledger verify --deep` (DeepCheck) does.
type snapTrailer struct {
	SHA256 string `json:"sha256"`
	HMAC   string `json:"hmac"`
}

// trailerLen is the length of the trailer line, newline included.
var trailerLen = len(`{"sha256":"","hmac":""}`) + 2*sha256.Size*2 + 1

// snapKeyFile holds the key that signs the snapshots of one directory.
const snapKeyFile = "snapshot.key"

// macTag separates this use of the key from any other.
const macTag = "fundledger projection snapshot v2\n"

// badSnapshotError says a snapshot's bytes cannot be trusted: it does not
// decode, does not match its digest, or was not signed with this
// directory's key. Such a snapshot is discarded and the model rebuilt from
// the log; it says nothing about the log itself.
type badSnapshotError struct{ reason string }

func (e *badSnapshotError) Error() string { return "bad snapshot: " + e.reason }

func badSnapshot(format string, a ...any) error {
	return &badSnapshotError{reason: fmt.Sprintf(format, a...)}
}

func snapMAC(key, digest []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(macTag))
	mac.Write(digest)
	return mac.Sum(nil)
}

// writeSnapshot writes m as a signed snapshot and answers its digest (the
// model's fingerprint).
func writeSnapshot(w io.Writer, m *Model, key []byte) (string, error) {
	h := sha256.New()
	if err := encodeModel(io.MultiWriter(w, h), m); err != nil {
		return "", err
	}
	sum := h.Sum(nil)
	if _, err := fmt.Fprintf(w, `{"sha256":"%x","hmac":"%x"}`+"\n", sum, snapMAC(key, sum)); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum), nil
}

// snapCheck is what the bytes of one snapshot say about themselves, before
// anyone looks at the log.
type snapCheck struct {
	meta   snapMeta
	digest string // SHA-256 of the body as read, not as claimed
}

// readTrailer answers the trailer of a snapshot of size bytes.
func readTrailer(r io.ReaderAt, size int64) (snapTrailer, error) {
	var t snapTrailer
	if size <= int64(trailerLen) {
		return t, badSnapshot("%d bytes is too short to hold a body and its digest", size)
	}
	b := make([]byte, trailerLen)
	if _, err := r.ReadAt(b, size-int64(trailerLen)); err != nil {
		return t, err
	}
	if b[len(b)-1] != '\n' || json.Unmarshal(b, &t) != nil || len(t.SHA256) != 64 || len(t.HMAC) != 64 {
		return t, badSnapshot("no digest trailer")
	}
	return t, nil
}

// verifySnapshot checks a snapshot of size bytes against its digest and
// signature and, with decode, decodes it (nil model otherwise). Every
// failure that concerns the bytes is a *badSnapshotError.
func verifySnapshot(r io.ReaderAt, size int64, key []byte, decode bool) (*Model, snapCheck, error) {
	var chk snapCheck
	tr, err := readTrailer(r, size)
	if err != nil {
		return nil, chk, err
	}
	h := sha256.New()
	body := io.TeeReader(io.NewSectionReader(r, 0, size-int64(trailerLen)), h)
	var m *Model
	if decode {
		m, err = decodeModel(body)
		if err == nil {
			chk.meta = snapMeta{Ledger: m.st.Ledger, Seq: m.st.Seq, Hash: m.st.Hash, Time: m.st.Time, Events: m.st.Events, Format: snapFormat}
		}
	} else {
		err = json.NewDecoder(body).Decode(&chk.meta)
	}
	if err != nil {
		return nil, chk, badSnapshot("cannot be decoded: %v", err)
	}
	if _, err := io.Copy(io.Discard, body); err != nil { // the rest of the body, for the digest
		return nil, chk, err
	}
	sum := h.Sum(nil)
	chk.digest = hex.EncodeToString(sum)
	if chk.digest != tr.SHA256 {
		return nil, chk, badSnapshot("content does not match its digest (sha256 %s, recorded %s)", chk.digest, tr.SHA256)
	}
	// The signature covers the digest the trailer claims, which the check
	// above compared with the content: each check alone lets through what
	// the other catches.
	recorded, _ := hex.DecodeString(tr.SHA256)
	claimed, _ := hex.DecodeString(tr.HMAC)
	if key == nil {
		return nil, chk, badSnapshot("no key to check its signature (%s is missing)", snapKeyFile)
	}
	if !hmac.Equal(claimed, snapMAC(key, recorded)) {
		return nil, chk, badSnapshot("signature does not match this directory's key: it was not written here, or was edited")
	}
	if !decode && chk.meta.Format != snapFormat {
		return nil, chk, badSnapshot("format %d, want %d", chk.meta.Format, snapFormat)
	}
	return m, chk, nil
}

// verifyFile is verifySnapshot of a file.
func verifyFile(path string, key []byte, decode bool) (*Model, snapCheck, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, snapCheck{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, snapCheck{}, err
	}
	return verifySnapshot(f, st.Size(), key, decode)
}

// readKey answers the key of a snapshot directory, nil if it has none.
func readKey(dir string) ([]byte, error) { return safefile.ReadKey(filepath.Join(dir, snapKeyFile)) }

// loadOrCreateKey answers the directory's key, creating the directory and
// a new random key if there is none (dir "" : a key for this process only).
func loadOrCreateKey(dir string) ([]byte, error) {
	if dir == "" {
		key := make([]byte, 32)
		_, err := rand.Read(key)
		return key, err
	}
	return safefile.LoadOrCreateKey(filepath.Join(dir, snapKeyFile))
}

// writeBytes is a helper for in-memory snapshots.
func writeBytes(m *Model, key []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	d, err := writeSnapshot(&buf, m, key)
	return buf.Bytes(), d, err
}
