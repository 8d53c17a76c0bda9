package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errInDoubt says a write's outcome is unknown: the connection broke.
var errInDoubt = errors.New("outcome unknown")

// send posts o until the server gives a definite answer. A 201 is recorded
// as acknowledged; a broken connection puts o in doubt (to be retried with
// the same key after the restart) and answers errInDoubt; any refusal is a
// harness or server bug, since every write is valid whatever else landed.
func send(ctx context.Context, c *client, b *book, o *op, stop <-chan struct{}) error {
	for {
		a, err := c.post(ctx, o.path, o.key, o.body)
		if err != nil {
			b.doubt(o)
			return errInDoubt
		}
		switch {
		case a.status == http.StatusCreated:
			if !b.acknowledge(o, a) {
				return fmt.Errorf("%s %s (key %s): a retry answered seq %d, not the acknowledged one", o.kind, o.id, o.key, a.seq)
			}
			return nil
		case a.status == http.StatusServiceUnavailable && a.code != "ledger_damaged":
			select { // the server is starting or stopping: the same key again, shortly
			case <-stop:
				b.doubt(o)
				return errInDoubt
			case <-ctx.Done():
				b.doubt(o)
				return errInDoubt
			case <-time.After(50 * time.Millisecond):
			}
		default:
			return fmt.Errorf("%s %s (key %s): %d %s", o.kind, o.id, o.key, a.status, a.body)
		}
	}
}

// load runs w writers against c until stop closes or a writer's connection
// breaks, each sending its own fresh writes one after another, and answers
// how many writes were acknowledged and the first refusal, if any.
func load(ctx context.Context, c *client, b *book, seed uint64, cycle, writers int, stop <-chan struct{}) (int64, error) {
	var (
		wg    sync.WaitGroup
		acked atomic.Int64
		once  sync.Once
		first error
	)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defer func() { // a panic must not skip the harness's kill of the child
				if p := recover(); p != nil {
					once.Do(func() { first = fmt.Errorf("writer %d panicked: %v", w, p) })
				}
			}()
			rng := rand.New(rand.NewPCG(seed, uint64(cycle)<<20|uint64(w)))
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				err := send(ctx, c, b, nextOp(rng, cycle, w, n), stop)
				if errors.Is(err, errInDoubt) {
					return // the server is gone; this writer's last write is in doubt
				}
				if err != nil {
					once.Do(func() { first = err })
					return
				}
				acked.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return acked.Load(), first
}

// resolve retries every write in doubt with its original key and body on the
// restarted server. The answer is 201 either way: replayed (the write had
// been durable before the kill) or written now (it had not). It answers how
// many were which.
func resolve(ctx context.Context, c *client, b *book) (durable, rewritten int, err error) {
	for _, o := range b.takeDoubts() {
		for attempt := 0; ; attempt++ {
			a, err := c.post(ctx, o.path, o.key, o.body)
			if err != nil {
				if attempt == 5 || ctx.Err() != nil {
					return durable, rewritten, fmt.Errorf("retrying %s %s after the restart: %w", o.kind, o.id, err)
				}
				time.Sleep(200 * time.Millisecond)
				continue
			}
			if a.status == http.StatusServiceUnavailable && a.code != "ledger_damaged" && attempt < 20 {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			if a.status != http.StatusCreated {
				return durable, rewritten, fmt.Errorf("retrying %s %s (key %s) after the restart: %d %s", o.kind, o.id, o.key, a.status, a.body)
			}
			if !b.acknowledge(o, a) {
				return durable, rewritten, fmt.Errorf("%s %s (key %s): retry answered seq %d, not the acknowledged one", o.kind, o.id, o.key, a.seq)
			}
			if a.replayed {
				durable++
			} else {
				rewritten++
			}
			break
		}
	}
	return durable, rewritten, nil
}
