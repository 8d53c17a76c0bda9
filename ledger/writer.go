package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
}

// Result is the answer to an accepted write.
type Result struct {
	Seq    uint64            `json:"seq"`
	Hash   string            `json:"hash"`
	Events []domain.RawEvent `json:"events"`
	// Replayed is true when the idempotency key had already been answered
	// and nothing new was written.
	Replayed bool `json:"-"`
}

// Errors the writer adds to the domain's rejections.
var (
	ErrUnknownLedger       = &domain.Error{Kind: domain.KindNotFound, Code: "unknown_ledger", Message: "ledger is not open"}
	ErrIdempotencyConflict = &domain.Error{Kind: domain.KindDuplicate, Code: "idempotency_conflict", Message: "Idempotency-Key reused with another request"}
	ErrWriteConflict       = &domain.Error{Kind: domain.KindDuplicate, Code: "conflict", Message: "another writer appended to this ledger first"}
	ErrCorrupt             = &domain.Error{Kind: domain.KindRule, Code: "ledger_corrupt", Message: "the ledger's hash chain is broken"}
)

// maxGroupCommits and maxGroupBytes bound one group commit: one store
// message, well under the store's payload limit.
const (
	maxGroupCommits = 1000
	maxGroupBytes   = 4 << 20
)

type outcome struct {
	res Result
	err error
}

type pending struct {
	req  Request
	done chan outcome // buffered(1): the writer never blocks on a caller
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
	keys     map[string]keyEntry
	head     uint64
	headHash string
	headTime time.Time

	durable atomic.Pointer[headInfo] // latest durable head, for readers on other goroutines
}

type headInfo struct {
	seq  uint64
	hash string
}

// load rebuilds state, keys and head from the store, checking the chain.
func (w *writer) load(ctx context.Context) error {
	w.state, w.keys = domain.NewState(), map[string]keyEntry{}
	w.head, w.headHash, w.headTime = 0, domain.GenesisHash, time.Time{}
	err := Walk(ctx, w.store, w.code, 0, func(c *domain.Commit) error {
		events, err := c.Decode()
		if err != nil {
			return &ChainError{c.Seq, err.Error()}
		}
		for _, e := range events {
			w.state.Apply(e)
		}
		if c.IdempotencyKey != "" {
			w.keys[c.IdempotencyKey] = keyEntry{c.RequestHash, c.Seq, c.Hash}
		}
		w.head, w.headHash, w.headTime = c.Seq, c.Hash, c.Time
		return nil
	})
	w.publishHead()
	return err
}

// publishHead makes the head readable by other goroutines: an atomic
// pointer, so a reader never blocks the writer nor the writer a reader.
func (w *writer) publishHead() { w.durable.Store(&headInfo{w.head, w.headHash}) }

func (w *writer) currentHead() headInfo { return *w.durable.Load() }

// run serves the queue until ctx ends. Commands that arrive while an append
// is in flight wait in the queue and form the next group: one fsync for all.
func (w *writer) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			w.failQueued(ctx.Err())
			return
		case first := <-w.queue:
			w.commitGroup(ctx, w.collect(first))
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

