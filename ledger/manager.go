package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
}

// Manager owns a writer per open ledger of one store. It is safe for
// concurrent use; commands on one ledger are decided one after another.
type Manager struct {
	store eventstore.Store
	opts  Options

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	writers map[string]*writerSlot
}

// writerSlot lets one caller load a ledger while others wait for it,
// without holding the manager's lock during the load.
type writerSlot struct {
	ready chan struct{}
	w     *writer
	err   error
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
	return &Manager{store: store, opts: opts, ctx: ctx, cancel: cancel, writers: map[string]*writerSlot{}}
}

// Close stops every writer after the group it is committing. Commands still
// queued are answered with an error. The store is not closed.
func (m *Manager) Close() {
	m.cancel()
	m.wg.Wait()
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
	w, err := m.writer(ctx, ledger, opening)
	if err != nil {
		return Result{}, err
	}
	p := &pending{req: req, done: make(chan outcome, 1)}
	select {
	case w.queue <- p:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-m.ctx.Done():
		return Result{}, errors.New("ledger manager is closed")
	}
	var out outcome
	select {
	case out = <-p.done:
	case <-ctx.Done():
		return Result{}, ctx.Err()
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

// Commit reads one stored commit.
func (m *Manager) Commit(ctx context.Context, ledger string, seq uint64) (*domain.Commit, error) {
	var found *domain.Commit
	errFound := errors.New("found")
	err := m.store.Read(ctx, ledger, seq, func(r eventstore.Record) error {
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return err
		}
		found = c
		return errFound
	})
	if found != nil {
		return found, nil
	}
	if err == nil {
		err = fmt.Errorf("ledger %s has no commit %d", ledger, seq)
	}
	return nil, err
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
	m.mu.Lock()
	slot, ok := m.writers[ledger]
	if !ok {
		if !eventstore.ValidLedgerCode(ledger) {
			m.mu.Unlock()
			return nil, unknownLedger(ledger)
		}
		slot = &writerSlot{ready: make(chan struct{})}
		m.writers[ledger] = slot
		m.mu.Unlock()
		slot.w, slot.err = m.load(ctx, ledger, create)
		if slot.err != nil {
			m.mu.Lock()
			delete(m.writers, ledger) // a later call may try again
			m.mu.Unlock()
		}
		close(slot.ready)
	} else {
		m.mu.Unlock()
		select {
		case <-slot.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return slot.w, slot.err
}

func (m *Manager) load(ctx context.Context, ledger string, create bool) (*writer, error) {
	head, err := m.store.Head(ctx, ledger)
	if err != nil {
		return nil, fmt.Errorf("read head of ledger %s: %w", ledger, err)
	}
	if head == 0 && !create {
		return nil, unknownLedger(ledger)
	}
	w := &writer{code: ledger, store: m.store, clock: m.opts.Clock, log: m.opts.Logger, obs: m.opts.Observer,
		queue: make(chan *pending, 4096)}
	start := time.Now()
	if err := w.load(ctx); err != nil {
		var bad *ChainError
		if errors.As(err, &bad) {
			return nil, &domain.Error{Kind: domain.KindRule, Code: ErrCorrupt.Code,
				Message: fmt.Sprintf("ledger %s refuses writes: its hash chain is broken at %v; run fundledger verify", ledger, bad)}
		}
		return nil, err
	}
	m.opts.Logger.Info("ledger loaded", "ledger", ledger, "seq", w.head, "took", time.Since(start))
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		w.run(m.ctx)
	}()
	return w, nil
}

func unknownLedger(code string) error {
	return &domain.Error{Kind: domain.KindNotFound, Code: ErrUnknownLedger.Code,
		Message: fmt.Sprintf("ledger %q is not open; open it with POST /v1/ledgers", code)}
}
