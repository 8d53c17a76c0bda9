package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Request is one command to write, with who asks and the idempotency key
// and request hash that make a retry safe.
type Request struct {
	Command        domain.Command
	Actor          string
	IdempotencyKey string // empty: no idempotency beyond caller-chosen ids
	RequestHash    string // identifies the request's content for the key
	// DryRun decides the command against the ledger as it stands and
	// answers the events it would write (Result.DryRun), writing nothing;
	// its idempotency key is ignored.
	DryRun bool
}

// Result is the answer to an accepted write.
type Result struct {
	Seq    uint64            `json:"seq"`
	Hash   string            `json:"hash"`
	Events []domain.RawEvent `json:"events"`
	// Replayed is true when the idempotency key had already been answered
	// and nothing new was written.
	Replayed bool `json:"-"`
	// DryRun is true for the answer to a dry run: Seq and Hash are the head
	// it was decided on, Events what it would have written.
	DryRun bool `json:"-"`
}

// Errors the writer adds to the domain's rejections.
var (
	ErrUnknownLedger       = &domain.Error{Kind: domain.KindNotFound, Code: "unknown_ledger", Message: "ledger is not open"}
	ErrIdempotencyConflict = &domain.Error{Kind: domain.KindDuplicate, Code: "idempotency_conflict", Message: "Idempotency-Key reused with another request"}
	ErrWriteConflict       = &domain.Error{Kind: domain.KindDuplicate, Code: "conflict", Message: "another writer appended to this ledger first"}
)

// maxGroupCommits and maxGroupBytes bound one group commit: one store
// message, well under the store's payload limit.
const (
	maxGroupCommits = 1000
	maxGroupBytes   = 4 << 20
)

// appendTimeout bounds one group's append, also during shutdown.
const appendTimeout = time.Minute

type outcome struct {
	res Result
	err error
}

type pending struct {
	req       Request
	done      chan outcome // buffered(1): the writer never blocks on a caller
	conflicts int          // appends of this command another writer beat
}

// keyEntry remembers what an idempotency key was answered with.
type keyEntry struct {
	requestHash string
	seq         uint64
	hash        string
}

// writer owns one ledger: only its goroutine touches state, keys and head.
type writer struct {
	code  string
	store eventstore.Store
	clock func() time.Time
	log   *slog.Logger
	obs   Observer
	queue chan *pending

	state    *domain.State
	keys     *keyTable // idempotency keys of durable commits (RAM, and the key index)
	head     uint64    // last durable commit
	headHash string
	headTime time.Time

	// The tip is the last staged commit: the durable head, or a commit
	// decided on top of an append still in flight. staging holds the
	// idempotency keys of commits staged but not yet durable.
	tip     uint64
	tipHash string
	tipTime time.Time
	staging map[string]*staged

	durable atomic.Pointer[headInfo] // latest durable head, for readers on other goroutines

	witness  *WitnessDir               // nil: no head witness (tests on the memory store)
	vouchers func() ([]Voucher, error) // what beside the store vouches for its history: witness, snapshots
	witKick  chan struct{}             // buffered(1): a new durable head to write down
	onDamage func(*Damage)             // tells the manager, which quarantines the ledger
	damaged  atomic.Pointer[Damage]    // set once the store is found damaged: nothing more is decided

	snaps     *snapDir // nil: no writer snapshots
	snapEvery uint64   // commits between two snapshots
	snapSeq   uint64   // seq of the last snapshot loaded or taken
	snapBusy  atomic.Bool
	snapWG    sync.WaitGroup // the snapshot file being written
}

// quarantine stops the writer deciding anything more; safe from any goroutine.
func (w *writer) quarantine(d *Damage) { w.damaged.CompareAndSwap(nil, d) }

type headInfo struct {
	seq  uint64
	hash string
}

