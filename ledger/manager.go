package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Observer hears about group commits (for metrics). Its methods must be quick.
type Observer interface {
	Committed(ledger string, commits int, took time.Duration)
}

type noObserver struct{}

func (noObserver) Committed(string, int, time.Duration) {}

// Options configure a Manager; zero values are sensible.
type Options struct {
	Clock    func() time.Time // default time.Now
	Logger   *slog.Logger     // default slog.Default()
	Observer Observer
	// WitnessDir keeps a head witness per ledger (see Witness); empty: none,
	// which only tests on the memory store should want.
	WitnessDir string
	// Vouchers answers more (seq, hash) pairs a ledger's store must still
	// hold beyond its witness: the projection snapshots' (serve sets it),
	// so a lost tail is caught before the first write even when the witness
	// went with it. Nil: none.
	Vouchers func(ledger string) ([]Voucher, error)
	// SnapshotDir keeps the writers' snapshots (state, idempotency keys and
	// head), so that a writer starts from its newest one and replays only
	// the tail; empty: none, every start replays the whole chain.
	SnapshotDir string
	// SnapshotEvery is how many commits a writer makes between snapshots
	// (0: defaultSnapshotEvery); a clean stop also writes one.
	SnapshotEvery uint64
	// Fence, if set, is asked before each command whether this server may
	// write the ledger now (its lease, when several servers share one
	// store: internal/owner); its error is the command's answer. Nil:
	// always.
	Fence func(ctx context.Context, ledger string) error
	// KeyIndexDir keeps the idempotency keys older than KeyWindow on disk
	// (see KeyIndex), opened at the first ledger's load; empty: every key
	// stays in RAM.
	KeyIndexDir string
	// KeyWindow is how many of a ledger's newest commits keep their keys in
	// RAM when there is a key index (0: defaultKeyWindow).
	KeyWindow uint64
}

// Manager owns a writer per open ledger of one store. It is safe for
// concurrent use; commands on one ledger are decided one after another.
type Manager struct {
	store eventstore.Store
	opts  Options

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	witness *WitnessDir // nil without Options.WitnessDir
	snaps   *snapDir    // nil without Options.SnapshotDir

	keyIdxOnce sync.Once
	keyIdx     *KeyIndex // nil without Options.KeyIndexDir, or before the first load
	keyIdxErr  error

	mu      sync.Mutex
	writers map[string]*writerSlot
	damaged map[string]*Damage // quarantined ledgers: no writer, no writes
}

// writerSlot lets one caller load a ledger while others wait for it,
// without holding the manager's lock during the load.
type writerSlot struct {
	ready chan struct{}
	w     *writer
	err   error
	// stopped is closed once the writer's goroutine has returned (Reload):
	// whatever it has not taken from its queue by then was not written.
	stopped chan struct{}
	stop    func() // ends the writer after what it has taken, and waits
}

// NewManager starts a manager over store.
func NewManager(store eventstore.Store, opts Options) *Manager {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{store: store, opts: opts, ctx: ctx, cancel: cancel, writers: map[string]*writerSlot{}, damaged: map[string]*Damage{}}
	if opts.WitnessDir != "" {
		m.witness = NewWitnessDir(opts.WitnessDir)
	}
	if opts.SnapshotDir != "" {
		m.snaps = newSnapDir(opts.SnapshotDir)
	}
	if opts.SnapshotEvery == 0 {
		m.opts.SnapshotEvery = defaultSnapshotEvery
	}
	return m
}

// Close stops every writer after the group it is committing. Commands still
// queued are answered with an error. The store is not closed.
func (m *Manager) Close() {
	m.cancel()
	m.wg.Wait()
	m.keyIdxOnce.Do(func() {}) // none opened from now on
	if m.keyIdx != nil {
		if err := m.keyIdx.Close(); err != nil {
			m.opts.Logger.Error("idempotency key index not closed cleanly", "err", err)
		}
		m.keyIdx = nil
	}
}

// keyIndex opens the key index on first use; nil without one.
func (m *Manager) keyIndex() (*KeyIndex, error) {
	m.keyIdxOnce.Do(func() {
		if m.opts.KeyIndexDir != "" && m.ctx.Err() == nil {
			m.keyIdx, m.keyIdxErr = OpenKeyIndex(m.opts.KeyIndexDir, m.opts.Logger)
		}
	})
	return m.keyIdx, m.keyIdxErr
}

