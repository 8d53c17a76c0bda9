package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
)

func openNATS(t *testing.T, dir string) *flnats.Store {
	t.Helper()
	s, err := flnats.Open(context.Background(), flnats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOnJetStreamRaceRestartAndRetry runs the overdraft race on the real
// embedded store, restarts it, and checks that state, head and idempotency
// keys all come back from disk.
func TestOnJetStreamRaceRestartAndRetry(t *testing.T) {
	dir := t.TempDir()
	store := openNATS(t, dir)
	m := NewManager(store, Options{Logger: quiet})
	openCounty(t, m, 64)
	alloc := Request{Command: domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019,
		DocumentNo: "d", Amount: "50000.00"}, Actor: "t", IdempotencyKey: "alloc-A1", RequestHash: "h"}
	first, err := m.Submit(context.Background(), code, alloc)
	if err != nil {
		t.Fatal(err)
	}
	var ok, short atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Submit(context.Background(), code, Request{Command: payout(fmt.Sprintf("PO%d", i), fmt.Sprintf("H%04d", i), "A1", "5000.00")})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, domain.ErrInsufficientFunds):
				short.Add(1)
			default:
				t.Errorf("payout %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 10 || short.Load() != 54 {
		t.Fatalf("%d paid, %d refused; want 10 and 54", ok.Load(), short.Load())
	}
	seq, hash, _ := m.Head(context.Background(), code)
	m.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	store = openNATS(t, dir)
	defer store.Close()
	m = NewManager(store, Options{Logger: quiet})
	defer m.Close()
	rseq, rhash, err := m.Head(context.Background(), code)
	if err != nil || rseq != seq || rhash != hash {
		t.Fatalf("after restart head %d %s %v, before %d %s", rseq, rhash, err, seq, hash)
	}
	if got := m.stateOf(t, code).Balance(domain.FundAccount(domain.PoolPoverty, "A1")); !got.IsZero() {
		t.Fatalf("fund after restart: %s", got)
	}
	again, err := m.Submit(context.Background(), code, alloc)
	if err != nil || again.Seq != first.Seq || again.Hash != first.Hash {
		t.Fatalf("retry after restart: %+v %v", again, err)
	}
	if s, _, _ := m.Head(context.Background(), code); s != seq {
		t.Fatalf("the retry wrote: head %d → %d", seq, s)
	}
	if v, err := Verify(context.Background(), store, code); err != nil || !v.Valid || v.Seq != seq {
		t.Fatalf("verify after restart: %+v %v", v, err)
	}
}

// TestLargeBatchIsOneCommit: a 5,000-line payout batch is one atomic commit.
func TestLargeBatchIsOneCommit(t *testing.T) {
	store := openNATS(t, t.TempDir())
	defer store.Close()
	m := NewManager(store, Options{Logger: quiet})
	defer m.Close()
	openCounty(t, m, 5000)
	submit(t, m, domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "5000000.00"})
	lines := make([]domain.BatchLineRequest, 5000)
	for i := range lines {
		lines[i] = domain.BatchLineRequest{Household: fmt.Sprintf("H%04d", i), Amount: "1000.00"}
	}
	res := submit(t, m, domain.PayoutBatch{ID: "B1", Fund: "A1", Item: "脱贫奖励", Period: "2019",
		Control: domain.ControlRequest{Count: 5000, Amount: "5000000.00"}, Lines: lines})
	if len(res.Events) != 1 {
		t.Fatalf("%d events", len(res.Events))
	}
	if got := m.stateOf(t, code).Balance(domain.FundAccount(domain.PoolPoverty, "A1")); !got.IsZero() {
		t.Fatalf("fund %s", got)
	}
}
