package projections

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"pgregory.net/rapid"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
)

// longHistory writes a ledger of about n commits through the real writer:
// registrations, then payouts, with a reversal every seventh write and bank
// results now and then, so later commits change what earlier ones made.
func longHistory(t *testing.T, store eventstore.Store, n int) {
	ctx := context.Background()
	mgr := ledger.NewManager(store, ledger.Options{Logger: quiet()})
	defer mgr.Close()
	submit := func(c domain.Command) {
		if _, err := mgr.Submit(ctx, testLedger, ledger.Request{Command: c, Actor: "t"}); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
	}
	submit(domain.OpenLedger{Code: testLedger, Name: "某县"})
	submit(domain.RegisterVillage{ID: "V1", Name: "村", Township: "镇", PoorVillage: true})
	const households = 40
	for i := range households {
		first17 := fmt.Sprintf("34150419800101%03d", i)
		submit(domain.RegisterHousehold{ID: fmt.Sprintf("H%d", i), Village: "V1", HeadName: "户主", IDNumber: first17 + string(domain.IDNumberCheck(first17)),
			Members: 3, Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("62170000%04d", i)})
	}
	submit(domain.Allocate{ID: "A1", SourceLevel: domain.SourceLevels[0], Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "100000000.00"})
	var batches, writes []string
	for i := 0; i < n-households-3; i++ {
		id := fmt.Sprintf("W%d", i)
		switch {
		case i%7 == 6 && len(writes) > 0:
			submit(domain.Reverse{ID: id, Reverses: writes[len(writes)-1], Reason: "冲正"})
			writes = writes[:len(writes)-1]
		case i%11 == 10 && len(batches) > 0:
			submit(domain.RecordBankResults{Batch: batches[len(batches)-1], Lines: []domain.BankResultRequest{{Household: "H0", Status: "failed"}, {Household: "H1", Status: "paid"}}})
		case i%5 == 0:
			submit(domain.PayoutBatch{ID: id, Fund: "A1", Item: "雨露计划", Period: "2019-07",
				Control: domain.ControlRequest{Count: 2, Amount: "3.00"}, Lines: []domain.BatchLineRequest{{Household: "H0", Amount: "1.00"}, {Household: "H1", Amount: "2.00"}}})
			batches = append(batches, id)
		default:
			submit(domain.Payout{ID: id, Household: fmt.Sprintf("H%d", i%households), Item: "光伏扶贫补助", Standard: "100.00", Period: "2019", Fund: "A1", Amount: "1.00"})
			writes = append(writes, id)
		}
	}
}

// TestRebuildSnapshotsEveryInterval rebuilds a ledger of a few thousand
// commits with a small snapshot interval: the rebuild leaves signed,
// owner-only snapshots every rebuildInterval commits (no more than
// keepSnapshots) and one at the head, the checkpoint; each holds what a
// replay to its seq gives; a restart resumes from the head; and as-of cuts
// at random points start from the nearest snapshot at or before them (at
// most one interval back) and answer what a fresh replay gives.
func TestRebuildSnapshotsEveryInterval(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	defer store.Close()
	longHistory(t, store, 3000)
	head, _ := store.Head(ctx, testLedger)
	dir := t.TempDir()
	const every = 20
	p := New(store, Options{Dir: dir, SnapshotEvery: every, Logger: quiet()})
	m, err := p.Rebuild(ctx, testLedger, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := fresh(t, store, Cut{})
	if m.Seq() != head || m.Fingerprint() != want.Fingerprint() {
		t.Fatal("rebuilt model differs from a replay from zero")
	}
	interval := rebuildInterval(every, head)
	if interval <= every || interval > head/(keepSnapshots-1)+1 {
		t.Fatalf("interval %d for %d commits, SnapshotEvery %d: want it widened to fit %d snapshots", interval, head, every, keepSnapshots)
	}
	metas := p.snaps.metas(testLedger)
	var seqs []uint64
	for s := interval; s < head; s += interval {
		seqs = append(seqs, s)
	}
	seqs = append(seqs, head)
	if len(metas) != len(seqs) || len(metas) > keepSnapshots || p.Checkpoint(testLedger) != head {
		t.Fatalf("snapshots %d, checkpoint %d; want %d at %v, the last at the head %d", len(metas), p.Checkpoint(testLedger), len(seqs), seqs, head)
	}
	key, err := readKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, meta := range metas {
		if meta.Seq != seqs[i] {
			t.Fatalf("snapshot %d at %d, want %d", i, meta.Seq, seqs[i])
		}
		path := p.snaps.file(meta)
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want 0600", path, err, st.Mode().Perm())
		}
		sm, chk, err := verifyFile(path, key, true)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if ref := fresh(t, store, Cut{Seq: meta.Seq}); sm.Fingerprint() != ref.Fingerprint() || chk.digest != ref.Fingerprint() {
			t.Fatalf("snapshot at %d differs from a replay to it", meta.Seq)
		}
	}

	restarted := New(store, Options{Dir: dir, Logger: quiet()})
	resumed := restarted.get(testLedger, true)
	if err := restarted.resume(ctx, resumed); err != nil {
		t.Fatal(err)
	}
	if resumed.model.Seq() != head || resumed.model.Fingerprint() != want.Fingerprint() {
		t.Fatalf("a restart resumed at %d, want the rebuild's head %d with the same model", resumed.model.Seq(), head)
	}

	rng := rand.New(rand.NewPCG(1, uint64(head)))
	tr := p.get(testLedger, false)
	for range 12 {
		cut := Cut{Seq: 1 + rng.Uint64N(head)}
		sm, _, err := p.snapshotFor(ctx, tr, cut, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cut.Seq >= interval && (sm == nil || sm.Seq() > cut.Seq || cut.Seq-sm.Seq() >= interval) {
			t.Fatalf("as of %v: starts from snapshot %v, want the one at %d", cut, sm, cut.Seq/interval*interval)
		}
		ref := fresh(t, store, cut)
		if err := p.Read(ctx, testLedger, cut, func(m *Model) error {
			if m.Seq() != cut.Seq || m.Fingerprint() != ref.Fingerprint() {
				t.Errorf("as of %v after a rebuild: model at %d differs from a replay", cut, m.Seq())
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFrozenIsIndependent freezes a model in the middle of a random history
// and folds the rest into the original: the frozen copy still holds what a
// replay to the middle gives, so a snapshot encoded from it on another
// goroutine is the model at its seq whatever the fold does meanwhile.
func TestFrozenIsIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memory.New()
		defer store.Close()
		history(t, store)
		ctx := context.Background()
		head, _ := store.Head(ctx, testLedger)
		mid := rapid.Uint64Range(1, head).Draw(t, "mid")
		m := fresh(t, store, Cut{Seq: mid})
		want := m.Fingerprint()
		f := m.frozen()
		if err := ReplayInto(ctx, store, m, Cut{}); err != nil {
			t.Fatal(err)
		}
		if f.Fingerprint() != want {
			t.Fatalf("frozen at %d, the fold to %d changed it", mid, head)
		}
		if m.Fingerprint() != fresh(t, store, Cut{}).Fingerprint() {
			t.Fatal("the model folded on after a freeze differs from a replay")
		}
	})
}
