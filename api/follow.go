package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// The follow hub exists because every store subscription costs the store a
// consumer, and a JetStream stream holds at most 1,000 of them: when each
// live follower of GET …/events (Server-Sent Events) opened its own, 1,000
// dashboards on one county used the stream up, and every other read that
// needs a consumer (/verify, as_of reads, idempotent retries) failed. So:
//
//   - Live followers of one ledger share ONE Store.Follow, started when the
//     first follower arrives and stopped when the last one leaves; the hub
//     decodes each commit once and hands it to every follower.
//   - A follower that starts behind the live point reads its backlog with
//     bounded Store.Read calls (chunks, at most backlogReaders at a time in
//     the whole server), then joins the feed; sequence numbers remove the
//     overlap and fill any gap, so it sees every commit once, in order.
//   - Each follower has a buffer of followerBuffer commits. The feed never
//     waits for a follower: one whose buffer is full (a client that stopped
//     reading) is dropped and its connection closed, so it can neither slow
//     the others nor grow memory. An EventSource reconnects by itself with
//     Last-Event-ID and continues where it was.
//   - At most MaxFollowers follow at once per server; past it, 503 with
//     Retry-After before any store work.

// Follower limits.
const (
	// MaxFollowers bounds the live event streams one server holds at once,
	// over all ledgers. Each costs a connection, a goroutine and a buffer
	// (no store consumer: see above); 1,000 is far above what a county's
	// finance bureau, auditors and dashboards open, and small enough that
	// their buffers stay a few MiB.
	MaxFollowers = 1000
	// FollowRetryAfter is the Retry-After, in seconds, of a follower
	// refused because the server is full.
	FollowRetryAfter = 10
	// followerBuffer is how many commits a follower may trail the feed
	// before it is dropped. Commits are shared, so a slot costs a pointer.
	followerBuffer = 1024
	// backlogReaders bounds the backlog reads running at once: each may
	// hold a store consumer for the length of one chunk.
	backlogReaders = 4
	// backlogChunk and backlogChunkBytes bound one backlog read: the chunk
	// is read into memory, the consumer released, then the chunk written to
	// the client, so a slow client never holds a consumer.
	backlogChunk      = 1000
	backlogChunkBytes = 4 << 20
)

// Why a follower's stream was ended by the hub.
var (
	errFollowerTooSlow = errors.New("the follower fell behind by more than its buffer")
	errFollowShutdown  = errors.New("the server is shutting down")
)

// liveCommit is one commit as the feed hands it to every follower: decoded
// once, with its unfiltered JSON view made once. Followers only read it.
type liveCommit struct {
	commit *domain.Commit
	full   []byte // JSON of the commit's view without a filter
}

// follower is one live stream's place in a feed.
type follower struct {
	ch  chan *liveCommit // closed by the hub when it ends the follower
	err error            // why the hub ended it; set before ch is closed
}

// feed is the one store subscription of a ledger.
type feed struct {
	code      string
	cancel    context.CancelFunc
	followers map[*follower]struct{}
}

// followHub counts followers and owns the feeds. One mutex guards it all:
// fanning a commit out is a non-blocking send per follower.
type followHub struct {
	store   eventstore.Store
	log     *slog.Logger
	max     int
	backlog chan struct{} // semaphore of backlog reads

	mu     sync.Mutex
	count  int // admitted followers: catching up or live
	feeds  map[string]*feed
	closed bool

	dropped atomic.Uint64 // followers ended for falling behind
	refused atomic.Uint64 // followers turned away at the cap
}

func newFollowHub(store eventstore.Store, log *slog.Logger, limit int) *followHub {
	return &followHub{store: store, log: log, max: limit, backlog: make(chan struct{}, backlogReaders),
		feeds: map[string]*feed{}}
}

// admit takes a follower's place, answering an error to send the client
// (503 with Retry-After) if the server is full or shutting down.
func (h *followHub) admit() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return &Error{Status: 503, Code: "unavailable", Message: "the server is shutting down; retry shortly", RetryAfter: 1}
	case h.count >= h.max:
		h.refused.Add(1)
		return &Error{Status: 503, Code: "too_many_followers", RetryAfter: FollowRetryAfter,
			Message: fmt.Sprintf("this server already streams events to %d followers, its limit; retry later", h.max)}
	}
	h.count++
	return nil
}

