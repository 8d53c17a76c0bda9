package projections

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Options configure a Projector; zero values are sensible.
type Options struct {
	// Dir keeps checkpoints and snapshots, one subdirectory per ledger; ""
	// keeps snapshots in memory only (a restart replays from zero).
	Dir string
	// SnapshotEvery is how many commits pass between the snapshots the live
	// follower writes (default 10000); Rebuild writes them as often, or less
	// often for a long history so that they fit in keepSnapshots
	// (rebuildInterval), and one at the head.
	// A snapshot is also held back until the time since the last one
	// is twenty times what that one cost, so that a large model spends only a
	// small part of the fold's time writing snapshots.
	SnapshotEvery uint64
	Logger        *slog.Logger
	// OnDamage, if not nil, hears once of each ledger whose log lost or
	// changed history that one of its snapshots saw (see DamagedError):
	// firstBadSeq is the first sequence known missing or bad. The projector
	// already keeps that ledger out of reads; the hook lets the caller
	// quarantine its writes too. It is called from the ledger's follower or
	// a reader and must not block for long.
	OnDamage func(ledger string, firstBadSeq uint64, reason string)

	// eager drops the time rule of snapshots, so tests see many.
	eager bool
}

// ErrUnknownLedger is returned for a ledger the store does not hold.
var ErrUnknownLedger = errors.New("projections: unknown ledger")

// ErrBeyondHead is returned for an as-of sequence past the ledger's head.
var ErrBeyondHead = errors.New("projections: as_of is beyond the ledger's head")

// Projector keeps a live Model per ledger of a store: it loads each
// ledger's checkpoint, catches up from it, follows new commits, snapshots
// periodically, and answers reads live or as of a cut.
type Projector struct {
	store eventstore.Store
	opts  Options
	log   *slog.Logger
	snaps *snapStore

	notify  chan string
	running atomic.Bool

	mu      sync.Mutex
	ledgers map[string]*tracked
}

// tracked is one ledger's live model and what feeds it.
type tracked struct {
	code string

	mu    sync.RWMutex // readers of model hold it shared; the follower takes it to apply
	model *Model
	seq   atomic.Uint64

	wake    sync.Mutex
	advance chan struct{} // closed when seq moves, if watched
	watched atomic.Bool

	started   bool // a follower goroutine runs (guarded by Projector.mu)
	following atomic.Bool

	damaged atomic.Pointer[DamagedError] // once set, never cleared

	late lateCommits // back-dated commits, for business cuts (business.go)

	// tie names the snapshot the model was resumed from until the follower
	// has checked that the log still holds the commit it was built at
	// (only the follower uses it).
	tie string
}

// New answers a projector over store. Nothing happens until Run.
func New(store eventstore.Store, opts Options) *Projector {
	if opts.SnapshotEvery == 0 {
		opts.SnapshotEvery = 10000
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Projector{store: store, opts: opts, log: opts.Logger, snaps: newSnapStore(opts.Dir, opts.Logger),
		notify: make(chan string, 256), ledgers: map[string]*tracked{}}
}

// Notify hints that a ledger has new commits or was just opened, so Run
// starts following it without waiting for its next look at the store.
func (p *Projector) Notify(ledger string) {
	if !eventstore.ValidLedgerCode(ledger) {
		return
	}
	select {
	case p.notify <- ledger:
	default: // Run is busy; its periodic look at the store will find it
	}
}

// Seq answers the sequence the ledger's live model reflects (0 if none).
func (p *Projector) Seq(ledger string) uint64 {
	if t := p.get(ledger, false); t != nil {
		return t.seq.Load()
	}
	return 0
}

func (p *Projector) get(ledger string, create bool) *tracked {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.ledgers[ledger]
	if t == nil && create {
		t = &tracked{code: ledger, model: NewModel(ledger), advance: make(chan struct{})}
		p.ledgers[ledger] = t
	}
	return t
}

// Run loads checkpoints, catches up every ledger of the store and follows
// them live, discovering new ledgers (polled about every 200ms, or at once
// on Notify). When ctx is done it writes a final checkpoint for each ledger
// that moved since its last one and answers ctx.Err().
func (p *Projector) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("projections: Run is already running")
	}
	defer p.running.Store(false)
	var wg sync.WaitGroup
	start := func(code string) {
		t := p.get(code, true)
		p.mu.Lock()
		defer p.mu.Unlock()
		if t.started {
			return
		}
		t.started = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.follow(ctx, t)
		}()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		codes, err := p.store.Ledgers(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("projections: list ledgers", "err", err)
		}
		for _, c := range codes {
			start(c)
		}
		var asked []string // ledgers a reader asked for before Run saw them
		p.mu.Lock()
		for c, t := range p.ledgers {
			if !t.started {
				asked = append(asked, c)
			}
		}
		p.mu.Unlock()
		for _, c := range asked {
			start(c)
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			p.mu.Lock()
			for _, t := range p.ledgers {
				t.started = false
			}
			p.mu.Unlock()
			return ctx.Err()
		case c := <-p.notify:
			start(c)
		case <-tick.C:
		}
	}
}

