package projections

import (
	"context"
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// fresh replays the store up to cut into a new model: the reference answer.
func fresh(t rapid.TB, store eventstore.Store, cut Cut) *Model {
	m := NewModel(testLedger)
	if err := ReplayInto(context.Background(), store, m, cut); err != nil {
		t.Fatalf("replay: %v", err)
	}
	return m
}

// commitTimes answers each commit's time, by seq (index 0 unused).
func commitTimes(t rapid.TB, store eventstore.Store) []time.Time {
	out := []time.Time{{}}
	err := store.Read(context.Background(), testLedger, 1, func(r eventstore.Record) error {
		c, err := domain.UnmarshalCommit(r.Data)
		out = append(out, c.Time)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAsOfFromSnapshotsEqualsReplay is the as-of property: for random
// histories and random cuts (a sequence, a commit's exact time, a time
// between commits), the projector's answer — a live model or one replayed
// from its nearest snapshot — is the same model as a fresh replay of the
// store up to the cut, and the invariants hold at every cut.
func TestAsOfFromSnapshotsEqualsReplay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memory.New()
		defer store.Close()
		history(t, store)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		head, _ := store.Head(ctx, testLedger)
		p := New(store, Options{SnapshotEvery: uint64(rapid.IntRange(1, 8).Draw(t, "every")), Logger: quiet(), eager: true})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- p.Run(runCtx) }()
		defer func() { stop(); <-done }()
		if err := p.WaitFor(ctx, testLedger, head); err != nil {
			t.Fatal(err)
		}
		times := commitTimes(t, store)
		for range 4 {
			var cut Cut
			switch rapid.IntRange(0, 2).Draw(t, "cut kind") {
			case 0:
				cut.Seq = rapid.Uint64Range(1, head).Draw(t, "seq")
			case 1:
				cut.Time = times[rapid.IntRange(1, int(head)).Draw(t, "at commit")]
			default:
				base := times[rapid.IntRange(1, int(head)).Draw(t, "near commit")]
				cut.Time = base.Add(time.Duration(rapid.IntRange(-600, 600).Draw(t, "offset s")) * time.Second)
			}
			want := fresh(t, store, cut)
			err := p.Read(ctx, testLedger, cut, func(m *Model) error {
				if m.Fingerprint() != want.Fingerprint() {
					t.Fatalf("as of %v: model at seq %d differs from a fresh replay at seq %d", cut, m.Seq(), want.Seq())
				}
				checkInvariants(t, m)
				return nil
			})
			if err != nil {
				t.Fatalf("read as of %v: %v", cut, err)
			}
		}
		// Live equals a replay of everything.
		mustRead(t, ctx, p, testLedger, Cut{}, func(m *Model) {
			if m.Fingerprint() != fresh(t, store, Cut{}).Fingerprint() {
				t.Fatalf("live model differs from a fresh replay")
			}
		})
		if err := p.Read(ctx, testLedger, Cut{Seq: head + 1}, func(*Model) error { return nil }); !errors.Is(err, ErrBeyondHead) {
			t.Fatalf("as of seq past the head: %v", err)
		}
	})
}
