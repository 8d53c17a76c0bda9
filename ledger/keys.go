package ledger

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// defaultKeyWindow is how many of a ledger's newest commits keep their
// idempotency keys in RAM when the writer has a key index
// (Options.KeyWindow 0). The window is a count of commits, not a span of
// record time, because its purpose is to bound RAM: a day's window would
// hold a million keys after a bulk import. Correctness does not depend on
// it (an older key is answered from the index); it only decides which
// retries are answered without a disk lookup. Retries come seconds to
// minutes after the original, and 100,000 commits is minutes at the
// writer's top rate and days at a county's usual one.
const defaultKeyWindow = 100_000

// catchUpBatch is how many commits' keys catching the index up writes in
// one batch.
const catchUpBatch = 10_000

// keyTable is a writer's idempotency keys of durable commits. Without an
// index every key stays in RAM. With one, RAM holds the keys of the last
// window commits and every key the index does not hold yet; the rest are
// looked up in the index. Only the writer's goroutine touches ram; the
// indexer goroutine writes the index from the queue land fills.
type keyTable struct {
	ledger string
	window uint64
	idx    *KeyIndex // nil: every key stays in RAM

	ram map[string]keyEntry
	// from: RAM holds the key of every commit from this seq on (1: all).
	from      uint64
	lastSweep uint64

	indexed atomic.Uint64 // the index holds every key up to this commit

	mu    sync.Mutex // guards queue
	queue []indexGroup
	kick  chan struct{} // buffered(1): the queue has something

	imu      sync.Mutex // one writer of the ledger's part of the index at a time
	markSeq  uint64     // the index's mark, under imu
	markHash string
}

// indexGroup is a landed group's keys for the index: commits from..to,
// to's hash.
type indexGroup struct {
	from, to uint64
	hash     string
	entries  []keyRec
}

func newKeyTable(ledger string, idx *KeyIndex, window uint64) *keyTable {
	if window == 0 {
		window = defaultKeyWindow
	}
	return &keyTable{ledger: ledger, window: window, idx: idx, ram: map[string]keyEntry{}, from: 1, kick: make(chan struct{}, 1)}
}

// reset empties RAM and forgets what was queued, for a (re)load; the index
// is checked again by catchUp.
func (k *keyTable) reset() {
	k.ram, k.from, k.lastSweep = map[string]keyEntry{}, 1, 0
	k.mu.Lock()
	k.queue = nil
	k.mu.Unlock()
}

// canStartFrom reports whether a writer may start from snap's keys: a
// snapshot taken with an index holds only the newest keys, which is enough
// only with the index beside it.
func (k *keyTable) canStartFrom(snap *writerSnap) bool {
	return k.idx != nil || snap.KeysFrom <= 1
}

// lookup answers the entry of a durable key: from RAM, else the index.
func (k *keyTable) lookup(key string) (keyEntry, bool, error) {
	if e, ok := k.ram[key]; ok {
		return e, true, nil
	}
	if k.idx == nil {
		return keyEntry{}, false, nil
	}
	e, ok, err := k.idx.get(k.ledger, key)
	if err != nil {
		return keyEntry{}, false, fmt.Errorf("idempotency key index: %w", err)
	}
	return e, ok, nil
}

// put remembers a durable commit's key in RAM.
func (k *keyTable) put(c *domain.Commit) {
	if c.IdempotencyKey != "" {
		k.ram[c.IdempotencyKey] = keyEntry{c.RequestHash, c.Seq, c.Hash}
	}
}

// landed queues a durable group for the index and, every quarter window,
// drops from RAM the keys older than the window that the index holds.
func (k *keyTable) landed(batch []*staged, head uint64) {
	if k.idx == nil {
		return
	}
	g := indexGroup{from: batch[0].commit.Seq, to: batch[len(batch)-1].commit.Seq, hash: batch[len(batch)-1].commit.Hash}
	for _, s := range batch {
		if c := s.commit; c.IdempotencyKey != "" {
			g.entries = append(g.entries, keyRec{c.IdempotencyKey, keyEntry{c.RequestHash, c.Seq, c.Hash}})
		}
	}
	k.mu.Lock()
	k.queue = append(k.queue, g)
	k.mu.Unlock()
	select {
	case k.kick <- struct{}{}:
	default:
	}
	k.sweep(head)
}

