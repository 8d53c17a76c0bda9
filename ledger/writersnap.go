package ledger

import (
	"context"
	"time"
)

// defaultSnapshotEvery is how many commits a writer makes between two
// snapshots when Options.SnapshotEvery is zero: a restart after a crash
// replays at most about this many commits.
const defaultSnapshotEvery = 50_000

// newestSnapshot answers the ledger's newest genuine writer snapshot, or
// nil. A snapshot that fails its own check is discarded with a warning and
// an older one is tried.
func (w *writer) newestSnapshot() *writerSnap {
	if w.snaps == nil {
		return nil
	}
	for _, path := range w.snaps.files(w.code) {
		s, err := w.snaps.Read(path, w.code)
		if err == nil {
			return s
		}
		w.log.Warn("writer snapshot discarded", "ledger", w.code, "file", path, "err", err)
	}
	return nil
}

// storeHolds reports whether the store holds the commit (seq, hash).
func (w *writer) storeHolds(ctx context.Context, seq uint64, hash string) bool {
	head, err := w.store.Head(ctx, w.code)
	if err != nil || head < seq {
		return false
	}
	c, err := readCommit(ctx, w.store, w.code, seq)
	return err == nil && c.Hash == hash
}

// snapshotDue reports whether enough commits landed since the last snapshot.
func (w *writer) snapshotDue() bool {
	return w.snaps != nil && w.head >= w.snapSeq+w.snapEvery && !w.snapBusy.Load() && w.damaged.Load() == nil
}

// snapshot writes the writer's state at its durable head. It must be called
// on the writer's goroutine when nothing is staged (tip == head), so the
// state is exactly the head's. The body is encoded here; the file is
// written on another goroutine (wait: here, for a shutdown).
func (w *writer) snapshot(wait bool) {
	if w.snaps == nil || w.head == 0 || w.head <= w.snapSeq || w.tip != w.head || w.damaged.Load() != nil {
		return
	}
	w.snapWG.Wait() // one write at a time
	start := time.Now()
	seq := w.head
	body, err := encodeWriterSnap(writerSnapHeader{Ledger: w.code, Seq: seq, Hash: w.headHash, Time: w.headTime, KeysFrom: w.keys.from}, w.state, w.keys.ram)
	if err != nil {
		w.log.Error("writer snapshot not encoded", "ledger", w.code, "seq", seq, "err", err)
		return
	}
	w.snapSeq = seq
	encoded := time.Since(start)
	write := func() {
		if err := w.snaps.Write(w.code, seq, body); err != nil {
			w.log.Error("writer snapshot not written", "ledger", w.code, "seq", seq, "err", err)
			return
		}
		w.log.Info("writer snapshot written", "ledger", w.code, "seq", seq, "bytes", len(body),
			"encode", encoded, "took", time.Since(start))
	}
	if wait {
		write()
		return
	}
	w.snapBusy.Store(true)
	w.snapWG.Add(1)
	go func() {
		defer w.snapWG.Done()
		defer w.snapBusy.Store(false)
		write()
	}()
}

// WriterSnapshotVoucher answers the (seq, hash) of a ledger's newest
// genuine writer snapshot in dir (none if it has none), for readers that
// open a store themselves (verify, replay, export): a store behind it lost
// acknowledged history. Snapshots that fail their own check vouch for nothing.
func WriterSnapshotVoucher(dir, ledger string) []Voucher {
	d := newSnapDir(dir)
	for _, path := range d.files(ledger) {
		if s, err := d.Read(path, ledger); err == nil {
			return []Voucher{{Witness{ledger, s.Seq, s.Hash}, "writer snapshot"}}
		}
	}
	return nil
}