// leave gives back a place taken by admit.
func (h *followHub) leave() {
	h.mu.Lock()
	h.count--
	h.mu.Unlock()
}

// stats answers the admitted followers and the running feeds.
func (h *followHub) stats() (followers, feeds int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count, len(h.feeds)
}

// join adds a follower to the ledger's feed, starting the feed at from if
// the ledger has none. It answers nil once the hub is closed.
func (h *followHub) join(code string, from uint64) *follower {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	fl := &follower{ch: make(chan *liveCommit, followerBuffer)}
	f := h.feeds[code]
	if f == nil {
		ctx, cancel := context.WithCancel(context.Background())
		f = &feed{code: code, cancel: cancel, followers: map[*follower]struct{}{}}
		h.feeds[code] = f
		go h.run(ctx, f, from)
	}
	f.followers[fl] = struct{}{}
	return fl
}

// part removes a follower from its feed (if the hub has not already ended
// it); the last one out stops the feed.
func (h *followHub) part(code string, fl *follower) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f := h.feeds[code]; f != nil {
		if _, ok := f.followers[fl]; ok {
			delete(f.followers, fl)
			h.stopIfIdle(f)
		}
	}
}

// end ends one follower with err. The caller holds h.mu.
func (h *followHub) end(f *feed, fl *follower, err error) {
	delete(f.followers, fl)
	fl.err = err
	close(fl.ch)
}

// stopIfIdle stops a feed nobody follows. The caller holds h.mu.
func (h *followHub) stopIfIdle(f *feed) {
	if len(f.followers) == 0 && h.feeds[f.code] == f {
		delete(h.feeds, f.code)
		f.cancel()
	}
}

// close ends every follower and feed: shutdown.
func (h *followHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, f := range h.feeds {
		for fl := range f.followers {
			h.end(f, fl, errFollowShutdown)
		}
		f.cancel()
	}
	clear(h.feeds)
}

// run is a feed's one Store.Follow. Each commit is decoded once and offered
// to every follower without waiting; a follower whose buffer is full is
// ended. When the subscription fails, its followers are ended with the
// reason (their clients reconnect with Last-Event-ID).
func (h *followHub) run(ctx context.Context, f *feed, from uint64) {
	var unfiltered eventFilter
	err := h.store.Follow(ctx, f.code, from, func(r eventstore.Record) error {
		cm, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return err
		}
		v, _ := unfiltered.view(cm)
		full, err := json.Marshal(v)
		if err != nil {
			return err
		}
		lc := &liveCommit{commit: cm, full: full}
		h.mu.Lock()
		defer h.mu.Unlock()
		for fl := range f.followers {
			select {
			case fl.ch <- lc:
			default:
				h.dropped.Add(1)
				h.end(f, fl, errFollowerTooSlow)
			}
		}
		h.stopIfIdle(f)
		return ctx.Err()
	})
	if ctx.Err() != nil {
		return // stopped: no followers left, or shutdown
	}
	h.log.Warn("event feed ended", "ledger", f.code, "err", err)
	if err == nil {
		err = errors.New("the store ended the subscription")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for fl := range f.followers {
		h.end(f, fl, err)
	}
	h.stopIfIdle(f)
}

// readBacklog reads one chunk of the ledger's commits from from: at most
// backlogChunk commits or about backlogChunkBytes, and never past the head
// at call time. It holds one of the backlogReaders places while the store
// reads, none while the caller writes the chunk to its client.
func (h *followHub) readBacklog(ctx context.Context, code string, from uint64) (chunk []*domain.Commit, full bool, err error) {
	select {
	case h.backlog <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	defer func() { <-h.backlog }()
	size := 0
	err = h.store.Read(ctx, code, from, func(r eventstore.Record) error {
		if len(chunk) == backlogChunk || size >= backlogChunkBytes {
			full = true
			return errPageFull
		}
		cm, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return err
		}
		chunk = append(chunk, cm)
		size += len(r.Data)
		return nil
	})
	if errors.Is(err, errPageFull) {
		err = nil
	}
	return chunk, full, err
}
