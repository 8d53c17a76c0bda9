package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
)

const code = "341504"

// countingStore counts appends, to see group commit at work.
type countingStore struct {
	eventstore.Store
	appends atomic.Int64
	delay   time.Duration // slows each append, as an fsync does
}

func (c *countingStore) Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (uint64, error) {
	c.appends.Add(1)
	time.Sleep(c.delay)
	return c.Store.Append(ctx, ledger, expected, records)
}

func submit(t testing.TB, m *Manager, c domain.Command) Result {
	t.Helper()
	res, err := m.Submit(context.Background(), code, Request{Command: c, Actor: "test"})
	if err != nil {
		t.Fatalf("%s: %v", c.CommandName(), err)
	}
	return res
}

// openCounty opens a ledger with one village and n households.
func openCounty(t testing.TB, m *Manager, households int) {
	t.Helper()
	submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})
	submit(t, m, domain.RegisterVillage{ID: "V001", Name: "罗田村", Township: "某镇", PoorVillage: true})
	// Concurrently, so that group commit keeps large setups quick.
	var wg sync.WaitGroup
	for i := 0; i < households; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Submit(context.Background(), code, Request{Command: domain.RegisterHousehold{ID: fmt.Sprintf("H%04d", i),
				Village: "V001", HeadName: "户主", IDNumber: idNumber(i), Members: 3, Category: "ordinary",
				Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"}})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// idNumber answers a valid ID number of its own for household i.
func idNumber(i int) string {
	first17 := fmt.Sprintf("11010519491%06d", i)
	return first17 + string(domain.IDNumberCheck(first17))
}

func payout(id, household, fund, amount string) domain.Payout {
	return domain.Payout{ID: id, Household: household, Item: "产业直补", Standard: "5000.00", Period: "2019",
		Fund: fund, Amount: domain.AmountText(amount)}
}

func (m *Manager) stateOf(t interface{ Fatal(...any) }, ledger string) *domain.State {
	w, err := m.writer(context.Background(), ledger, false)
	if err != nil {
		t.Fatal(err)
	}
	// Read through the writer's goroutine-free path: wait until idle by
	// submitting nothing; tests only call this when no writes are in flight.
	return w.state
}

// TestOverdraftRaceLetsExactlyTheAffordablePayoutsThrough: 64 goroutines pay
// out 5000 each from a fund holding 50000: exactly 10 succeed.
func TestOverdraftRaceLetsExactlyTheAffordablePayoutsThrough(t *testing.T) {
	store := &countingStore{Store: memory.New(), delay: time.Millisecond}
	m := NewManager(store, Options{Logger: quiet})
	defer m.Close()
	openCounty(t, m, 64)
	submit(t, m, domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "50000.00"})

	var ok, short atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := m.Submit(context.Background(), code, Request{Command: payout(fmt.Sprintf("PO%d", i), fmt.Sprintf("H%04d", i), "A1", "5000.00"), Actor: "t"})
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
	close(start)
	wg.Wait()
	if ok.Load() != 10 || short.Load() != 54 {
		t.Fatalf("%d succeeded and %d were refused; want 10 and 54", ok.Load(), short.Load())
	}
	if got := m.stateOf(t, code).Balance(domain.FundAccount(domain.PoolPoverty, "A1")); !got.IsZero() {
		t.Fatalf("fund ends at %s, want 0.00", got)
	}
	// The same from the store alone.
	fresh := NewManager(store, Options{Logger: quiet})
	defer fresh.Close()
	if got := fresh.stateOf(t, code).Balance(domain.FundAccount(domain.PoolPoverty, "A1")); !got.IsZero() {
		t.Fatalf("replayed fund ends at %s", got)
	}
}

// TestConcurrentWritesShareAppends: commands that arrive while an append is in
// flight are committed together, so far fewer appends than commits happen,
// and each caller still gets its own sequence.
func TestConcurrentWritesShareAppends(t *testing.T) {
	store := &countingStore{Store: memory.New(), delay: 2 * time.Millisecond}
	m := NewManager(store, Options{Logger: quiet})
	defer m.Close()
	openCounty(t, m, 0)
	before := store.appends.Load()
	const n = 400
	seqs := make(chan uint64, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := m.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: fmt.Sprintf("A%d", i),
				SourceLevel: "county", Programme: "区本级", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}, Actor: "t"})
			if err != nil {
				t.Error(err)
				return
			}
			seqs <- res.Seq
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("two callers got seq %d", s)
		}
		seen[s] = true
	}
	appends := store.appends.Load() - before
	t.Logf("%d commits in %d appends", n, appends)
	if appends > n/4 {
		t.Fatalf("%d commits took %d appends: no group commit", n, appends)
	}
	if v, err := Verify(context.Background(), store, code); err != nil || !v.Valid || v.Seq != n+2 {
		t.Fatalf("chain after group commits: %+v %v", v, err)
	}
}

func TestIdempotentRetryReturnsTheOriginalAndWritesNothing(t *testing.T) {
	store := memory.New()
	m := NewManager(store, Options{Logger: quiet})
	openCounty(t, m, 1)
	alloc := domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "100.00"}
	req := Request{Command: alloc, Actor: "t", IdempotencyKey: "k-1", RequestHash: "h1"}
	first, err := m.Submit(context.Background(), code, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.Submit(context.Background(), code, req)
	if err != nil || again.Seq != first.Seq || again.Hash != first.Hash || !again.Replayed || len(again.Events) != 1 {
		t.Fatalf("retry answered %+v, %v; want the original %+v", again, err, first)
	}
	other := req
	other.RequestHash = "h2"
	if _, err := m.Submit(context.Background(), code, other); !errors.Is(err, ErrIdempotencyConflict) {
		t.Fatalf("same key, other request: %v", err)
	}
	head, _ := store.Head(context.Background(), code)
	m.Close()

	// After a restart the key still answers the original result.
	m2 := NewManager(store, Options{Logger: quiet})
	defer m2.Close()
	after, err := m2.Submit(context.Background(), code, req)
	if err != nil || after.Seq != first.Seq || after.Hash != first.Hash || string(after.Events[0].Data) != string(first.Events[0].Data) {
		t.Fatalf("retry after restart: %+v %v", after, err)
	}
	if h, _ := store.Head(context.Background(), code); h != head {
		t.Fatalf("retries wrote: head %d → %d", head, h)
	}
}