// load rebuilds state, keys and head from the store, checking the chain,
// then checks the store against what was acknowledged before: the head
// witness, and the head this writer itself last saw durable (a reload after a
// failed append). A store behind either, or disagreeing, answers a *Damage.
func (w *writer) load(ctx context.Context) error {
	acked := w.durable.Load() // nil on the first load
	w.state = domain.NewState()
	w.keys.reset()
	w.head, w.headHash, w.headTime = 0, domain.GenesisHash, time.Time{}
	snap := w.newestSnapshot()
	if snap != nil && w.storeHolds(ctx, snap.Seq, snap.Hash) && w.keys.canStartFrom(snap) {
		// Start from the snapshot and replay the tail only, linked to the
		// snapshot's hash. Checking the whole chain is fundledger verify's
		// job.
		w.state = snap.state
		w.keys.ram, w.keys.from = snap.keys, snap.KeysFrom
		w.head, w.headHash, w.headTime = snap.Seq, snap.Hash, snap.Time
		w.snapSeq = snap.Seq
	}
	// A store that does not hold the snapshot's (seq, hash) is walked from
	// the start, so that the damage below names the last good commit.
	err := walkFrom(ctx, w.store, w.code, w.head+1, w.headHash, 0, func(c *domain.Commit, _ eventstore.Record) error {
		events, err := c.Decode()
		if err != nil {
			return &ChainError{c.Seq, err.Error()}
		}
		for _, e := range events {
			w.state.Apply(e)
		}
		w.keys.put(c)
		w.head, w.headHash, w.headTime = c.Seq, c.Hash, c.Time
		return nil
	})
	w.tip, w.tipHash, w.tipTime, w.staging = w.head, w.headHash, w.headTime, map[string]*staged{}
	w.publishHead()
	if d := damageOf(w.code, w.head, w.headHash, err); d != nil {
		return d
	}
	if err != nil {
		return err
	}
	var vouchers []Voucher
	if snap != nil {
		// A genuine snapshot vouches for the history it was built on: a
		// store behind it lost acknowledged commits.
		vouchers = append(vouchers, Voucher{Witness{w.code, snap.Seq, snap.Hash}, "writer snapshot"})
	}
	if acked != nil {
		vouchers = append(vouchers, Voucher{Witness{w.code, acked.seq, acked.hash}, "writer (acknowledged before this reload)"})
	}
	if w.vouchers != nil {
		more, err := w.vouchers()
		if err != nil {
			// What was vouched for is unknown: refused rather than trusted.
			return &Damage{Ledger: w.code, Seq: w.head, HeadHash: w.headHash, FirstBadSeq: w.head + 1, Reason: err.Error()}
		}
		vouchers = append(vouchers, more...)
	}
	for _, v := range vouchers {
		d, err := CheckWitness(ctx, w.store, w.code, w.head, w.headHash, v.Witness, v.What)
		if d != nil {
			return d
		}
		if d := damageOf(w.code, w.head, w.headHash, err); d != nil {
			return d
		}
		if err != nil {
			return err
		}
	}
	// Only now, the chain checked, is the key index checked against it.
	if err := w.keys.catchUp(ctx, w.store, w.head, w.headHash); err != nil {
		return err
	}
	w.keys.sweep(w.head)
	return nil
}

// writeWitness keeps the head witness up to date off the commit path: after
// each landed group it is nudged and writes the latest durable head (so a
// burst of groups costs one file write, and the witness only ever lags).
func (w *writer) writeWitness(ctx context.Context) {
	var written uint64
	write := func() {
		h := w.currentHead()
		if h.seq <= written {
			return
		}
		if err := w.witness.Write(Witness{w.code, h.seq, h.hash}); err != nil {
			w.log.Error("head witness not written", "ledger", w.code, "seq", h.seq, "err", err)
			return
		}
		written = h.seq
	}
	for {
		select {
		case <-w.witKick:
			write()
		case <-ctx.Done():
			write()
			return
		}
	}
}

// publishHead makes the head readable by other goroutines: an atomic
// pointer, so a reader never blocks the writer nor the writer a reader.
func (w *writer) publishHead() { w.durable.Store(&headInfo{w.head, w.headHash}) }

func (w *writer) currentHead() headInfo { return *w.durable.Load() }

// run serves the queue until ctx ends, keeping at most one append in
// flight: while the store writes one group (one message, one fsync), the
// commands that queued meanwhile are decided on top of it and become the
// next group, so deciding and hashing overlap the fsync.
func (w *writer) run(ctx context.Context) {
	var inFlight *flight
	var backlog []*pending // commands to decide before the queue
	for {
		if inFlight == nil && w.snapshotDue() {
			w.snapshot(false) // nothing is staged: the state is the head's
		}
		if inFlight == nil && len(backlog) == 0 {
			select {
			case <-ctx.Done():
				w.failQueued(ctx.Err())
				w.snapWG.Wait()
				w.snapshot(true) // a clean stop: the next start replays nothing
				return
			case first := <-w.queue:
				backlog = []*pending{first}
			}
		}
		var batch []*staged
		var size int
		// A snapshot is due: let the append in flight land with nothing
		// staged on top of it, so the state is the durable head's.
		drain := inFlight != nil && w.snapshotDue()
		if !drain {
			batch, backlog, size = w.stage(w.collect(backlog), 0)
		}
		if inFlight != nil {
			// Until the append lands, decide what arrives: the next group
			// grows with everything that queued during this fsync.
			var err error
		wait:
			for {
				select {
				case err = <-inFlight.done:
					break wait
				case p := <-w.queue:
					if drain || len(backlog) > 0 || len(batch) >= maxGroupCommits || size >= maxGroupBytes {
						backlog = append(backlog, p)
						continue
					}
					var more []*staged
					more, backlog, size = w.stage(w.collect([]*pending{p}), size)
					batch = append(batch, more...)
				}
			}
			redo, reloaded := w.land(ctx, inFlight, err)
			inFlight = nil
			if reloaded {
				// The state was reloaded from the store: what was decided on
				// top of the old state is void and is decided again.
				backlog = append(append(redo, waitersOf(batch)...), backlog...)
				continue
			}
		}
		if len(batch) > 0 {
			inFlight = w.launch(ctx, batch)
		}
	}
}