// follow feeds one ledger's live model until ctx is done: from its
// checkpoint, or from zero, then live. A failure is logged and retried with
// backoff. A damaged log (a snapshot saw history the store no longer
// holds, or a commit that does not chain to the model) stops it: the
// ledger is taken out of service, never re-based.
func (p *Projector) follow(ctx context.Context, t *tracked) {
	t.following.Store(true)
	defer t.following.Store(false)
	backoff := 100 * time.Millisecond
	retry := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
		return true
	}
	for {
		if t.damagedErr() != nil {
			return
		}
		err := p.resume(ctx, t)
		if err == nil {
			break
		}
		if errors.Is(err, ErrDamaged) || ctx.Err() != nil {
			return
		}
		p.log.Warn("projections: resuming ledger failed; retrying", "ledger", t.code, "err", err)
		if !retry() {
			return
		}
	}
	pol := p.newPolicy(t.model.Seq())
	backoff = 100 * time.Millisecond
	for {
		from := t.seq.Load() + 1
		if t.tie != "" {
			from-- // read the snapshot's own commit first
		}
		err := p.store.Follow(ctx, t.code, from, func(r eventstore.Record) error {
			if t.tie != "" {
				if err := tieRecord(t.code, r, t.model.Seq(), t.model.HeadHash(), t.tie); err != nil {
					return err
				}
				t.tie = ""
				return nil
			}
			c, err := domain.UnmarshalCommit(r.Data)
			if err != nil {
				return err
			}
			if err := t.apply(c); err != nil {
				return err
			}
			pol.maybeSnapshot(p, t.model, false)
			backoff = 100 * time.Millisecond
			return nil
		})
		if ctx.Err() != nil {
			pol.maybeSnapshot(p, t.model, true)
			return
		}
		var link *LinkError
		var d *DamagedError
		if errors.As(err, &d) {
			p.damage(t, d)
			return
		}
		if errors.As(err, &link) {
			p.damage(t, &DamagedError{t.code, link.Seq, "the log's commit does not chain to the history folded so far: " + link.Error()})
			return
		}
		p.log.Warn("projections: following ledger failed; retrying", "ledger", t.code, "seq", t.seq.Load(), "err", err)
		if !retry() {
			return
		}
	}
}

// resume replaces the model by the ledger's newest sound snapshot, if the
// model is behind it; see snapshotFor.
func (p *Projector) resume(ctx context.Context, t *tracked) error {
	start := time.Now()
	m, file, err := p.snapshotFor(ctx, t, Cut{}, t.seq.Load())
	if err != nil || m == nil {
		return err
	}
	t.reset(m)
	t.tie = file
	p.log.Info("projections: resumed from checkpoint", "ledger", t.code, "seq", m.Seq(), "took", time.Since(start))
	return nil
}

