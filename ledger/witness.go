package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/safefile"
)

// A head witness is a small file beside the store, one per ledger, holding the
// last (seq, hash) the writer saw acknowledged. The store alone cannot tell
// that its tail is gone: a truncated or deleted JetStream block leaves an
// older head that verifies. The witness can, because it remembers what was
// promised to callers. It is written after the store acknowledged (so it may
// lag the store, never lead it), by temp file, fsync and rename.
type Witness struct {
	Ledger string `json:"ledger"`
	Seq    uint64 `json:"seq"`
	Hash   string `json:"hash"`
}

// WitnessDir keeps the head witnesses of a data dir's ledgers.
type WitnessDir struct {
	dir string
	mu  sync.Mutex // one file write at a time per directory is plenty
}

// NewWitnessDir answers the witnesses kept in dir, created 0700 on the first write.
func NewWitnessDir(dir string) *WitnessDir { return &WitnessDir{dir: dir} }

func (d *WitnessDir) path(ledger string) string { return filepath.Join(d.dir, ledger+".json") }

// Read answers a ledger's witness; ok is false when it has none.
func (d *WitnessDir) Read(ledger string) (w Witness, ok bool, err error) {
	b, err := os.ReadFile(d.path(ledger))
	if errors.Is(err, fs.ErrNotExist) {
		return w, false, nil
	}
	if err != nil {
		return w, false, err
	}
	if err := json.Unmarshal(b, &w); err != nil || w.Ledger != ledger || len(w.Hash) != 64 {
		// An unreadable witness is itself damage: what it vouched for is
		// unknown, so the ledger is refused rather than trusted.
		return w, true, fmt.Errorf("head witness %s is unreadable (%v)", d.path(ledger), err)
	}
	return w, true, nil
}

// Write stores w durably: temp file, fsync, rename, fsync of the directory.
func (d *WitnessDir) Write(w Witness) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := safefile.PrivateDir(d.dir); err != nil {
		return err
	}
	b, _ := json.Marshal(w)
	return safefile.WriteBytes(d.path(w.Ledger), b, []byte("\n"))
}

// Ledgers lists the ledgers that have a witness: a ledger whose whole stream
// vanished still has one, and must be found damaged, not forgotten.
func (d *WitnessDir) Ledgers() ([]string, error) {
	entries, err := os.ReadDir(d.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		code, ok := strings.CutSuffix(e.Name(), ".json")
		if ok && !e.IsDir() && eventstore.ValidLedgerCode(code) {
			out = append(out, code)
		}
	}
	return out, nil
}