func TestSameKeyTwiceInOneGroupIsWrittenOnce(t *testing.T) {
	store := &countingStore{Store: memory.New(), delay: 5 * time.Millisecond}
	m := NewManager(store, Options{Logger: quiet})
	defer m.Close()
	openCounty(t, m, 0)
	req := Request{Command: domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"},
		Actor: "t", IdempotencyKey: "same", RequestHash: "h"}
	var wg sync.WaitGroup
	results := make([]Result, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := m.Submit(context.Background(), code, req)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.Seq != results[0].Seq || r.Hash != results[0].Hash {
			t.Fatalf("retries disagree: %+v vs %+v", r, results[0])
		}
	}
	if h, _ := store.Head(context.Background(), code); h != 3 {
		t.Fatalf("head %d, want 3 (open, village, one allocation)", h)
	}
}

func TestUnknownLedgerIsNotFoundAndNotCreated(t *testing.T) {
	store := memory.New()
	m := NewManager(store, Options{Logger: quiet})
	defer m.Close()
	_, err := m.Submit(context.Background(), "999999", Request{Command: domain.RegisterVillage{ID: "V1", Name: "n", Township: "t"}})
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.KindNotFound {
		t.Fatalf("got %v", err)
	}
	if ls, _ := store.Ledgers(context.Background()); len(ls) != 0 {
		t.Fatalf("a write to an unknown ledger created %v", ls)
	}
	// A failed open leaves no half-open ledger behind.
	if _, err := m.Submit(context.Background(), "", Request{Command: domain.OpenLedger{Code: "341504"}}); err == nil {
		t.Fatal("open without a name accepted")
	}
	_, err = m.Submit(context.Background(), "341504", Request{Command: domain.RegisterVillage{ID: "V1", Name: "n", Township: "t"}})
	if !errors.As(err, &de) || de.Kind != domain.KindNotFound {
		t.Fatalf("after a failed open: %v", err)
	}
}

// TestSecondWriterConflictsAndNothingIsLost: two managers on one store (two
// servers on one ledger) cannot both append at one version.
func TestSecondWriterConflictsAndNothingIsLost(t *testing.T) {
	store := memory.New()
	a := NewManager(store, Options{Logger: quiet})
	defer a.Close()
	openCounty(t, a, 0)
	b := NewManager(store, Options{Logger: quiet})
	defer b.Close()
	if _, _, err := b.Head(context.Background(), code); err != nil {
		t.Fatal(err)
	}
	submit(t, a, domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"})
	// b's state is stale; its writer reloads on conflict and decides again.
	res, err := b.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: "A2", SourceLevel: "central",
		Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}})
	if err != nil || res.Seq != 4 {
		t.Fatalf("stale writer: %+v %v", res, err)
	}
	_, err = b.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: "A1", SourceLevel: "central",
		Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}})
	if !errors.Is(err, domain.ErrDuplicate) {
		t.Fatalf("reused id through the second writer: %v", err)
	}
	if v, _ := Verify(context.Background(), store, code); !v.Valid || v.Seq != 4 {
		t.Fatalf("chain: %+v", v)
	}
}

// flakyStore fails appends: after storing them (a timeout that hid a
// success) or before (a real failure).
type flakyStore struct {
	eventstore.Store
	storeFirst bool
}

func (f *flakyStore) Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (uint64, error) {
	if f.storeFirst {
		if _, err := f.Store.Append(ctx, ledger, expected, records); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("nats: timeout")
}

// TestFailedAppendAnswersWhatTheStoreHolds: callers are told a write failed
// only if the store does not hold it.
func TestFailedAppendAnswersWhatTheStoreHolds(t *testing.T) {
	mem := memory.New()
	m := NewManager(mem, Options{Logger: quiet})
	openCounty(t, m, 0)
	m.Close()
	alloc := Request{Command: domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "p", FiscalYear: 2019,
		DocumentNo: "d", Amount: "1.00"}, Actor: "t", IdempotencyKey: "k", RequestHash: "h"}

	lost := NewManager(&flakyStore{Store: mem}, Options{Logger: quiet})
	if _, err := lost.Submit(context.Background(), code, alloc); err == nil {
		t.Fatal("an append the store refused was answered as written")
	}
	lost.Close()
	if h, _ := mem.Head(context.Background(), code); h != 2 {
		t.Fatalf("head %d", h)
	}

	hidden := NewManager(&flakyStore{Store: mem, storeFirst: true}, Options{Logger: quiet})
	defer hidden.Close()
	res, err := hidden.Submit(context.Background(), code, alloc)
	if err != nil || res.Seq != 3 {
		t.Fatalf("an append stored despite the error was answered %+v, %v", res, err)
	}
	// The state includes it: the id is taken, the key answers the same.
	if _, err := hidden.Submit(context.Background(), code, Request{Command: alloc.Command}); !errors.Is(err, domain.ErrDuplicate) {
		t.Fatalf("after a hidden success: %v", err)
	}
}