// snapshotFor answers the model of the ledger's newest snapshot within cut
// and after seq after, nil if there is none. A snapshot whose bytes cannot
// be trusted (it does not decode, match its digest or carry this
// directory's signature) is discarded with a warning and the next older one
// tried, so the model is rebuilt from the log. The one it answers must be
// tied to the log: if the store no longer holds the commit it was built at,
// the log is damaged, not the snapshot, and the ledger is taken out of
// service (a *DamagedError). snapshotFor checks the head; the caller reads
// the commit at the snapshot's seq first (tieRecord) and answers its
// damage through p.damage.
func (p *Projector) snapshotFor(ctx context.Context, t *tracked, cut Cut, after uint64) (*Model, string, error) {
	metas := p.snaps.metas(t.code)
	for i := len(metas) - 1; i >= 0 && metas[i].Seq > after; i-- {
		meta := metas[i]
		if !cut.includes(meta.Seq, meta.Time) {
			continue
		}
		m, err := p.snaps.load(meta)
		var bad *badSnapshotError
		if errors.As(err, &bad) {
			p.snaps.discard(meta, err)
			continue
		}
		if err != nil {
			p.log.Warn("projections: snapshot unreadable; trying an older one", "ledger", t.code, "file", p.snaps.file(meta), "err", err)
			continue
		}
		file := p.snaps.file(meta)
		if err := tieHead(ctx, p.store, t.code, m.Seq(), m.HeadHash(), file); err != nil {
			return nil, "", p.damageIf(t, err)
		}
		return m, file, nil
	}
	return nil, "", nil
}

func (t *tracked) reset(m *Model) {
	t.mu.Lock()
	t.model = m
	t.seq.Store(m.Seq())
	t.mu.Unlock()
	t.signal()
}

func (t *tracked) apply(c *domain.Commit) error {
	t.mu.Lock()
	err := t.model.Apply(c)
	t.mu.Unlock()
	if err != nil {
		return err
	}
	t.seq.Store(c.Seq)
	t.signal()
	return nil
}

// signal wakes WaitFor callers; it costs an atomic load when none waits,
// which is the common case during catch-up.
func (t *tracked) signal() {
	if !t.watched.Load() {
		return
	}
	t.wake.Lock()
	close(t.advance)
	t.advance = make(chan struct{})
	t.watched.Store(false)
	t.wake.Unlock()
}

// snapPolicy decides when the follower writes a snapshot.
type snapPolicy struct {
	every    uint64
	lastSeq  uint64
	lastAt   time.Time
	lastCost time.Duration
	eager    bool
}

func (p *Projector) newPolicy(seq uint64) *snapPolicy {
	return &snapPolicy{every: p.opts.SnapshotEvery, lastSeq: seq, lastAt: time.Now(), eager: p.opts.eager}
}

// maybeSnapshot snapshots m when enough commits and enough time passed, or,
// with final, whenever m moved since the last snapshot. Only the follower
// changes m, and it is the caller, so m needs no lock while it is encoded.
func (sp *snapPolicy) maybeSnapshot(p *Projector, m *Model, final bool) {
	due := m.Seq() > sp.lastSeq && (final || m.Seq()-sp.lastSeq >= sp.every && (sp.eager || time.Since(sp.lastAt) >= 20*sp.lastCost))
	if !due {
		return
	}
	start := time.Now()
	if err := p.snaps.save(m); err != nil {
		p.log.Warn("projections: snapshot failed", "ledger", m.Ledger(), "seq", m.Seq(), "err", err)
		return
	}
	sp.lastSeq, sp.lastAt, sp.lastCost = m.Seq(), time.Now(), time.Since(start)
	p.log.Debug("projections: snapshot", "ledger", m.Ledger(), "seq", m.Seq(), "took", sp.lastCost)
}
