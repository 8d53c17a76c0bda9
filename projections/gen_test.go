package projections

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/ledger"
)

const testLedger = "341504"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// history writes a random history through the real writer: every kind of
// money write, bank results, reversals and reversals of reversals. Commands
// the decider rejects are simply not written. It answers the commands tried.
func history(t *rapid.T, store eventstore.Store) int { return historyDated(t, store, false) }

// historyDated is history; with backdate, about one write in four is dated
// up to ten days before its record day (补录), so business cuts differ from
// record cuts.
func historyDated(t *rapid.T, store eventstore.Store, backdate bool) int {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2019, 1, 1, 8, 0, 0, 0, time.UTC)
	mgr := ledger.NewManager(store, ledger.Options{Logger: quiet(), Clock: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}})
	defer mgr.Close()
	submit := func(c domain.Command) {
		mu.Lock()
		now = now.Add(time.Duration(rapid.IntRange(0, 36*60).Draw(t, "minutes")) * time.Minute)
		today := now
		mu.Unlock()
		if backdate && rapid.IntRange(0, 3).Draw(t, "backdated") == 0 {
			c = withDate(c, domain.ChinaDay(today.AddDate(0, 0, -rapid.IntRange(0, 10).Draw(t, "days back"))))
		}
		_, _ = mgr.Submit(ctx, testLedger, ledger.Request{Command: c, Actor: "t"})
	}
	submit(domain.OpenLedger{Code: testLedger, Name: "某县"})
	for v := 1; v <= 2; v++ {
		submit(domain.RegisterVillage{ID: fmt.Sprintf("V%d", v), Name: "村", Township: "镇", PoorVillage: v == 1})
	}
	hh := []string{"H1", "H2", "H3", "H4"}
	for i, h := range hh {
		first17 := fmt.Sprintf("3415041980010100%d", i)
		submit(domain.RegisterHousehold{ID: h, Village: fmt.Sprintf("V%d", i%2+1), HeadName: "户主", IDNumber: first17 + string(domain.IDNumberCheck(first17)),
			Members: 3, Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("62170000%04d", i)})
	}
	amt := func(label string) domain.AmountText {
		return domain.AmountText(domain.Fen(int64(rapid.IntRange(1, 50000).Draw(t, label))).String())
	}
	funds := []string{"A1", "A2", "I1"}
	projects := []string{"P1", "P2", "P3"}
	items := []string{"光伏扶贫补助", "雨露计划"}
	var writes, batches []string
	n := rapid.IntRange(5, 60).Draw(t, "steps")
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("W%d", i)
		switch rapid.IntRange(0, 11).Draw(t, "kind") {
		case 0:
			f := rapid.SampledFrom(funds).Draw(t, "fund")
			if f[0] == 'I' {
				submit(domain.Integrate{ID: f, Programme: "农业综合开发", FiscalYear: 2019, DocumentNo: "d", Amount: amt("amount")})
			} else {
				submit(domain.Allocate{ID: f, SourceLevel: rapid.SampledFrom(domain.SourceLevels).Draw(t, "level"), Programme: "专项",
					FiscalYear: 2019, DocumentNo: "d", Amount: amt("amount")})
			}
			writes = append(writes, f)
		case 1:
			submit(domain.ApproveProject{ID: rapid.SampledFrom(projects).Draw(t, "project"), Name: "项目", Village: rapid.SampledFrom([]string{"", "V1", "V2"}).Draw(t, "village"),
				Category: rapid.SampledFrom([]string{"industry", "infrastructure"}).Draw(t, "cat"), Batch: rapid.SampledFrom([]string{"b1", "b2"}).Draw(t, "batch"),
				Budget: amt("budget"), ApprovalDoc: "批"})
		case 2:
			submit(domain.ChangeProjectStatus{Project: rapid.SampledFrom(projects).Draw(t, "project"),
				Status: rapid.SampledFrom([]string{"started", "completed", "accepted", "cancelled"}).Draw(t, "status")})
		case 3, 4:
			submit(domain.Appropriate{Project: rapid.SampledFrom(projects).Draw(t, "project"), ID: id, Fund: rapid.SampledFrom(funds).Draw(t, "fund"), Amount: amt("amount")})
			writes = append(writes, id)
		case 5:
			submit(domain.Pay{Project: rapid.SampledFrom(projects).Draw(t, "project"), ID: id, Fund: rapid.SampledFrom(funds).Draw(t, "fund"),
				Payee: rapid.SampledFrom([]string{"某建筑公司", "某供应商"}).Draw(t, "payee"), Amount: amt("amount"), VoucherNo: "v", Method: "treasury"})
			writes = append(writes, id)
		case 6:
			submit(domain.Recover{Project: rapid.SampledFrom(projects).Draw(t, "project"), ID: id, Fund: rapid.SampledFrom(funds).Draw(t, "fund"), Amount: amt("amount"), Reason: "取消"})
			writes = append(writes, id)
		case 7:
			submit(domain.Payout{ID: id, Household: rapid.SampledFrom(hh).Draw(t, "household"), Item: rapid.SampledFrom(items).Draw(t, "item"),
				Standard: "100.00", Period: "2019", Fund: rapid.SampledFrom(funds).Draw(t, "fund"), Amount: amt("amount")})
			writes = append(writes, id)
		case 8:
			k := rapid.IntRange(1, len(hh)).Draw(t, "lines")
			var lines []domain.BatchLineRequest
			total := domain.Zero
			for _, h := range hh[:k] {
				a := amt("line")
				lines = append(lines, domain.BatchLineRequest{Household: h, Amount: a})
				total = total.Add(domain.MustParse(string(a)))
			}
			submit(domain.PayoutBatch{ID: id, Fund: rapid.SampledFrom(funds).Draw(t, "fund"), Item: rapid.SampledFrom(items).Draw(t, "item"), Period: "2019-07",
				Control: domain.ControlRequest{Count: k, Amount: domain.AmountText(total.String())}, Lines: lines})
			writes, batches = append(writes, id), append(batches, id)
		case 9:
			if len(batches) > 0 {
				var res []domain.BankResultRequest
				for _, h := range hh[:rapid.IntRange(1, len(hh)).Draw(t, "results")] {
					res = append(res, domain.BankResultRequest{Household: h, Status: rapid.SampledFrom([]string{"paid", "failed", "returned"}).Draw(t, "bank")})
				}
				submit(domain.RecordBankResults{Batch: rapid.SampledFrom(batches).Draw(t, "batch"), Lines: res})
			}
		case 10, 11:
			if len(writes) > 0 {
				submit(domain.Reverse{ID: id, Reverses: rapid.SampledFrom(writes).Draw(t, "reverses"), Reason: "冲正"})
				writes = append(writes, id)
			}
		}
	}
	return n
}

// withDate answers c with its business date set.
func withDate(c domain.Command, date string) domain.Command {
	v := reflect.New(reflect.TypeOf(c)).Elem()
	v.Set(reflect.ValueOf(c))
	v.FieldByName("Date").SetString(date)
	return v.Interface().(domain.Command)
}
