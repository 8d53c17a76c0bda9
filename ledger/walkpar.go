package ledger

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// walkBatch is how many records one worker decodes at a time: large enough
// that channel hand-offs cost little next to JSON decoding.
const walkBatch = 256

// WalkDecoded is Walk for a whole ledger with the costly part spread over
// GOMAXPROCS goroutines: each commit's JSON, its own hash and decode (for
// example the commit's events) run in parallel, while the prev_hash links
// are checked and fn is called on the caller's goroutine, in order. It
// answers the same *ChainError as Walk for the first bad commit; an error
// from decode is returned as it is, for the first commit whose chain is good.
func WalkDecoded[T any](ctx context.Context, store eventstore.Store, ledger string,
	decode func(*domain.Commit) (T, error), fn func(*domain.Commit, T) error) error {
	type item struct {
		rec    eventstore.Record
		c      *domain.Commit
		v      T
		err    error // chain error found without the commit before
		hashOK bool
		decErr error
	}
	type batch struct {
		items []item
		done  chan struct{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(runtime.GOMAXPROCS(0), 1)
	work := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers+2)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				for i := range b.items {
					it := &b.items[i]
					it.c, it.err = checkOwn(ledger, it.rec)
					if it.err != nil {
						continue
					}
					it.hashOK = it.c.ComputeHash() == it.c.Hash
					if it.hashOK {
						it.v, it.decErr = decode(it.c)
					}
				}
				close(b.done)
			}
		}()
	}

	var readErr error
	go func() {
		defer func() {
			close(work)
			close(ordered)
		}()
		cur := &batch{done: make(chan struct{})}
		send := func() error {
			for _, ch := range []chan *batch{ordered, work} {
				select {
				case ch <- cur:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			cur = &batch{items: make([]item, 0, walkBatch), done: make(chan struct{})}
			return nil
		}
		readErr = store.Read(ctx, ledger, 1, func(r eventstore.Record) error {
			cur.items = append(cur.items, item{rec: r})
			if len(cur.items) == walkBatch {
				return send()
			}
			return nil
		})
		if readErr == nil && len(cur.items) > 0 {
			readErr = send()
		}
	}()

	err := func() error {
		prev := domain.GenesisHash
		for b := range ordered {
			select {
			case <-b.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			for i := range b.items {
				it := &b.items[i]
				switch {
				case it.err != nil:
					return it.err
				case it.c.PrevHash != prev:
					return &ChainError{it.rec.Seq, "prev_hash does not match the hash of the commit before it"}
				case !it.hashOK:
					return &ChainError{it.rec.Seq, "hash does not match its content: the stored commit was altered"}
				case it.decErr != nil:
					return it.decErr
				}
				prev = it.c.Hash
				if err := fn(it.c, it.v); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	cancel()
	// Drain so the reader and workers end before we answer.
	for range ordered {
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return readErr
}

// checkOwn is the part of checkLink that needs no other commit: the record
// decodes and names its ledger and sequence.
func checkOwn(ledger string, r eventstore.Record) (*domain.Commit, error) {
	c, err := domain.UnmarshalCommit(r.Data)
	if err != nil {
		return nil, &ChainError{r.Seq, "cannot be decoded: " + err.Error()}
	}
	switch {
	case c.Ledger != ledger:
		return nil, &ChainError{r.Seq, fmt.Sprintf("belongs to ledger %q", c.Ledger)}
	case c.Seq != r.Seq:
		return nil, &ChainError{r.Seq, fmt.Sprintf("says it is commit %d", c.Seq)}
	}
	return c, nil
}
