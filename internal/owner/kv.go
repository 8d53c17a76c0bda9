package owner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/internal/natskv"
)

// Bucket is the key-value bucket holding the leases, one key per ledger.
const Bucket = "fundledger_owners"

// Lease timing. An owner renews every DefaultRenew; a lease not renewed
// for DefaultTTL may be taken over. The owner itself stops writing
// Renew/2 before the expiry it recorded (fencing), so that two servers'
// clocks may differ by that much before both could believe they own a
// ledger; beyond it, the store's expected-sequence check still refuses
// the second writer. A dead owner's ledgers move within TTL plus one
// sweep (about 8 s).
const (
	DefaultTTL   = 6 * time.Second
	DefaultRenew = 2 * time.Second
)

// Options configure a KV.
type Options struct {
	// URL of the NATS cluster (the store's --nats-url).
	URL            string
	ConnectOptions []natsgo.Option
	// Self is this node; its URL may be set later (SetURL), before the
	// first claim other servers act on.
	Self Node
	// TTL and Renew: DefaultTTL and DefaultRenew when zero. Renew must be
	// well under TTL.
	TTL, Renew time.Duration
	// Replicas of the bucket: 0 tries 3 (a 3-node cluster) and falls back
	// to 1, whatever the streams' replicas are.
	Replicas int
	Logger   *slog.Logger
	// OnAcquire is called when this node takes a ledger it did not hold,
	// before Claim answers Self: the caller reloads the ledger's writer
	// from the store, so its first write builds on the previous owner's.
	OnAcquire func(ledger string)
	// OnLose is called when this node stops holding a ledger (taken by
	// another server, or not renewed in time).
	OnLose func(ledger string)
}

// KV is ownership through leases in the NATS key-value bucket Bucket.
type KV struct {
	opts   Options
	log    *slog.Logger
	nc     *natsgo.Conn
	kv     jetstream.KeyValue
	margin time.Duration

	mu   sync.Mutex
	self Node
	held map[string]*held // leases this node holds
	seen map[string]lease // every lease in the bucket, as the watcher last saw it

	acquireMu sync.Mutex // one acquisition at a time: claims are rare

	cancel context.CancelFunc
	done   chan struct{}
	stop   sync.Once
}

// held is a lease this node holds: the key's revision it last wrote, and
// until when (monotonic clock) it may write.
type held struct {
	rev   uint64
	valid time.Time
}

var _ Owners = (*KV)(nil)

