package ledger

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// KeyIndex keeps the idempotency keys of a data dir's ledgers on disk (an
// embedded pebble store, DATA_DIR/keys), so that a writer needs only the
// newest keys in RAM (see keyTable) and still answers a retry of any key,
// however old, with its original commit.
//
// The index is derived data. The chain holds every key (each commit carries
// its IdempotencyKey and RequestHash), so the index is written without
// fsync, off the commit path, and each ledger's part records the (seq, hash)
// of the last commit it is complete up to, in the same atomic batch as the
// keys of that commit. At open a writer checks that mark against the chain:
// behind, the missing commits are indexed from the store; ahead of the chain
// or another hash at its seq, the ledger's part is dropped and rebuilt from
// the chain. The index never vouches for history: the chain decides.
//
// Layout: 'm' ledger → uvarint seq, hash (the mark); 'k' ledger 0x00 key →
// uvarint seq, 32-byte commit hash, request hash (1 then 32 bytes when it
// is 64 hex digits, else 0 then the string as given).
type KeyIndex struct {
	db  *pebble.DB
	dir string
}

// OpenKeyIndex opens (creating) the index in dir. An index pebble cannot
// open is derived data: it is removed and made anew, and the writers
// rebuild it from their chains.
func OpenKeyIndex(dir string, log *slog.Logger) (*KeyIndex, error) {
	if log == nil {
		log = slog.Default()
	}
	open := func() (*pebble.DB, error) {
		opts := &pebble.Options{Logger: pebbleLogger{log}}
		for i := range opts.Levels {
			// Most lookups are of new keys: a bloom filter answers "not
			// here" without reading a block.
			opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		}
		return pebble.Open(dir, opts)
	}
	db, err := open()
	if err != nil {
		log.Warn("idempotency key index cannot be opened; removing it to rebuild from the chain", "dir", dir, "err", err)
		if rerr := os.RemoveAll(dir); rerr != nil {
			return nil, fmt.Errorf("open key index %s: %w (and cannot remove it: %v)", dir, err, rerr)
		}
		if db, err = open(); err != nil {
			return nil, fmt.Errorf("open key index %s: %w", dir, err)
		}
	}
	return &KeyIndex{db: db, dir: dir}, nil
}

// Close syncs what was written (a clean stop leaves nothing to re-index)
// and closes the store.
func (x *KeyIndex) Close() error {
	err := x.db.LogData(nil, pebble.Sync)
	return errors.Join(err, x.db.Close())
}

func markKey(ledger string) []byte { return append([]byte{'m'}, ledger...) }

func entryPrefix(ledger string) []byte { return append(append([]byte{'k'}, ledger...), 0) }

func entryKey(ledger, key string) []byte { return append(entryPrefix(ledger), key...) }

// mark answers the (seq, hash) the ledger's part is complete up to; 0 and
// "" when it has none.
func (x *KeyIndex) mark(ledger string) (uint64, string, error) {
	v, closer, err := x.db.Get(markKey(ledger))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", err
	}
	defer closer.Close()
	seq, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, "", nil // unreadable: treated as empty, then rebuilt
	}
	return seq, string(v[n:]), nil
}

// get answers the entry of a key, if the index holds it.
func (x *KeyIndex) get(ledger, key string) (keyEntry, bool, error) {
	v, closer, err := x.db.Get(entryKey(ledger, key))
	if errors.Is(err, pebble.ErrNotFound) {
		return keyEntry{}, false, nil
	}
	if err != nil {
		return keyEntry{}, false, err
	}
	defer closer.Close()
	e, err := decodeKeyEntry(v)
	if err != nil {
		return keyEntry{}, false, fmt.Errorf("key index entry of %q: %w", key, err)
	}
	return e, true, nil
}

// keyRec is one durable idempotency key.
type keyRec struct {
	key string
	keyEntry
}

// write adds entries and moves the ledger's mark to (seq, hash) in one
// atomic batch, without fsync: a lost tail is re-indexed from the chain.
func (x *KeyIndex) write(ledger string, entries []keyRec, seq uint64, hash string) error {
	b := x.db.NewBatch()
	defer b.Close()
	for _, e := range entries {
		if err := b.Set(entryKey(ledger, e.key), encodeKeyEntry(e.keyEntry), nil); err != nil {
			return err
		}
	}
	m := binary.AppendUvarint(nil, seq)
	if err := b.Set(markKey(ledger), append(m, hash...), nil); err != nil {
		return err
	}
	return b.Commit(pebble.NoSync)
}

// drop removes the ledger's part (entries and mark) in one batch.
func (x *KeyIndex) drop(ledger string) error {
	b := x.db.NewBatch()
	defer b.Close()
	start := entryPrefix(ledger)
	end := append(append([]byte{'k'}, ledger...), 1)
	if err := b.DeleteRange(start, end, nil); err != nil {
		return err
	}
	if err := b.Delete(markKey(ledger), nil); err != nil {
		return err
	}
	return b.Commit(pebble.NoSync)
}

func encodeKeyEntry(e keyEntry) []byte {
	v := binary.AppendUvarint(make([]byte, 0, 80), e.seq)
	v = appendHash(v, e.hash)
	return appendHash(v, e.requestHash)
}

// appendHash appends 1 and 32 bytes for 64 lower-case hex digits, else 0
// and the string as it is (last in a value, so no length is needed; the
// commit hash is always hex).
func appendHash(v []byte, h string) []byte {
	if len(h) == 64 {
		var raw [32]byte
		if _, err := hex.Decode(raw[:], []byte(h)); err == nil && hex.EncodeToString(raw[:]) == h {
			return append(append(v, 1), raw[:]...)
		}
	}
	return append(append(v, 0), h...)
}

func decodeKeyEntry(v []byte) (keyEntry, error) {
	seq, n := binary.Uvarint(v)
	if n <= 0 || len(v) < n+33 || v[n] != 1 {
		return keyEntry{}, errors.New("bad entry")
	}
	e := keyEntry{seq: seq, hash: hex.EncodeToString(v[n+1 : n+33])}
	rest := v[n+33:]
	switch {
	case len(rest) == 33 && rest[0] == 1:
		e.requestHash = hex.EncodeToString(rest[1:])
	case len(rest) >= 1 && rest[0] == 0:
		e.requestHash = string(rest[1:])
	default:
		return keyEntry{}, errors.New("bad request hash")
	}
	return e, nil
}

// pebbleLogger sends pebble's messages to slog, at debug for its chatter.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("key index: " + fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("key index: " + fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.Error("key index: fatal: " + msg)
	panic("key index: " + msg)
}
