package owner

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// loop renews this node's leases and sweeps for expired ones every Renew
// until ctx ends.
func (k *KV) loop(ctx context.Context) {
	defer close(k.done)
	t := time.NewTicker(k.opts.Renew)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k.renew(ctx)
		k.sweep(ctx)
	}
}

// renew extends every held lease by a compare-and-set on its revision. A
// lease whose key changed under it was taken (lost at once); one that could
// not be renewed is kept until its validity ends, then lost.
func (k *KV) renew(ctx context.Context) {
	k.mu.Lock()
	ledgers := make([]string, 0, len(k.held))
	for l := range k.held {
		ledgers = append(ledgers, l)
	}
	self := k.self
	k.mu.Unlock()
	for _, ledger := range ledgers {
		k.mu.Lock()
		h := k.held[ledger]
		k.mu.Unlock()
		if h == nil {
			continue
		}
		start := time.Now()
		val := lease{Node: self, Expires: start.Add(k.opts.TTL)}.encode()
		rctx, cancel := context.WithTimeout(ctx, k.opts.Renew)
		rev, err := k.kv.Update(rctx, ledger, val, h.rev)
		cancel()
		switch {
		case err == nil:
			k.mu.Lock()
			if k.held[ledger] == h {
				h.rev, h.valid = rev, start.Add(k.opts.TTL-k.margin)
			}
			k.mu.Unlock()
		case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyNotFound):
			k.lose(ledger, h, "another server took the lease")
		case ctx.Err() != nil:
			return
		default:
			k.log.Warn("owner: lease not renewed", "ledger", ledger, "err", err)
			if !time.Now().Before(h.valid) {
				k.lose(ledger, h, "lease not renewed in time")
			}
		}
	}
}

func (k *KV) lose(ledger string, h *held, why string) {
	k.mu.Lock()
	mine := k.held[ledger] == h
	if mine {
		delete(k.held, ledger)
	}
	k.mu.Unlock()
	if !mine {
		return
	}
	k.log.Warn("owner: ledger no longer held; writes go to its new owner", "ledger", ledger, "why", why)
	if k.opts.OnLose != nil {
		k.opts.OnLose(ledger)
	}
}

// sweep takes over every lease that expired (its owner died or was cut
// off), so that a dead server's ledgers move within TTL plus one Renew
// even when no write asks for them.
func (k *KV) sweep(ctx context.Context) {
	now := time.Now()
	var expired []string
	k.mu.Lock()
	for ledger, l := range k.seen {
		if k.held[ledger] == nil && now.After(l.Expires) {
			expired = append(expired, ledger)
		}
	}
	k.mu.Unlock()
	for _, ledger := range expired {
		if _, err := k.acquire(ctx, ledger); err != nil && ctx.Err() == nil {
			k.log.Warn("owner: expired lease not taken over", "ledger", ledger, "err", err)
		}
	}
}

// watch keeps seen, the bucket's leases as last written, from the watcher
// until it stops.
func (k *KV) watch(w jetstream.KeyWatcher) {
	defer func() { _ = w.Stop() }()
	for e := range w.Updates() {
		if e == nil {
			continue // the initial values are all in
		}
		k.mu.Lock()
		switch e.Operation() {
		case jetstream.KeyValuePut:
			if l, err := decodeLease(e.Value()); err == nil {
				k.seen[e.Key()] = l
			}
		default: // deleted or purged: released
			delete(k.seen, e.Key())
		}
		k.mu.Unlock()
	}
}
