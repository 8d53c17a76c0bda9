package ledger

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/safefile"
)

// A writer snapshot lets a writer start from its state at a durable
// (seq, hash) and replay only the tail, instead of the whole chain. It is
// signed as the projection snapshots are (projections/snapfile.go): the
// body is followed by one trailer line
//
//	{"sha256":"<hex of SHA-256 of the body>","hmac":"<hex>"}
//
// whose HMAC, keyed by a random secret in a 0600 file beside the snapshots
// (writerKeyFile), signs the digest. A snapshot that does not match its
// digest or signature, or does not decode, is discarded with a warning and
// the writer falls back to an older one or to a full replay. A genuine
// snapshot is also a voucher: a store behind it, or holding another hash at
// its seq, is damaged, never re-based.
//
// The body is three parts, each ending in a newline:
//
//	header: {"format":4,"ledger":…,"seq":…,"hash":…,"time":…,"keys":N,"keys_from":F}
//	state:  domain.EncodeState (lines, ending in "end")
//	keys:   N lines `<request hash> <seq> <commit hash> <quoted key>`, by key
//
// The keys are those the writer held in RAM: the key of every commit from
// seq F on (F is 1 without a key index; with one, older keys are in the
// index, see keyTable). Format 1 held the state as one line of JSON, format
// 2 every key with no keys_from, format 3 the state's accounts by name in
// every write (state 1); a snapshot of another format is discarded (the
// writer replays), never read as this one.
const writerSnapFormat = 4

// writerKeyFile holds the key that signs a data dir's writer snapshots.
const writerKeyFile = "snapshot.key"

// writerMacTag separates this use of a key from any other.
const writerMacTag = "fundledger writer snapshot v1\n"

// writerSnapsKept bounds how many snapshots a ledger keeps: the newest, and
// one before it in case the newest turns out bad.
const writerSnapsKept = 2

var writerTrailerLen = len(`{"sha256":"","hmac":""}`) + 2*sha256.Size*2 + 1

type writerSnapHeader struct {
	Format int       `json:"format"`
	Ledger string    `json:"ledger"`
	Seq    uint64    `json:"seq"`
	Hash   string    `json:"hash"`
	Time   time.Time `json:"time"`
	Keys   int       `json:"keys"`
	// KeysFrom: the keys held are those of every commit from this seq on.
	KeysFrom uint64 `json:"keys_from"`
}

// writerSnap is what a snapshot holds.
type writerSnap struct {
	writerSnapHeader
	state *domain.State
	keys  map[string]keyEntry
}

// snapDir keeps the writer snapshots of a data dir: <dir>/<ledger>/<seq>.snap.
type snapDir struct {
	dir string
	mu  sync.Mutex // one key creation and one file write at a time
	key []byte
}

func newSnapDir(dir string) *snapDir { return &snapDir{dir: dir} }

func (d *snapDir) ledgerDir(ledger string) string { return filepath.Join(d.dir, ledger) }