// Submit decides and writes one command on a ledger and answers once the
// commit is durable. OpenLedger opens the ledger its Code names.
func (m *Manager) Submit(ctx context.Context, ledger string, req Request) (Result, error) {
	open, opening := req.Command.(domain.OpenLedger)
	if opening {
		ledger = open.Code
		// Checked before a writer is made for the code, so that a refused
		// code leaves nothing behind, not even an empty writer.
		if err := domain.Check(open); err != nil {
			return Result{}, err
		}
		if !eventstore.ValidLedgerCode(ledger) {
			return Result{}, &domain.Error{Kind: domain.KindInvalid, Code: "invalid_request", Field: "code",
				Message: fmt.Sprintf("code %q must be the county's division code, e.g. 341504", ledger)}
		}
	}
	var out outcome
	for {
		if m.opts.Fence != nil {
			if err := m.opts.Fence(ctx, ledger); err != nil {
				return Result{}, err
			}
		}
		slot, err := m.slot(ctx, ledger, opening)
		if err != nil {
			return Result{}, err
		}
		var dropped bool
		if out, dropped, err = m.send(ctx, slot, req); err != nil {
			return Result{}, err
		}
		if !dropped {
			break
		}
		// The writer was reloaded (Reload) before it took the command:
		// nothing was written; ask the fence and the new writer again
		// (reloads are rare: a takeover; ctx bounds the loop).
	}
	if out.err != nil || !out.res.Replayed || out.res.Events != nil {
		return out.res, out.err
	}
	// An idempotent replay of a durable commit: fetch its events.
	c, err := m.Commit(ctx, ledger, out.res.Seq)
	if err != nil {
		return Result{}, err
	}
	out.res.Events = c.Events
	return out.res, nil
}

