package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/ledger"
)

// TestReplayAsOfADateShowsTheDemoAtMidYear: the demo county is dated in
// 2019, so `replay --as-of 2019-06-30` answers mid-year: some payouts and
// project payments, fewer than at year-end; with --known-at 1 (the ledger
// as it stood after its first commit) none.
func TestReplayAsOfADateShowsTheDemoAtMidYear(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := nats.Open(ctx, nats.Options{DataDir: dir, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	mgr := ledger.NewManager(store, ledger.Options{Logger: quietLog()})
	if _, err := demo.Load(ctx, mgr, demo.Build(300)); err != nil {
		t.Fatal(err)
	}
	mgr.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Seq     uint64 `json:"seq"`
		Summary struct {
			Payouts struct {
				Total struct{ Amount domain.Money } `json:"total"`
			} `json:"payouts"`
			Projects struct {
				Total struct{ Paid domain.Money } `json:"total"`
			} `json:"projects"`
		} `json:"summary"`
	}
	replay := func(args ...string) answer {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.json")
		if err := runReplay(append([]string{"--data-dir", dir, "--ledger", demo.Ledger, "--out", out}, args...)); err != nil {
			t.Fatal(err)
		}
		var a answer
		b, _ := os.ReadFile(out)
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	mid, end, early := replay("--as-of", "2019-06-30"), replay(), replay("--as-of", "2019-06-30", "--known-at", "1")
	if mid.Seq != end.Seq {
		t.Errorf("a business cut known at the head answers seq %d, head %d", mid.Seq, end.Seq)
	}
	for name, pair := range map[string][2]domain.Money{
		"payouts": {mid.Summary.Payouts.Total.Amount, end.Summary.Payouts.Total.Amount},
		"paid":    {mid.Summary.Projects.Total.Paid, end.Summary.Projects.Total.Paid},
	} {
		if !pair[0].IsPositive() || pair[0].Cmp(pair[1]) >= 0 {
			t.Errorf("%s: mid-year %s, year-end %s", name, pair[0], pair[1])
		}
	}
	if early.Seq != 1 || !early.Summary.Payouts.Total.Amount.IsZero() {
		t.Errorf("known at 1: seq %d, payouts %s", early.Seq, early.Summary.Payouts.Total.Amount)
	}
}