// Ledgers lists the ledgers that have writer snapshots: a ledger whose
// stream vanished still has them and must be found damaged.
func (d *snapDir) Ledgers() []string {
	entries, _ := os.ReadDir(d.dir)
	var out []string
	for _, e := range entries {
		if e.IsDir() && eventstore.ValidLedgerCode(e.Name()) && len(d.files(e.Name())) > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

// files answers a ledger's snapshot files, newest first.
func (d *snapDir) files(ledger string) []string {
	entries, _ := os.ReadDir(d.ledgerDir(ledger))
	var out []string
	for _, e := range entries {
		name := e.Name()
		if seq, ok := strings.CutSuffix(name, ".snap"); ok && !e.IsDir() {
			if _, err := strconv.ParseUint(seq, 10, 64); err == nil {
				out = append(out, filepath.Join(d.ledgerDir(ledger), name))
			}
		}
	}
	slices.Sort(out) // names are zero-padded sequences
	slices.Reverse(out)
	return out
}

// signingKey answers the directory's key, creating it on first use when create.
func (d *snapDir) signingKey(create bool) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key != nil {
		return d.key, nil
	}
	path := filepath.Join(d.dir, writerKeyFile)
	load := safefile.ReadKey
	if create {
		load = safefile.LoadOrCreateKey
	}
	key, err := load(path)
	if err != nil {
		return nil, err
	}
	if key == nil { // none to check a snapshot with: it cannot be trusted
		return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	d.key = key
	return key, nil
}

func writerMAC(key, digest []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(writerMacTag))
	mac.Write(digest)
	return mac.Sum(nil)
}

// encodeWriterSnap encodes a snapshot body (without its trailer).
func encodeWriterSnap(h writerSnapHeader, state *domain.State, keys map[string]keyEntry) ([]byte, error) {
	var buf bytes.Buffer
	h.Format, h.Keys = writerSnapFormat, len(keys)
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	buf.Write(hb)
	buf.WriteByte('\n')
	if err := domain.EncodeState(&buf, state); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		e := keys[k]
		buf.WriteString(e.requestHash)
		buf.WriteByte(' ')
		buf.WriteString(strconv.FormatUint(e.seq, 10))
		buf.WriteByte(' ')
		buf.WriteString(e.hash)
		buf.WriteByte(' ')
		buf.WriteString(strconv.Quote(k))
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// Write stores a snapshot body signed, 0600 in a 0700 directory, and
// removes all but the newest writerSnapsKept of the ledger's snapshots.
func (d *snapDir) Write(ledger string, seq uint64, body []byte) error {
	key, err := d.signingKey(true)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	trailer := fmt.Sprintf(`{"sha256":"%x","hmac":"%x"}`+"\n", sum, writerMAC(key, sum[:]))
	dir := d.ledgerDir(ledger)
	if err := safefile.PrivateDir(dir); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := safefile.WriteBytes(filepath.Join(dir, fmt.Sprintf("%020d.snap", seq)), body, []byte(trailer)); err != nil {
		return err
	}
	files := d.files(ledger)
	for _, old := range files[min(len(files), writerSnapsKept):] {
		_ = os.Remove(old)
	}
	return nil
}

// badWriterSnap says a snapshot's bytes cannot be trusted.
type badWriterSnap struct{ reason string }

func (e *badWriterSnap) Error() string { return "bad writer snapshot: " + e.reason }

// Read checks a snapshot file against its digest and signature and decodes
// it; a failure about its bytes is a *badWriterSnap.
func (d *snapDir) Read(path, ledger string) (*writerSnap, error) {
	key, err := d.signingKey(false)
	if err != nil {
		return nil, &badWriterSnap{fmt.Sprintf("no key to check its signature: %v", err)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size <= int64(writerTrailerLen) {
		return nil, &badWriterSnap{fmt.Sprintf("%d bytes is too short", size)}
	}
	tb := make([]byte, writerTrailerLen)
	if _, err := f.ReadAt(tb, size-int64(writerTrailerLen)); err != nil {
		return nil, err
	}
	var tr struct{ SHA256, HMAC string }
	if tb[len(tb)-1] != '\n' || json.Unmarshal(tb, &tr) != nil || len(tr.SHA256) != 64 || len(tr.HMAC) != 64 {
		return nil, &badWriterSnap{"no digest trailer"}
	}
	recorded, _ := hex.DecodeString(tr.SHA256)
	claimed, _ := hex.DecodeString(tr.HMAC)
	if !hmac.Equal(claimed, writerMAC(key, recorded)) {
		return nil, &badWriterSnap{"signature does not match this data dir's key: it was not written here, or was edited"}
	}
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(io.NewSectionReader(f, 0, size-int64(writerTrailerLen)), h), 1<<20)
	s, derr := decodeWriterSnap(r, size-int64(writerTrailerLen))
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != tr.SHA256 {
		return nil, &badWriterSnap{fmt.Sprintf("content does not match its digest (sha256 %s, recorded %s)", got, tr.SHA256)}
	}
	if derr != nil {
		return nil, &badWriterSnap{"cannot be decoded: " + derr.Error()}
	}
	if s.Ledger != ledger || s.Format != writerSnapFormat || len(s.Hash) != 64 || s.Seq == 0 || s.KeysFrom == 0 {
		return nil, &badWriterSnap{fmt.Sprintf("header names ledger %q seq %d format %d", s.Ledger, s.Seq, s.Format)}
	}
	return s, nil
}

// decodeWriterSnap decodes a body of at most size bytes. A header of
// another format is refused before the rest is read as this one.
func decodeWriterSnap(r *bufio.Reader, size int64) (*writerSnap, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	s := &writerSnap{}
	if err := json.Unmarshal(line, &s.writerSnapHeader); err != nil {
		return nil, err
	}
	if s.Format != writerSnapFormat {
		return nil, fmt.Errorf("format %d, this build reads %d", s.Format, writerSnapFormat)
	}
	if s.Keys < 0 || int64(s.Keys) > size/4 {
		return nil, fmt.Errorf("%d keys cannot fit in %d bytes", s.Keys, size)
	}
	if s.state, err = domain.DecodeStateWithin(r, size); err != nil {
		return nil, err
	}
	s.keys = make(map[string]keyEntry, s.Keys)
	for range s.Keys {
		raw, err := r.ReadSlice('\n')
		if err != nil {
			return nil, fmt.Errorf("key line: %w", err)
		}
		line := string(raw[:len(raw)-1]) // one copy; the parts share it
		parts := strings.SplitN(line, " ", 4)
		if len(parts) != 4 {
			return nil, errors.New("bad key line")
		}
		seq, err := strconv.ParseUint(parts[1], 10, 64)
		if err != nil {
			return nil, err
		}
		k, err := strconv.Unquote(parts[3])
		if err != nil {
			return nil, err
		}
		s.keys[k] = keyEntry{requestHash: parts[0], seq: seq, hash: parts[2]}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, errors.New("bytes after the last key")
	}
	return s, nil
}