func (w *writer) collect(first *pending) []*pending {
	group := []*pending{first}
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

// commitGroup decides each command in turn against the state including the
// commits staged before it, appends all staged commits in one store write,
// and answers every caller. If the store refuses because another writer got
// there first, the state is reloaded and the group decided once more.
func (w *writer) commitGroup(ctx context.Context, group []*pending) {
	for attempt := 0; ; attempt++ {
		batch, leftover := w.stage(group)
		if len(batch) == 0 {
			return
		}
		records := make([][]byte, len(batch))
		for i, s := range batch {
			records[i] = s.record
		}
		start := time.Now()
		_, err := w.store.Append(ctx, w.code, batch[0].commit.Seq-1, records)
		if err == nil {
			last := batch[len(batch)-1].commit
			w.head, w.headHash, w.headTime = last.Seq, last.Hash, last.Time
			w.publishHead()
			w.obs.Committed(w.code, len(batch), time.Since(start))
		} else {
			// The append failed: rebuild state from the store. A timeout
			// may hide an append that was stored after all; then the
			// callers are told the truth, which is success.
			if lerr := w.load(ctx); lerr != nil {
				w.log.Error("reload after failed append", "ledger", w.code, "err", lerr)
			}
			if w.holds(ctx, batch[len(batch)-1].commit) {
				w.log.Warn("append reported an error but was stored", "ledger", w.code, "err", err)
				err = nil
			}
		}
		if err == nil {
			answer(batch)
			if len(leftover) > 0 {
				group, attempt = leftover, -1
				continue
			}
			return
		}
		conflict := errors.Is(err, eventstore.ErrConflict)
		if conflict && attempt == 0 {
			w.log.Warn("another writer appended first; deciding the group again", "ledger", w.code)
			group = waitersOf(batch, leftover)
			continue
		}
		if conflict {
			err = ErrWriteConflict
		} else {
			err = fmt.Errorf("store append failed and the store does not hold it; nothing was written: %w", err)
		}
		for _, p := range waitersOf(batch, leftover) {
			p.done <- outcome{err: err}
		}
		return
	}
}

// answer tells every caller of a durable batch its commit.
func answer(batch []staged) {
	for _, s := range batch {
		res := Result{Seq: s.commit.Seq, Hash: s.commit.Hash, Events: s.commit.Events}
		for i, p := range s.waiters {
			res.Replayed = i > 0
			p.done <- outcome{res: res}
		}
	}
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

func waitersOf(batch []staged, leftover []*pending) []*pending {
	var out []*pending
	for _, s := range batch {
		out = append(out, s.waiters...)
	}
	return append(out, leftover...)
}

// stage decides commands in order. Rejections and idempotent replays are
// answered at once; accepted commands become staged commits, their events
// applied to the state. It stops at maxGroupBytes and returns the rest.
func (w *writer) stage(group []*pending) (batch []staged, leftover []*pending) {
	byKey := map[string]int{} // idempotency key → index in batch
	size := 0
	seq, prev, t := w.head, w.headHash, w.headTime
	for i, p := range group {
		if size >= maxGroupBytes {
			return batch, group[i:]
		}
		key := p.req.IdempotencyKey
		if key != "" {
			// A key staged in this group is answered with that commit
			// once it is durable; a key from an earlier group at once.
			if j, ok := byKey[key]; ok {
				if batch[j].commit.RequestHash != p.req.RequestHash {
					p.done <- outcome{err: idempotencyConflict(key)}
				} else {
					batch[j].waiters = append(batch[j].waiters, p)
				}
				continue
			}
			if k, ok := w.keys[key]; ok {
				p.done <- w.replay(k, p.req)
				continue
			}
		}
		events, err := domain.Decide(w.state, p.req.Command)
		if err != nil {
			p.done <- outcome{err: err}
			continue
		}
		raw, err := domain.EncodeEvents(events)
		if err != nil {
			p.done <- outcome{err: err}
			continue
		}
		// Commit times never go backwards, so "as of a time" is a clean cut.
		if now := w.clock().UTC(); now.After(t) {
			t = now
		}
		seq++
		c := &domain.Commit{Ledger: w.code, Seq: seq, Time: t, Actor: p.req.Actor, Command: p.req.Command.CommandName(),
			IdempotencyKey: key, RequestHash: p.req.RequestHash, Events: raw, PrevHash: prev}
		c.Seal()
		rec, err := c.Marshal()
		if err != nil {
			seq--
			p.done <- outcome{err: err}
			continue
		}
		for _, e := range events {
			w.state.Apply(e)
		}
		prev = c.Hash
		size += len(rec)
		if key != "" {
			byKey[key] = len(batch)
			w.keys[key] = keyEntry{p.req.RequestHash, c.Seq, c.Hash}
		}
		batch = append(batch, staged{commit: c, record: rec, waiters: []*pending{p}})
	}
	return batch, nil
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