// send queues req on the slot's writer and waits for its outcome; dropped
// is true when the writer stopped (Reload) before taking req.
func (m *Manager) send(ctx context.Context, slot *writerSlot, req Request) (out outcome, dropped bool, err error) {
	p := &pending{req: req, done: make(chan outcome, 1)}
	select {
	case slot.w.queue <- p:
	case <-slot.stopped:
		return out, true, nil
	case <-ctx.Done():
		return out, false, ctx.Err()
	case <-m.ctx.Done():
		return out, false, errors.New("ledger manager is closed")
	}
	select {
	case out = <-p.done:
	case <-slot.stopped:
		// Everything the writer took was answered before it stopped.
		select {
		case out = <-p.done:
		default:
			return out, true, nil
		}
	case <-ctx.Done():
		return out, false, ctx.Err()
	}
	// A writer stopped by Reload answers what it had not decided with the
	// cancellation of its context: not written, so not an answer.
	if out.err != nil && errors.Is(out.err, context.Canceled) && m.ctx.Err() == nil && isClosed(slot.stopped) {
		return out, true, nil
	}
	return out, false, nil
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Reload stops the ledger's writer after the commands it has taken and
// loads it afresh from the store (state, idempotency keys, head), which
// another server may have moved on: a server that takes a ledger over
// calls it before its first write. Commands queued but not taken, and any
// that arrive meanwhile, are decided by the new writer, which starts only
// once the old one has stopped, so one process never has two writers on a
// ledger. A ledger not loaded is left to load on first use.
func (m *Manager) Reload(ledger string) {
	m.mu.Lock()
	old := m.writers[ledger]
	if old == nil {
		m.mu.Unlock()
		return
	}
	next := &writerSlot{ready: make(chan struct{}), stopped: make(chan struct{})}
	m.writers[ledger] = next
	m.mu.Unlock()
	<-old.ready
	if old.stop != nil {
		old.stop()
	}
	m.fill(m.ctx, ledger, false, next)
}

// fill loads the ledger's writer into its slot and marks the slot ready;
// a slot whose load failed leaves the table, so a later call may try again.
func (m *Manager) fill(ctx context.Context, ledger string, create bool, slot *writerSlot) {
	slot.w, slot.err = m.load(ctx, ledger, create, slot)
	if slot.err != nil {
		m.mu.Lock()
		if m.writers[ledger] == slot {
			delete(m.writers, ledger)
		}
		m.mu.Unlock()
	}
	close(slot.ready)
}

// Commit reads one stored commit.
func (m *Manager) Commit(ctx context.Context, ledger string, seq uint64) (*domain.Commit, error) {
	return readCommit(ctx, m.store, ledger, seq)
}

// Head answers a ledger's last durable sequence and hash, loading the
// ledger if needed; ErrUnknownLedger if it was never opened.
func (m *Manager) Head(ctx context.Context, ledger string) (uint64, string, error) {
	w, err := m.writer(ctx, ledger, false)
	if err != nil {
		return 0, "", err
	}
	h := w.currentHead()
	return h.seq, h.hash, nil
}

// Ledgers lists the ledgers in the store.
func (m *Manager) Ledgers(ctx context.Context) ([]string, error) { return m.store.Ledgers(ctx) }

// Store answers the store the manager writes to.
func (m *Manager) Store() eventstore.Store { return m.store }

func (m *Manager) writer(ctx context.Context, ledger string, create bool) (*writer, error) {
	slot, err := m.slot(ctx, ledger, create)
	if err != nil {
		return nil, err
	}
	return slot.w, nil
}

// slot answers the ledger's loaded writer slot, loading it if needed.
func (m *Manager) slot(ctx context.Context, ledger string, create bool) (*writerSlot, error) {
	m.mu.Lock()
	if d := m.damaged[ledger]; d != nil {
		m.mu.Unlock()
		return nil, d.Rejection()
	}
	slot, ok := m.writers[ledger]
	if !ok {
		if !eventstore.ValidLedgerCode(ledger) {
			m.mu.Unlock()
			return nil, unknownLedger(ledger)
		}
		slot = &writerSlot{ready: make(chan struct{}), stopped: make(chan struct{})}
		m.writers[ledger] = slot
		m.mu.Unlock()
		m.fill(ctx, ledger, create, slot)
	} else {
		m.mu.Unlock()
		select {
		case <-slot.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if slot.err != nil {
		return nil, slot.err
	}
	return slot, nil
}

func (m *Manager) load(ctx context.Context, ledger string, create bool, slot *writerSlot) (*writer, error) {
	head, err := m.store.Head(ctx, ledger)
	var gone *eventstore.DamagedError
	if errors.As(err, &gone) {
		head, err = 1, nil // the walk below names what is unreadable
	}
	if err != nil {
		return nil, fmt.Errorf("read head of ledger %s: %w", ledger, err)
	}
	if head == 0 && !create && !m.vouchedFor(ledger) {
		return nil, unknownLedger(ledger)
	}
	idx, err := m.keyIndex()
	if err != nil {
		return nil, err
	}
	w := &writer{code: ledger, store: m.store, keys: newKeyTable(ledger, idx, m.opts.KeyWindow), clock: m.opts.Clock, log: m.opts.Logger, obs: m.opts.Observer,
		queue: make(chan *pending, 4096), witness: m.witness, onDamage: m.MarkDamaged,
		vouchers: func() ([]Voucher, error) { return m.vouchersOf(ledger) },
		snaps:    m.snaps, snapEvery: m.opts.SnapshotEvery}
	start := time.Now()
	if err := w.load(ctx); err != nil {
		var d *Damage
		if errors.As(err, &d) {
			m.MarkDamaged(d)
			return nil, d.Rejection()
		}
		return nil, err
	}
	m.opts.Logger.Info("ledger loaded", "ledger", ledger, "seq", w.head, "took", time.Since(start))
	// The writer's own context, so that Reload can end this writer alone.
	wctx, cancel := context.WithCancel(m.ctx)
	var wg sync.WaitGroup
	m.wg.Add(1)
	wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer wg.Done()
		w.run(wctx)
		close(slot.stopped)
		w.failQueued(context.Canceled) // sent while it stopped: not written
	}()
	if idx != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			w.keys.runIndexer(m.ctx, w)
		}()
	}
	if w.witness != nil {
		w.witKick = make(chan struct{}, 1)
		m.wg.Add(1)
		wg.Add(1)
		go func() {
			defer m.wg.Done()
			defer wg.Done()
			w.writeWitness(wctx)
		}()
	}
	slot.stop = func() { cancel(); wg.Wait() }
	return w, nil
}

// vouchedFor reports whether anything beside the store says the ledger had
// history: then an empty store is a loss, not an unknown ledger.
func (m *Manager) vouchedFor(ledger string) bool {
	v, err := m.vouchersOf(ledger)
	return err != nil || len(v) > 0 || (m.snaps != nil && len(m.snaps.files(ledger)) > 0)
}

