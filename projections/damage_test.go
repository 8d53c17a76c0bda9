package projections

import (
	"errors"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/internal/scenario"
)

// TestLogBehindSnapshotIsDamage gives the projector a store that holds
// fewer commits of the ledger than its snapshots saw (the store lost its
// tail): that is a damaged log, not a bad snapshot. OnDamage hears of it
// once with the first missing seq, every read of the ledger refuses with a
// DamagedError, a rebuild refuses too, DeepCheck names the snapshots past
// the head, and another ledger of the same store is served as usual.
func TestLogBehindSnapshotIsDamage(t *testing.T) {
	ctx := testCtx(t)
	full := openNATS(t, ctx)
	plan := seedPlan(t, nil)
	if err := scenario.Run(ctx, full, plan); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	snapshotLedger(t, ctx, full, plan.Ledger, dir)

	short := openNATS(t, ctx)
	if err := scenario.Run(ctx, short, &scenario.Plan{Ledger: plan.Ledger, Steps: plan.Steps[:len(plan.Steps)/2]}); err != nil {
		t.Fatal(err)
	}
	other := seedPlan(t, func(s *scenario.Spec) { s.Ledger.Code = "341599" })
	if err := scenario.Run(ctx, short, other); err != nil {
		t.Fatal(err)
	}
	head, _ := short.Head(ctx, plan.Ledger)

	type report struct {
		ledger string
		seq    uint64
		reason string
	}
	reports := make(chan report, 8)
	onDamage := func(l string, seq uint64, reason string) { reports <- report{l, seq, reason} }
	p := New(short, Options{Dir: dir, Logger: quiet(), OnDamage: onDamage})
	stop := runProjector(t, p)
	defer stop()

	var got report
	select {
	case got = <-reports:
	case <-ctx.Done():
		t.Fatal("OnDamage was not called")
	}
	if got.ledger != plan.Ledger || got.seq != head+1 || !strings.Contains(got.reason, "lost") {
		t.Fatalf("OnDamage(%q, %d, %q); want ledger %s from seq %d", got.ledger, got.seq, got.reason, plan.Ledger, head+1)
	}
	for _, cut := range []Cut{{}, {Seq: 1}, {Seq: head}} {
		called := false
		err := p.Read(ctx, plan.Ledger, cut, func(*Model) error { called = true; return nil })
		var d *DamagedError
		if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) || d.Ledger != plan.Ledger || d.Seq != head+1 || called {
			t.Errorf("read as of %v of the damaged ledger: %v (served: %v)", cut, err, called)
		}
	}
	if err := p.WaitFor(ctx, plan.Ledger, head); !errors.Is(err, ErrDamaged) {
		t.Errorf("WaitFor on the damaged ledger: %v", err)
	}

	otherHead, _ := short.Head(ctx, other.Ledger)
	if err := p.WaitFor(ctx, other.Ledger, otherHead); err != nil {
		t.Fatal(err)
	}
	want := freshAt(t, ctx, short, other.Ledger, Cut{})
	if err := p.Read(ctx, other.Ledger, Cut{}, func(m *Model) error {
		if m.Fingerprint() != want.Fingerprint() {
			t.Error("the other ledger is not served as a replay of its log")
		}
		return nil
	}); err != nil {
		t.Fatalf("the other ledger: %v", err)
	}
	select {
	case r := <-reports:
		t.Errorf("OnDamage called again: %+v", r)
	default:
	}

	offline := New(short, Options{Dir: dir, Logger: quiet()})
	if _, err := offline.Rebuild(ctx, plan.Ledger, nil); !errors.Is(err, ErrDamaged) {
		t.Errorf("a rebuild over the snapshots of a longer history: %v; want it refused", err)
	}
	res, err := DeepCheck(ctx, short, dir, plan.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || !strings.Contains(res.Bad[len(res.Bad)-1].Problem, "beyond the log's head") {
		t.Errorf("deep check against the short store: %+v", res.Bad)
	}
}

// TestChangedHistoryIsDamage gives the projector a store whose ledger has
// as many commits as the snapshots saw, but another history (its opening
// differs): the hash at the snapshot's seq differs, so the ledger is
// damaged from that seq.
func TestChangedHistoryIsDamage(t *testing.T) {
	ctx := testCtx(t)
	orig := openNATS(t, ctx)
	plan := seedPlan(t, nil)
	if err := scenario.Run(ctx, orig, plan); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := snapshotLedger(t, ctx, orig, plan.Ledger, dir)
	newest, _ := p.snaps.checkpoint(plan.Ledger)

	changed := openNATS(t, ctx)
	if err := scenario.Run(ctx, changed, seedPlan(t, func(s *scenario.Spec) { s.Ledger.Name += "（改）" })); err != nil {
		t.Fatal(err)
	}
	reports := make(chan uint64, 8)
	p2 := New(changed, Options{Dir: dir, Logger: quiet(), OnDamage: func(_ string, s uint64, _ string) { reports <- s }})
	stop := runProjector(t, p2)
	defer stop()
	select {
	case seq := <-reports:
		if seq != newest.Seq {
			t.Errorf("OnDamage from seq %d; want the checkpoint's seq %d", seq, newest.Seq)
		}
	case <-ctx.Done():
		t.Fatal("OnDamage was not called")
	}
	err := p2.Read(ctx, plan.Ledger, Cut{Seq: newest.Seq}, func(*Model) error { return nil })
	var d *DamagedError
	if !errors.As(err, &d) || d.Seq != newest.Seq || !strings.Contains(d.Reason, "hash") {
		t.Fatalf("as-of read over a changed history: %v; want damage at %d", err, newest.Seq)
	}

	// An as-of read finds it too, without a follower: the as-of path ties
	// its snapshot to the log on its own.
	var seq uint64
	p3 := New(changed, Options{Dir: dir, Logger: quiet(), OnDamage: func(_ string, s uint64, _ string) { seq = s }})
	mid := p.snaps.metas(plan.Ledger)[1]
	if _, err := p3.replay(ctx, p3.get(plan.Ledger, true), Cut{Seq: mid.Seq}); !errors.As(err, &d) || d.Seq != mid.Seq || seq != mid.Seq {
		t.Fatalf("as-of replay over a changed history: %v (OnDamage seq %d); want damage at %d", err, seq, mid.Seq)
	}
}
