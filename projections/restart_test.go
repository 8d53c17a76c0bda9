package projections

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/scenario"
)

// countingStore records where each Read and Follow of the projector starts.
type countingStore struct {
	eventstore.Store
	mu    sync.Mutex
	froms []uint64
}

func (s *countingStore) Follow(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	s.mu.Lock()
	s.froms = append(s.froms, from)
	s.mu.Unlock()
	return s.Store.Follow(ctx, ledger, from, fn)
}

func runProjector(t *testing.T, p *Projector) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Run answered %v, want context.Canceled", err)
		}
	}
}

// TestRestartResumesFromCheckpoint runs the projector on the embedded
// JetStream store, stops it, adds commits, and starts a new projector on the
// same directories: it must load its checkpoint and read the store only
// from there (its own commit, to tie it to the log, and the ones after),
// and end with the same model as a replay from zero.
func TestRestartResumesFromCheckpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dataDir, projDir := t.TempDir(), t.TempDir()
	store, err := nats.Open(ctx, nats.Options{DataDir: filepath.Join(dataDir, "nats"), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := scenario.Load(filepath.Join("..", "testdata", "seed001.json"))
	if err != nil {
		t.Fatal(err)
	}
	spec.Households = 40 // keep the JetStream writes few: one fsync each
	plan, err := scenario.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	half := len(plan.Steps) / 2
	if err := scenario.Run(ctx, store, &scenario.Plan{Ledger: plan.Ledger, Steps: plan.Steps[:half]}); err != nil {
		t.Fatal(err)
	}
	p := New(store, Options{Dir: projDir, SnapshotEvery: 50, Logger: quiet()})
	stop := runProjector(t, p)
	if err := p.WaitFor(ctx, plan.Ledger, uint64(half)); err != nil {
		t.Fatal(err)
	}
	stop() // writes the final checkpoint
	checkpoint := p.Checkpoint(plan.Ledger)
	if checkpoint != uint64(half) {
		t.Fatalf("checkpoint at %d after stopping at %d", checkpoint, half)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: a new store process and a new projector on the same directories.
	store2, err := nats.Open(ctx, nats.Options{DataDir: filepath.Join(dataDir, "nats"), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer store2.Close()
	// The rest of the history arrives while the projector runs: the writer
	// reloads its state from the store first, so this is the same history.
	counting := &countingStore{Store: store2}
	p2 := New(counting, Options{Dir: projDir, SnapshotEvery: 50, Logger: quiet()})
	stop2 := runProjector(t, p2)
	defer stop2()
	rest := &scenario.Plan{Ledger: plan.Ledger, Steps: plan.Steps[half:]}
	if err := runFrom(ctx, store2, rest); err != nil {
		t.Fatal(err)
	}
	head, _ := store2.Head(ctx, plan.Ledger)
	if err := p2.WaitFor(ctx, plan.Ledger, head); err != nil {
		t.Fatal(err)
	}
	counting.mu.Lock()
	froms := append([]uint64(nil), counting.froms...)
	counting.mu.Unlock()
	// From the checkpoint itself: its own commit is read again to check the
	// log still holds it (tieRecord), and only the ones after are folded.
	if len(froms) == 0 || froms[0] != checkpoint {
		t.Fatalf("after restart the projector followed from %v; want from the checkpoint %d, not from 1", froms, checkpoint)
	}
	want := NewModel(plan.Ledger)
	if err := ReplayInto(ctx, store2, want, Cut{}); err != nil {
		t.Fatal(err)
	}
	mustRead(t, ctx, p2, plan.Ledger, Cut{}, func(m *Model) {
		if m.Fingerprint() != want.Fingerprint() {
			t.Errorf("resumed model differs from a replay from zero")
		}
		checkSpecFigures(t, m)
	})
}

// runFrom writes the rest of a plan (the ledger is already open).
func runFrom(ctx context.Context, store eventstore.Store, p *scenario.Plan) error {
	return scenario.Run(ctx, store, p)
}

// checkSpecFigures checks two seed figures on the resumed model.
func checkSpecFigures(t *testing.T, m *Model) {
	s := m.Summary()
	if s.Projects.IndustryShare != "0.7580" || s.Integration.Ratio != "0.5224" {
		t.Errorf("after restart: industry share %s, integration ratio %s", s.Projects.IndustryShare, s.Integration.Ratio)
	}
}