// Open connects to the cluster, opens (or makes) the bucket and starts the
// renewals, the bucket watcher and the sweep that takes over expired
// leases. Close releases this node's leases; Abandon drops them unreleased.
func Open(ctx context.Context, opts Options) (*KV, error) {
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Renew == 0 {
		opts.Renew = DefaultRenew
	}
	if opts.Renew*2 > opts.TTL {
		return nil, fmt.Errorf("owner: renew every %v is too slow for a lease of %v", opts.Renew, opts.TTL)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Self.Name == "" {
		return nil, errors.New("owner: this node needs a name")
	}
	k := &KV{opts: opts, log: opts.Logger, margin: opts.Renew / 2, self: opts.Self,
		held: map[string]*held{}, seen: map[string]lease{}, done: make(chan struct{})}
	copts := append([]natsgo.Option{natsgo.Name("fundledger-owner " + opts.Self.Name), natsgo.MaxReconnects(-1)}, opts.ConnectOptions...)
	var err error
	if k.nc, err = natsgo.Connect(opts.URL, copts...); err != nil {
		return nil, fmt.Errorf("owner: connect %s: %w", opts.URL, err)
	}
	if k.kv, err = openBucket(ctx, k.nc, opts.Replicas, k.log); err != nil {
		k.nc.Close()
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	w, err := k.kv.WatchAll(wctx)
	if err != nil {
		cancel()
		k.nc.Close()
		return nil, fmt.Errorf("owner: watch %s: %w", Bucket, err)
	}
	go k.watch(w)
	go k.loop(wctx)
	return k, nil
}

// openBucket opens the bucket, making it if it does not exist: R3 when
// the cluster can place it (or as many replicas as asked), else R1.
func openBucket(ctx context.Context, nc *natsgo.Conn, replicas int, log *slog.Logger) (jetstream.KeyValue, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	kv, err := natskv.Open(ctx, js, jetstream.KeyValueConfig{Bucket: Bucket, History: 1, Storage: jetstream.FileStorage,
		Description: "fundledger: which server writes each ledger (leases)"}, replicas, log)
	if err != nil {
		return nil, fmt.Errorf("owner: %w", err)
	}
	return kv, nil
}

// Self implements Owners.
func (k *KV) Self() Node {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.self
}

// SetURL sets the URL this node is reached at (known once it listens);
// leases taken from now on carry it.
func (k *KV) SetURL(url string) {
	k.mu.Lock()
	k.self.URL = url
	k.mu.Unlock()
}

// Holds implements Owners: a lease held and renewed recently enough. It
// turns false margin before the expiry others go by, renewed or not, so a
// node cut off from the bucket stops writing before anyone may take over.
func (k *KV) Holds(ledger string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	h := k.held[ledger]
	return h != nil && time.Now().Before(h.valid)
}

// Claim implements Owners. A live lease of another server, as the watcher
// last saw it, is answered without a round trip; otherwise the ledger is
// taken: created if it has no lease, or updated (compare-and-set) if its
// lease expired.
func (k *KV) Claim(ctx context.Context, ledger string) (Claim, error) {
	if k.Holds(ledger) {
		return k.selfClaim(ledger), nil
	}
	k.mu.Lock()
	l, ok := k.seen[ledger]
	k.mu.Unlock()
	if ok && l.Name != k.Self().Name && time.Now().Before(l.Expires) {
		return Claim{Owner: l.Node, Expires: l.Expires}, nil
	}
	return k.acquire(ctx, ledger)
}

func (k *KV) selfClaim(ledger string) Claim {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := Claim{Owner: k.self, Self: true}
	if h := k.held[ledger]; h != nil {
		c.Expires = h.valid.Add(k.margin)
	}
	return c
}

// acquire takes the ledger unless another server holds a live lease on it.
func (k *KV) acquire(ctx context.Context, ledger string) (Claim, error) {
	k.acquireMu.Lock()
	defer k.acquireMu.Unlock()
	if k.Holds(ledger) { // taken by a concurrent claim meanwhile
		return k.selfClaim(ledger), nil
	}
	ctx, cancel := context.WithTimeout(ctx, k.opts.Renew)
	defer cancel()
	for range 4 {
		start := time.Now()
		self := k.Self()
		val := lease{Node: self, Expires: start.Add(k.opts.TTL)}.encode()
		var rev uint64
		e, err := k.kv.Get(ctx, ledger)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			rev, err = k.kv.Create(ctx, ledger, val)
			if errors.Is(err, jetstream.ErrKeyExists) {
				continue // another server created it first: look again
			}
		case err != nil:
		default:
			l, derr := decodeLease(e.Value())
			if derr == nil && l.Name != self.Name && time.Now().Before(l.Expires) {
				k.see(ledger, l)
				return Claim{Owner: l.Node, Expires: l.Expires}, nil
			}
			rev, err = k.kv.Update(ctx, ledger, val, e.Revision())
			if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
				continue // another server took it first: look again
			}
		}
		if err != nil {
			return Claim{}, fmt.Errorf("%w: ledger %s: %w", ErrNoOwner, ledger, err)
		}
		// Reload before the first write, and before Holds says yes.
		if k.opts.OnAcquire != nil {
			k.opts.OnAcquire(ledger)
		}
		k.mu.Lock()
		k.held[ledger] = &held{rev: rev, valid: start.Add(k.opts.TTL - k.margin)}
		k.mu.Unlock()
		k.log.Info("owner: ledger taken", "ledger", ledger, "node", self.Name, "took", time.Since(start))
		return k.selfClaim(ledger), nil
	}
	return Claim{}, fmt.Errorf("%w: ledger %s: the lease kept changing", ErrNoOwner, ledger)
}

func (k *KV) see(ledger string, l lease) {
	k.mu.Lock()
	k.seen[ledger] = l
	k.mu.Unlock()
}

// Close stops renewing and releases this node's leases, so other servers
// take its ledgers at once rather than after the TTL. Call it after the
// writers have stopped.
func (k *KV) Close() error {
	if k.halt() {
		return nil // abandoned or closed before
	}
	k.mu.Lock()
	leases := k.held
	k.held = map[string]*held{}
	k.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for ledger, h := range leases {
		if err := k.kv.Delete(ctx, ledger, jetstream.LastRevision(h.rev)); err != nil {
			k.log.Warn("owner: lease not released; it expires by itself", "ledger", ledger, "err", err)
		}
	}
	k.nc.Close()
	return nil
}

// Abandon stops renewing and disconnects without releasing anything, as
// a process that dies does: other servers take its ledgers once the
// leases expire. For tests of takeover.
func (k *KV) Abandon() {
	if !k.halt() {
		k.nc.Close()
	}
}

// halt stops the renewals and the watcher; it answers true if they had
// been stopped before.
func (k *KV) halt() (before bool) {
	before = true
	k.stop.Do(func() {
		before = false
		k.cancel()
		<-k.done
	})
	return before
}
