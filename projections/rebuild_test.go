package projections

import (
	"context"
	"path/filepath"
	"testing"
)

// TestRebuildSnapshotsOnlyAtTheHead rebuilds the seed ledger with a small
// snapshot interval: the rebuild writes one snapshot, at the head, which is
// the checkpoint; the rebuilt model equals a replay; a restart resumes from
// it; and an as-of read before the head, which has no snapshot to start
// from, still answers what a replay up to the cut gives.
func TestRebuildSnapshotsOnlyAtTheHead(t *testing.T) {
	ctx := context.Background()
	_, store, want := loadScenario(t, filepath.Join("..", "testdata", "seed001.json"))
	dir := t.TempDir()
	p := New(store, Options{Dir: dir, SnapshotEvery: 5, Logger: quiet(), eager: true})
	m, err := p.Rebuild(ctx, want.Ledger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Fingerprint() != want.Fingerprint() {
		t.Fatal("rebuilt model differs from a replay from zero")
	}
	metas := p.snaps.metas(want.Ledger())
	if len(metas) != 1 || metas[0].Seq != want.Seq() || p.Checkpoint(want.Ledger()) != want.Seq() {
		t.Fatalf("after a rebuild to %d: snapshots %+v, checkpoint %d; want one, at the head", want.Seq(), metas, p.Checkpoint(want.Ledger()))
	}

	restarted := New(store, Options{Dir: dir, Logger: quiet()})
	resumed := restarted.get(want.Ledger(), true)
	if err := restarted.resume(ctx, resumed); err != nil {
		t.Fatal(err)
	}
	if resumed.model.Seq() != want.Seq() || resumed.model.Fingerprint() != want.Fingerprint() {
		t.Fatalf("a restart resumed at %d, want the rebuild's head %d with the same model", resumed.model.Seq(), want.Seq())
	}

	cut := Cut{Seq: want.Seq() / 2}
	early := NewModel(want.Ledger())
	if err := ReplayInto(ctx, store, early, cut); err != nil {
		t.Fatal(err)
	}
	if err := p.Read(ctx, want.Ledger(), cut, func(m *Model) error {
		if m.Seq() != cut.Seq || m.Fingerprint() != early.Fingerprint() {
			t.Errorf("as of %v after a rebuild: model at %d differs from a replay", cut, m.Seq())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
