package readside

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
)

// baselines are the rates the rebuild is compared with, taken in the same
// run on the same store, each a floor under what a rebuild can cost.
type baselines struct {
	raw    []float64 // raw ordered-consumer reads after one warm-up read, events/s
	decode float64   // read through the store plus decoding every commit, events/s
	walk   float64   // ledger.WalkDecoded with no fold: decode, hash and chain check
}

// median answers the median of the raw reads.
func (b baselines) median() float64 {
	s := slices.Clone(b.raw)
	slices.Sort(s)
	return s[len(s)/2]
}

// measureBaselines reads the stream once to warm the file store's cache
// (the raw rate swung 5-20x between cold and warm runs), then takes three
// raw reads, then the two decoding baselines.
func measureBaselines(ctx context.Context, store *flnats.Store) (baselines, error) {
	var b baselines
	if _, err := rawReplay(ctx, store); err != nil {
		return b, err
	}
	for range 3 {
		r, err := rawReplay(ctx, store)
		if err != nil {
			return b, err
		}
		b.raw = append(b.raw, r)
	}
	var err error
	if b.decode, err = readDecode(ctx, store); err != nil {
		return b, err
	}
	start := time.Now()
	var events uint64
	err = ledger.WalkDecoded(ctx, store, code, (*domain.Commit).Decode, func(_ *domain.Commit, evs []domain.Event) error {
		events += uint64(len(evs))
		return nil
	})
	b.walk = float64(events) / time.Since(start).Seconds()
	return b, err
}

// rawReplay reads the ledger's whole stream through one ordered consumer,
// counting records from each frame's header: no decoding, no fold. A stream
// message holds 1,000 commits, so this is one header parse per 1,000 events
// and measures mostly how warm the file store's cache is.
func rawReplay(ctx context.Context, store *flnats.Store) (float64, error) {
	st, nc, err := ledgerStream(ctx, store)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	info, err := st.Info(ctx)
	if err != nil {
		return 0, err
	}
	last := info.State.LastSeq
	start := time.Now()
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, err
	}
	it, err := cons.Messages(jetstream.PullMaxMessagesWithBytesLimit(256, 40<<20))
	if err != nil {
		return 0, err
	}
	defer it.Stop()
	var records uint64
	for {
		msg, err := it.Next()
		if err != nil {
			return 0, err
		}
		n, _ := strconv.ParseUint(msg.Headers().Get("Fundledger-Count"), 10, 64)
		records += n
		meta, err := msg.Metadata()
		if err != nil {
			return 0, err
		}
		if meta.Sequence.Stream >= last {
			break
		}
	}
	return float64(records) / time.Since(start).Seconds(), nil
}

// readDecode reads the ledger through the store (the path the rebuild
// reads through: ordered consumer, frames split into commits) and decodes
// every commit and its events (domain.UnmarshalCommit, then Decode) on one
// worker per core, in batches as the rebuild does: no hash, no chain
// check, no fold, in no particular order. It is the fairer floor: what any
// rebuild of JSON commits pays on these cores before it folds anything.
func readDecode(ctx context.Context, store eventstore.Store) (float64, error) {
	const batch = 256
	work := make(chan []eventstore.Record, runtime.GOMAXPROCS(0))
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		events uint64
		errs   []error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n uint64
			var err error
			for recs := range work {
				for _, r := range recs {
					c, e := domain.UnmarshalCommit(r.Data)
					if e != nil {
						err = e
						continue
					}
					evs, e := c.Decode()
					if e != nil {
						err = e
					}
					n += uint64(len(evs))
				}
			}
			mu.Lock()
			events += n
			errs = append(errs, err)
			mu.Unlock()
		}()
	}
	start := time.Now()
	cur := make([]eventstore.Record, 0, batch)
	err := store.Read(ctx, code, 1, func(r eventstore.Record) error {
		cur = append(cur, r)
		if len(cur) == batch {
			work <- cur
			cur = make([]eventstore.Record, 0, batch)
		}
		return nil
	})
	work <- cur
	close(work)
	wg.Wait()
	took := time.Since(start)
	if err := errors.Join(append(errs, err)...); err != nil {
		return 0, err
	}
	return float64(events) / took.Seconds(), nil
}