// OpenAll loads every ledger the store, the witnesses or the caller (extra:
// say, the ledgers that have projection snapshots) know, so that a damaged
// one is found (and /readyz says so) at start, not at its first write. A
// damaged ledger is recorded, not an error: the others serve.
func (m *Manager) OpenAll(ctx context.Context, extra ...string) error {
	codes, err := m.store.Ledgers(ctx)
	if err != nil {
		return err
	}
	codes = append(codes, extra...)
	if m.witness != nil {
		more, err := m.witness.Ledgers()
		if err != nil {
			return err
		}
		codes = append(codes, more...)
	}
	if m.snaps != nil {
		codes = append(codes, m.snaps.Ledgers()...)
	}
	slices.Sort(codes)
	for _, code := range slices.Compact(codes) {
		if _, err := m.writer(ctx, code, false); err != nil && !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrUnknownLedger) {
			return fmt.Errorf("open ledger %s: %w", code, err)
		}
	}
	return nil
}

// MarkDamaged quarantines a ledger: from now on it takes no writes and
// readiness names it. The first damage found is kept (it names the earliest
// known loss). Projections call it when a snapshot or checkpoint is ahead of
// the store; readers call it when the store cannot give back history.
func (m *Manager) MarkDamaged(d *Damage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev := m.damaged[d.Ledger]; prev != nil && prev.FirstBadSeq <= d.FirstBadSeq {
		return
	}
	m.damaged[d.Ledger] = d
	if slot := m.writers[d.Ledger]; slot != nil {
		select {
		case <-slot.ready:
			if slot.w != nil {
				slot.w.quarantine(d)
			}
		default:
		}
	}
	m.opts.Logger.Error("ledger damaged: writes refused", "ledger", d.Ledger, "first_bad_seq", d.FirstBadSeq,
		"last_good_seq", d.Seq, "reason", d.Reason)
}

// Damaged answers a ledger's damage, if it is quarantined.
func (m *Manager) Damaged(ledger string) (Damage, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.damaged[ledger]; d != nil {
		return *d, true
	}
	return Damage{}, false
}

// DamagedLedgers lists the quarantined ledgers by code.
func (m *Manager) DamagedLedgers() []Damage {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Damage, 0, len(m.damaged))
	for _, d := range m.damaged {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b Damage) int { return strings.Compare(a.Ledger, b.Ledger) })
	return out
}

// Verify walks a ledger's chain and checks the store against the head
// witness; a quarantined ledger answers its damage (valid:false, the first
// bad sequence, the last good one and its hash). Damage found here is
// recorded, so writes stop at once. A ledger never opened is ErrUnknownLedger.
func (m *Manager) Verify(ctx context.Context, ledger string) (Verification, error) {
	if _, err := m.writer(ctx, ledger, false); err != nil && !errors.Is(err, ErrDamaged) {
		return Verification{}, err
	}
	if d, ok := m.Damaged(ledger); ok {
		if d.HeadHash == "" && d.Seq > 0 { // found by a reader that knew only the bad sequence
			if c, err := readCommit(ctx, m.store, ledger, d.Seq); err == nil {
				d.HeadHash = c.Hash
			}
		}
		if d.Seq == 0 {
			d.HeadHash = domain.GenesisHash
		}
		return d.Verification(), nil
	}
	vouchers, err := m.vouchersOf(ledger)
	if err != nil {
		return Verification{}, err
	}
	v, d, err := VerifyAgainst(ctx, m.store, ledger, vouchers...)
	if d != nil {
		m.MarkDamaged(d)
	}
	return v, err
}

// vouchersOf answers what beside the store vouches for a ledger's history:
// its head witness and Options.Vouchers.
func (m *Manager) vouchersOf(ledger string) ([]Voucher, error) {
	var out []Voucher
	if m.witness != nil {
		wit, ok, err := m.witness.Read(ledger)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, Voucher{wit, "head witness"})
		}
	}
	if m.opts.Vouchers != nil {
		more, err := m.opts.Vouchers(ledger)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// Quarantine marks a ledger damaged from firstBad on, for a finder that
// knows only the sequence and why (the projections, a reader), and answers
// the ledger's damage (the earliest known).
func (m *Manager) Quarantine(ledger string, firstBad uint64, reason string) *Damage {
	d := &Damage{Ledger: ledger, FirstBadSeq: max(firstBad, 1), Reason: reason}
	d.Seq = d.FirstBadSeq - 1
	m.MarkDamaged(d)
	if cur, ok := m.Damaged(ledger); ok {
		return &cur
	}
	return d
}

func unknownLedger(code string) error {
	return &domain.Error{Kind: domain.KindNotFound, Code: ErrUnknownLedger.Code,
		Message: fmt.Sprintf("ledger %q is not open; open it with POST /v1/ledgers", code)}
}