// sweep drops from RAM the keys of commits older than the window, but
// never one the index does not hold yet.
func (k *keyTable) sweep(head uint64) {
	if k.idx == nil || head < k.window || head < k.lastSweep+k.window/4 {
		return
	}
	k.lastSweep = head
	cut := min(head-k.window, k.indexed.Load()) // keys up to cut leave RAM
	if cut < k.from {
		return
	}
	for key, e := range k.ram {
		if e.seq <= cut {
			delete(k.ram, key)
		}
	}
	k.from = cut + 1
}

// runIndexer writes landed groups to the index until ctx ends, then what
// is left.
func (k *keyTable) runIndexer(ctx context.Context, w *writer) {
	for {
		select {
		case <-k.kick:
			k.flush(w)
		case <-ctx.Done():
			k.flush(w)
			return
		}
	}
}

// flush writes the queued groups, one batch each. A group that does not
// follow the mark (the index was caught up past it, or a reload dropped
// what came between) is left out: the next catchUp indexes from the mark.
func (k *keyTable) flush(w *writer) {
	k.mu.Lock()
	queue := k.queue
	k.queue = nil
	k.mu.Unlock()
	if len(queue) == 0 {
		return
	}
	k.imu.Lock()
	defer k.imu.Unlock()
	for _, g := range queue {
		if g.to <= k.markSeq {
			continue
		}
		if g.from != k.markSeq+1 {
			w.log.Warn("idempotency key index: a group does not follow its mark; left to the next start",
				"ledger", k.ledger, "mark", k.markSeq, "from", g.from)
			return
		}
		if err := k.idx.write(k.ledger, g.entries, g.to, g.hash); err != nil {
			w.log.Error("idempotency key index not written; the keys stay in RAM", "ledger", k.ledger, "seq", g.to, "err", err)
			return
		}
		k.markSeq, k.markHash = g.to, g.hash
		k.indexed.Store(g.to)
	}
}

// catchUp checks the index's mark against the chain (head, headHash) and
// brings the index up to the head: a mark behind the head whose hash is the
// chain's is continued from the store; a mark ahead of the head, or with
// another hash at its seq, comes from another history and the ledger's part
// is dropped and rebuilt from the chain. Only then is the index looked in.
func (k *keyTable) catchUp(ctx context.Context, store eventstore.Store, head uint64, headHash string) error {
	if k.idx == nil {
		return nil
	}
	k.imu.Lock()
	defer k.imu.Unlock()
	seq, hash, err := k.idx.mark(k.ledger)
	if err != nil {
		return err
	}
	trusted := seq <= head
	if trusted && seq == head {
		trusted = hash == headHash || (seq == 0 && hash == "")
	} else if trusted && seq > 0 {
		c, err := readCommit(ctx, store, k.ledger, seq)
		if err != nil {
			return err
		}
		trusted = c.Hash == hash
	}
	if !trusted {
		if err := k.idx.drop(k.ledger); err != nil {
			return err
		}
		seq, hash = 0, ""
	}
	if seq == 0 {
		hash = domain.GenesisHash
	}
	if seq == head {
		k.markSeq, k.markHash = seq, hash
		k.indexed.Store(seq)
		return nil
	}
	var pending []keyRec
	last, lastHash := seq, hash
	write := func() error {
		if last == seq {
			return nil
		}
		if err := k.idx.write(k.ledger, pending, last, lastHash); err != nil {
			return err
		}
		pending, seq, hash = pending[:0], last, lastHash
		return nil
	}
	err = walkFrom(ctx, store, k.ledger, seq+1, hash, head, func(c *domain.Commit, _ eventstore.Record) error {
		if c.IdempotencyKey != "" {
			pending = append(pending, keyRec{c.IdempotencyKey, keyEntry{c.RequestHash, c.Seq, c.Hash}})
		}
		last, lastHash = c.Seq, c.Hash
		if last-seq >= catchUpBatch {
			return write()
		}
		return nil
	})
	if err == nil {
		err = write()
	}
	if err != nil {
		return fmt.Errorf("idempotency key index of ledger %s: %w", k.ledger, err)
	}
	if seq != head {
		return fmt.Errorf("idempotency key index of ledger %s reached %d, the head is %d", k.ledger, seq, head)
	}
	k.markSeq, k.markHash = seq, hash
	k.indexed.Store(seq)
	return nil
}