func (w *writer) failQueued(err error) {
	for {
		select {
		case p := <-w.queue:
			p.done <- outcome{err: fmt.Errorf("ledger %s is closing: %w", w.code, err)}
		default:
			return
		}
	}
}

// collect adds what is queued, without waiting, up to maxGroupCommits.
func (w *writer) collect(group []*pending) []*pending {
	for len(group) < maxGroupCommits {
		select {
		case p := <-w.queue:
			group = append(group, p)
		default:
			return group
		}
	}
	return group
}

// staged is a decided commit waiting for its append, with the callers it answers.
type staged struct {
	commit  *domain.Commit
	record  []byte
	waiters []*pending
}

// flight is a group whose append is under way.
type flight struct {
	batch []*staged
	start time.Time
	done  chan error
}

// launch appends a group in one store write, on its own goroutine.
func (w *writer) launch(ctx context.Context, batch []*staged) *flight {
	f := &flight{batch: batch, start: time.Now(), done: make(chan error, 1)}
	records := make([][]byte, len(batch))
	for i, s := range batch {
		records[i] = s.record
	}
	go func() {
		// A shutdown lets the append under way finish: its callers hear
		// the truth, and the next start finds what they were told.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appendTimeout)
		defer cancel()
		_, err := w.store.Append(actx, w.code, batch[0].commit.Seq-1, records)
		f.done <- err
	}()
	return f
}

// land settles an append. Durable: the head moves and every caller hears
// its commit. Failed: the state is reloaded from the store (an append that
// timed out may have been stored after all, and then it counts as durable);
// the callers hear the error, except those another writer beat for the
// first time, which land returns to be decided again.
func (w *writer) land(ctx context.Context, f *flight, err error) (redo []*pending, reloaded bool) {
	last := f.batch[len(f.batch)-1].commit
	if err != nil {
		reloaded = true
		ctx = context.WithoutCancel(ctx)
		if lerr := w.load(ctx); lerr != nil {
			w.log.Error("reload after failed append", "ledger", w.code, "err", lerr)
			var d *Damage
			if errors.As(lerr, &d) {
				// The store lost what it had acknowledged: nothing more is
				// decided here; every caller hears why.
				w.onDamage(d) // the manager quarantines this writer
				for _, p := range waitersOf(f.batch) {
					p.done <- outcome{err: d.Rejection()}
				}
				return nil, true
			}
		}
		if w.holds(ctx, last) {
			w.log.Warn("append reported an error but was stored", "ledger", w.code, "err", err)
			err = nil
		}
	}
	if err == nil {
		if w.head < last.Seq { // not already reloaded past it
			w.head, w.headHash, w.headTime = last.Seq, last.Hash, last.Time
			w.publishHead()
		}
		if w.witKick != nil {
			select {
			case w.witKick <- struct{}{}:
			default: // a write is already due; it will take this head
			}
		}
		w.obs.Committed(w.code, len(f.batch), time.Since(f.start))
		for _, s := range f.batch {
			if key := s.commit.IdempotencyKey; key != "" {
				w.keys.put(s.commit)
				delete(w.staging, key)
			}
			res := Result{Seq: s.commit.Seq, Hash: s.commit.Hash, Events: s.commit.Events}
			for i, p := range s.waiters {
				res.Replayed = i > 0
				p.done <- outcome{res: res}
			}
		}
		w.keys.landed(f.batch, w.head) // to the index off the commit path
		return nil, reloaded
	}
	conflict := errors.Is(err, eventstore.ErrConflict)
	if conflict {
		w.log.Warn("another writer appended first; deciding the group again", "ledger", w.code)
		err = ErrWriteConflict
	} else {
		err = fmt.Errorf("store append failed and the store does not hold it; nothing was written: %w", err)
	}
	for _, p := range waitersOf(f.batch) {
		if p.conflicts++; conflict && p.conflicts == 1 {
			redo = append(redo, p)
		} else {
			p.done <- outcome{err: err}
		}
	}
	return redo, true
}

