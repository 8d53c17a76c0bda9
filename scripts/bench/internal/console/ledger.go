package console

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// villages is how many villages each ledger has.
const villages = 100

// writers is how many goroutines submit the single payouts at once: the
// writer packs what they send into group commits (one fsync each).
const writers = 64

// submit writes one command through the ledger manager and answers how
// many events it wrote.
func submit(ctx context.Context, m *ledger.Manager, ledgerCode string, c domain.Command) (int, error) {
	res, err := m.Submit(ctx, ledgerCode, ledger.Request{Command: c, Actor: "bench"})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", c.CommandName(), err)
	}
	return len(res.Events), nil
}

// openLedger opens a ledger with its villages V000…V099.
func openLedger(ctx context.Context, m *ledger.Manager, ledgerCode string) (int, error) {
	events, err := submit(ctx, m, ledgerCode, domain.OpenLedger{Code: ledgerCode, Name: "某县"})
	if err != nil {
		return 0, err
	}
	for v := range villages {
		n, err := submit(ctx, m, ledgerCode, domain.RegisterVillage{ID: fmt.Sprintf("V%03d", v), Name: fmt.Sprintf("第%d村", v),
			Township: "镇", PoorVillage: v%3 == 0})
		if err != nil {
			return 0, err
		}
		events += n
	}
	return events, nil
}

// household answers the h-th household of a ledger: a valid, distinct ID
// number (one birth day per thousand households) and card number.
func household(h int) domain.RegisterHousehold {
	d := h / 1000
	first17 := fmt.Sprintf("341504%04d%02d%02d%03d", 1940+d/(12*28), 1+d/28%12, 1+d%28, h%1000)
	return domain.RegisterHousehold{ID: householdID(h), Village: fmt.Sprintf("V%03d", h%villages), HeadName: "张" + string(rune('一'+h%20)),
		IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 1 + h%5, Category: domain.HouseholdTypes[h%3],
		Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("6217%012d", h)}
}

func householdID(h int) string { return fmt.Sprintf("H%06d", h) }

func fundID(f int) string { return fmt.Sprintf("A%02d", f) }

// registries answers RegisterHouseholds commands for households [0, n), at
// most domain.MaxRegisterRows each (what one registry file may hold).
func registries(n int) []domain.RegisterHouseholds {
	var out []domain.RegisterHouseholds
	for start := 0; start < n; start += domain.MaxRegisterRows {
		var c domain.RegisterHouseholds
		for h := start; h < min(n, start+domain.MaxRegisterRows); h++ {
			c.Households = append(c.Households, household(h))
		}
		out = append(out, c)
	}
	return out
}

// buildLedger writes the big ledger through the ledger manager: villages,
// households (20,000 to a commit, as registry files), funds, 200 projects
// each appropriated and paid, payout batches of 1,000 lines on the first
// five funds (the even ones with the bank's results), then single payouts
// from 64 concurrent writers, spread over every fund and household, until
// the ledger holds cfg.Events events. It answers the events written.
func buildLedger(ctx context.Context, m *ledger.Manager, cfg Config) (int, error) {
	events, err := openLedger(ctx, m, code)
	if err != nil {
		return 0, err
	}
	add := func(c domain.Command) error {
		n, err := submit(ctx, m, code, c)
		events += n
		return err
	}
	for _, c := range registries(cfg.Households) {
		if err := add(c); err != nil {
			return events, err
		}
	}
	for f := range cfg.Funds {
		if err := add(domain.Allocate{ID: fundID(f), SourceLevel: domain.SourceLevels[f%4], Programme: "专项扶贫资金", FiscalYear: 2019,
			DocumentNo: fmt.Sprintf("财农〔2019〕%d号", f+1), Amount: "900000000000.00"}); err != nil {
			return events, err
		}
	}
	for p := range 200 {
		id := fmt.Sprintf("P%03d", p)
		f := fundID(p % cfg.Funds)
		for _, c := range []domain.Command{
			domain.ApproveProject{ID: id, Name: "项目", Village: fmt.Sprintf("V%03d", p%villages), Category: []string{"industry", "infrastructure"}[p%2],
				Batch: fmt.Sprintf("2019-%d", p%4+1), Budget: "1000000.00", ApprovalDoc: "批"},
			domain.Appropriate{Project: id, ID: "AP" + id, Fund: f, Amount: "1000000.00"},
			domain.Pay{Project: id, ID: "PAY" + id, Fund: f, Payee: fmt.Sprintf("施工单位%02d", p%20), Amount: "900000.00", VoucherNo: "v", Method: "treasury"},
		} {
			if err := add(c); err != nil {
				return events, err
			}
		}
	}
	for b := range cfg.Batches {
		if err := addBatch(add, b, cfg); err != nil {
			return events, err
		}
	}
	n, err := payouts(ctx, m, cfg, cfg.Events-events)
	return events + n, err
}

// addBatch writes payout batch b (1,000 lines, or one per household if
// fewer) and, for an even b, the bank's results: 95% paid, 3% failed, 2%
// returned.
func addBatch(add func(domain.Command) error, b int, cfg Config) error {
	size := min(1000, cfg.Households)
	id := fmt.Sprintf("B%04d", b)
	c := domain.PayoutBatch{ID: id, Fund: fundID(b % min(5, cfg.Funds)), Item: "光伏扶贫补助", Period: fmt.Sprintf("2019-%02d", b%12+1)}
	total := domain.Zero
	for j := range size {
		amt := domain.Fen(int64(30000 + 100*(j%50)))
		c.Lines = append(c.Lines, domain.BatchLineRequest{Household: householdID((b*size + j) % cfg.Households), Amount: domain.AmountText(amt.String())})
		total = total.Add(amt)
	}
	c.Control = domain.ControlRequest{Count: size, Amount: domain.AmountText(total.String())}
	if err := add(c); err != nil || b%2 == 1 {
		return err
	}
	r := domain.RecordBankResults{Batch: id}
	for j, l := range c.Lines {
		st := "paid"
		switch j % 100 {
		case 7, 37, 77:
			st = "failed"
		case 50, 99:
			st = "returned"
		}
		r.Lines = append(r.Lines, domain.BankResultRequest{Household: l.Household, Status: st, BankRef: fmt.Sprintf("R%s%04d", id, j)})
	}
	return add(r)
}

// payouts writes single payouts (one event each) from 64 concurrent
// writers until want events are written.
func payouts(ctx context.Context, m *ledger.Manager, cfg Config, want int) (int, error) {
	if want <= 0 {
		return 0, nil
	}
	items := []string{"产业直补", "雨露计划", "就业交通补助", "医疗保险补贴", "教育资助"}
	var next atomic.Int64
	var written atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= want {
					return
				}
				h := int((uint64(i) * 2654435761) % uint64(cfg.Households)) // spread over households
				n, err := submit(ctx, m, code, domain.Payout{ID: fmt.Sprintf("PO%07d", i), Household: householdID(h), Item: items[i%len(items)],
					Standard: "1000.00", Period: "2019", Fund: fundID(i % cfg.Funds), Amount: domain.AmountText(fmt.Sprintf("%d.00", 100+i%900))})
				if err != nil {
					errs <- err
					next.Store(int64(want)) // stop the others
					return
				}
				if w := written.Add(int64(n)); w%100000 < int64(n) {
					fmt.Fprintf(cfg.Log, "# %d payouts written (%.0f/s)\n", w, float64(w)/time.Since(start).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return int(written.Load()), <-errs
}
