package projections

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// benchModel folds a history shaped like the read-side benchmark's
// (scripts/bench/internal/readside): households, villages, projects, then
// payouts to random households until events commits are folded.
func benchModel(tb testing.TB, households, events int) *Model {
	tb.Helper()
	st := domain.NewState()
	m := NewModel(testLedger)
	prev := domain.GenesisHash
	t := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(c domain.Command) {
		evs, err := domain.Decide(st, c)
		if err != nil {
			tb.Fatalf("%s: %v", c.CommandName(), err)
		}
		for _, e := range evs {
			st.Apply(e)
		}
		t = t.Add(20 * time.Second)
		cm := &domain.Commit{Ledger: testLedger, Seq: m.st.Seq + 1, Time: t, Version: domain.CommitVersion, Date: domain.ChinaDay(t),
			Actor: "bench", Command: c.CommandName(), PrevHash: prev}
		cm.Seal()
		prev = cm.Hash
		if err := m.applyDecoded(cm, evs); err != nil {
			tb.Fatal(err)
		}
	}
	add(domain.OpenLedger{Code: testLedger, Name: "某县"})
	for v := range 100 {
		add(domain.RegisterVillage{ID: fmt.Sprintf("V%03d", v), Name: "村", Township: "镇", PoorVillage: v%3 == 0})
	}
	for h := range households {
		d := h / 1000
		first17 := fmt.Sprintf("341504%04d%02d%02d%03d", 1940+d/(12*28), 1+d/28%12, 1+d%28, h%1000)
		add(domain.RegisterHousehold{ID: fmt.Sprintf("H%06d", h), Village: fmt.Sprintf("V%03d", h%100), HeadName: "户主",
			IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 1 + h%5, Category: domain.HouseholdTypes[h%3],
			Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("6217%012d", h)})
	}
	for i, l := range []string{"central", "provincial", "municipal", "county"} {
		add(domain.Allocate{ID: fmt.Sprintf("A%d", i), SourceLevel: l, Programme: "专项扶贫资金", FiscalYear: 2019, DocumentNo: "财农〔2019〕1号", Amount: "900000000000.00"})
	}
	for p := range 200 {
		id := fmt.Sprintf("P%03d", p)
		add(domain.ApproveProject{ID: id, Name: "项目", Village: fmt.Sprintf("V%03d", p%100), Category: []string{"industry", "infrastructure"}[p%2],
			Batch: fmt.Sprintf("2019-%d", p%4+1), Budget: "1000000.00", ApprovalDoc: "批"})
		add(domain.Appropriate{Project: id, ID: "AP" + id, Fund: fmt.Sprintf("A%d", p%4), Amount: "1000000.00"})
		add(domain.Pay{Project: id, ID: "PAY" + id, Fund: fmt.Sprintf("A%d", p%4), Payee: fmt.Sprintf("施工单位%02d", p%20), Amount: "900000.00", VoucherNo: "v", Method: "treasury"})
	}
	items := []string{"光伏扶贫补助", "产业直补", "雨露计划", "就业交通补助", "医疗保险补贴"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; int(m.st.Seq) < events; i++ {
		add(domain.Payout{ID: fmt.Sprintf("PO%07d", i), Household: fmt.Sprintf("H%06d", rng.IntN(households)), Item: items[i%len(items)],
			Standard: "500.00", Period: "2019", Fund: fmt.Sprintf("A%d", i%4), Amount: domain.AmountText(fmt.Sprintf("%d.%02d", 100+i%900, i%100))})
	}
	return m
}

// BenchmarkDecodeModel measures what a restart or an as_of record cut pays
// to load a projection snapshot of 200k commits (20k households).
func BenchmarkDecodeModel(b *testing.B) {
	m := benchModel(b, 20000, 200000)
	var buf bytes.Buffer
	if err := encodeModel(&buf, m); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := decodeModel(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