// holds reports whether the store holds commit c as staged: the chain links
// every earlier commit into c's hash, so finding c's hash at c's sequence
// means the whole batch up to c is there.
func (w *writer) holds(ctx context.Context, c *domain.Commit) bool {
	switch {
	case w.head < c.Seq:
		return false
	case w.head == c.Seq:
		return w.headHash == c.Hash
	}
	found := false
	errStop := errors.New("stop")
	_ = w.store.Read(ctx, w.code, c.Seq, func(r eventstore.Record) error {
		if stored, err := domain.UnmarshalCommit(r.Data); err == nil {
			found = stored.Hash == c.Hash
		}
		return errStop
	})
	return found
}

func waitersOf(batch []*staged) []*pending {
	var out []*pending
	for _, s := range batch {
		out = append(out, s.waiters...)
	}
	return out
}

// stage decides commands in order on top of the tip. Rejections and
// replays of durable keys are answered at once; a key staged but not yet
// durable waits for that commit; accepted commands become staged commits,
// their events applied to the state. It stops once the group holds
// maxGroupBytes (size counts what the group held before) and returns the
// rest.
func (w *writer) stage(group []*pending, size int) (batch []*staged, leftover []*pending, _ int) {
	for i, p := range group {
		if size >= maxGroupBytes {
			return batch, group[i:], size
		}
		if d := w.damaged.Load(); d != nil {
			p.done <- outcome{err: d.Rejection()}
			continue
		}
		key := p.req.IdempotencyKey
		if p.req.DryRun {
			key = "" // a dry run is answered afresh each time and never replayed
		}
		if key != "" {
			if s, ok := w.staging[key]; ok {
				if s.commit.RequestHash != p.req.RequestHash {
					p.done <- outcome{err: idempotencyConflict(key)}
				} else {
					s.waiters = append(s.waiters, p)
				}
				continue
			}
			k, ok, err := w.keys.lookup(key)
			if err != nil { // whether the key was answered is unknown: nothing is written
				p.done <- outcome{err: err}
				continue
			}
			if ok {
				p.done <- w.replay(k, p.req)
				continue
			}
		}
		// Commit times never go backwards, so "as of a time" is a clean cut.
		t := w.tipTime
		if now := w.clock().UTC(); now.After(t) {
			t = now
		}
		// The business date: the command's own, never after the record day.
		cmd, date, err := domain.DateCommand(p.req.Command, t)
		if err != nil {
			p.done <- outcome{err: err}
			continue
		}
		events, err := domain.Decide(w.state, cmd)
		if err != nil {
			p.done <- outcome{err: err}
			continue
		}
		raw, err := domain.EncodeEvents(events)
		if err != nil {
			p.done <- outcome{err: err}
			continue
		}
		if p.req.DryRun {
			p.done <- outcome{res: Result{Seq: w.tip, Hash: w.tipHash, Events: raw, DryRun: true}}
			continue
		}
		c := &domain.Commit{Ledger: w.code, Seq: w.tip + 1, Time: t, Version: domain.CommitVersion, Date: date, Actor: p.req.Actor,
			Command: cmd.CommandName(), IdempotencyKey: key, RequestHash: p.req.RequestHash, Events: raw, PrevHash: w.tipHash}
		c.Seal()
		rec, err := c.Marshal()
		if err != nil {
			p.done <- outcome{err: err}
			continue
		}
		for _, e := range events {
			w.state.Apply(e)
		}
		w.tip, w.tipHash, w.tipTime = c.Seq, c.Hash, c.Time
		size += len(rec)
		s := &staged{commit: c, record: rec, waiters: []*pending{p}}
		if key != "" {
			w.staging[key] = s
		}
		batch = append(batch, s)
	}
	return batch, nil, size
}

func (w *writer) replay(k keyEntry, req Request) outcome {
	if k.requestHash != req.RequestHash {
		return outcome{err: idempotencyConflict(req.IdempotencyKey)}
	}
	// Events are fetched by the caller, off the writer's goroutine.
	return outcome{res: Result{Seq: k.seq, Hash: k.hash, Replayed: true}}
}

func idempotencyConflict(key string) error {
	return &domain.Error{Kind: domain.KindDuplicate, Code: ErrIdempotencyConflict.Code,
		Message: fmt.Sprintf("Idempotency-Key %q was already used for a different request; use a new key for a new request", key)}
}
