package projections

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/internal/scenario"
)

// loadScenario builds the spec's history in a memory store and answers the
// store and the model replayed from it.
func loadScenario(t *testing.T, path string) (*scenario.Spec, *memory.Store, *Model) {
	t.Helper()
	spec, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := scenario.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	if err := scenario.Run(context.Background(), store, plan); err != nil {
		t.Fatal(err)
	}
	m := NewModel(plan.Ledger)
	if err := ReplayInto(context.Background(), store, m, Cut{}); err != nil {
		t.Fatal(err)
	}
	return spec, store, m
}

func fen(a scenario.Amount) string { return domain.Fen(int64(a)).String() }

// checkSpec checks a summary against every figure of the spec it was built
// from; it knows nothing of any one seed.
func checkSpec(t *testing.T, spec *scenario.Spec, s Summary) {
	t.Helper()
	byBatch := map[string]ProjectGroup{}
	for _, g := range s.Projects.ByBatch {
		byBatch[g.Key] = g
	}
	var count int
	var total scenario.Amount
	for _, b := range spec.Projects.Batches {
		g := byBatch[b.Name]
		if g.Count != b.Count || g.Budget.String() != fen(b.Total) {
			t.Errorf("batch %s: %d projects %s yuan, spec says %d projects %s", b.Name, g.Count, g.Budget, b.Count, fen(b.Total))
		}
		count += b.Count
		total += b.Total
	}
	if s.Projects.Total.Count != count || s.Projects.Total.Budget.String() != fen(total) {
		t.Errorf("projects: %d, %s yuan; spec %d, %s", s.Projects.Total.Count, s.Projects.Total.Budget, count, fen(total))
	}
	byCat := map[string]ProjectGroup{}
	for _, g := range s.Projects.ByCategory {
		byCat[g.Key] = g
	}
	for _, c := range spec.Projects.Categories {
		if g := byCat[c.Name]; g.Count != c.Count || g.Budget.String() != fen(c.Total) {
			t.Errorf("category %s: %d projects %s yuan, spec says %d, %s", c.Name, g.Count, g.Budget, c.Count, fen(c.Total))
		}
	}
	in := spec.Integration
	if s.Integration.Integrated.String() != fen(in.Total) || s.Integration.Used.String() != fen(in.Used) {
		t.Errorf("integration %+v, spec total %s used %s", s.Integration, fen(in.Total), fen(in.Used))
	}
	var special scenario.Amount
	for _, a := range spec.Allocations {
		special += a.Amount
	}
	if s.Funds.Special.String() != fen(special) || s.Funds.Scale.String() != fen(special+in.Total) {
		t.Errorf("funds special %s scale %s, spec %s and %s", s.Funds.Special, s.Funds.Scale, fen(special), fen(special+in.Total))
	}
	items := map[string]ItemTotals{}
	for _, it := range s.Payouts.ByItem {
		items[it.Item] = it
	}
	for _, po := range spec.Payouts {
		if it := items[po.Item]; it.Households != po.Households || it.Amount.String() != fen(po.Amount) {
			t.Errorf("payouts %s: %d households %s yuan; spec %d, %s", po.Item, it.Households, it.Amount, po.Households, fen(po.Amount))
		}
	}
	// Rates are checked as counts here; the ratios themselves are what the
	// code under test computes, so each seed's test states them literally.
	if want := round(spec.Projects.StartRate, count); s.Projects.Total.Started != want {
		t.Errorf("%d projects started, the spec's rate gives %d", s.Projects.Total.Started, want)
	}
	if want := round(spec.Projects.CompletionRate, count); s.Projects.Total.Completed != want {
		t.Errorf("%d projects completed, the spec's rate gives %d", s.Projects.Total.Completed, want)
	}
}

func round(r scenario.Ratio, n int) int {
	return int(r.Decimal.Mul(domainDecimal(n)).Round(0).IntPart())
}

// TestSeed001Summary builds seed 001 (testdata/seed001.json, from a
// district's 202_ work report) and checks that the summary reports the
// report's own figures. Every expectation is a literal taken from the
// report, never computed here: a ratio the code gets wrong cannot agree
// with itself.
func TestSeed001Summary(t *testing.T) {
	spec, _, m := loadScenario(t, filepath.Join("..", "testdata", "seed001.json"))
	s := m.Summary()
	checkSpec(t, spec, s)

	// 第一批 37 个 1013.7 万元; 第二批 13 个 440.039 万元; 第三批 19 个
	// 896.4 万元; 第四批 12 个 181.1 万元: 项目 81 个.
	want := map[string][2]string{"2019-1": {"37", "10137000.00"}, "2019-2": {"13", "4400390.00"},
		"2019-3": {"19", "8964000.00"}, "2019-4": {"12", "1811000.00"}}
	for _, g := range s.Projects.ByBatch {
		w := want[g.Key]
		if got := [2]string{itoa(g.Count), g.Budget.String()}; got != w {
			t.Errorf("batch %s = %v, the report says %v", g.Key, got, w)
		}
	}
	if len(s.Projects.ByBatch) != 4 || s.Projects.Total.Count != 81 {
		t.Errorf("projects: %d in %d batches, want 81 in 4", s.Projects.Total.Count, len(s.Projects.ByBatch))
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("summary does not encode: %v", err)
	}
	var flat map[string]any
	if err := json.Unmarshal(b, &flat); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"special_funds":     "25312000.00", // 财政专项资金 2531.2 万元
		"integrated_funds":  "29270000.00", // 统筹整合 … 项目资金 2927 万元
		"integration_used":  "15290000.00", // 其中 1529 万元用于支持脱贫攻坚
		"fund_scale":        "54582000.00", // 2531.2 + 2927 万元
		"integration_ratio": "0.5224",      // 统筹使用比例达 52.2%
		"industry_share":    "0.7580",      // 产业项目 62 个，资金 1918.6 万元，占 75.8%
		"start_rate":        "1.0000",      // 项目开工率 100%
		"completion_rate":   "0.8519",      // 竣工率 85%: 69 of 81 projects, the count nearest 85%
		"expenditure_ratio": "0.9806",      // 扶贫专项资金支出比例 98.06%
	} {
		if flat[k] != want {
			t.Errorf("summary.%s = %v, the report says %s", k, flat[k], want)
		}
	}
	industry := map[string]ProjectGroup{}
	for _, g := range s.Projects.ByCategory {
		industry[g.Key] = g
	}
	if g := industry["industry"]; g.Count != 62 || g.Budget.String() != "19186000.00" {
		t.Errorf("industry projects %d, %s yuan; the report says 62, 19186000.00", g.Count, g.Budget)
	}
	// 雨露计划 35 人 11.85 万元; 计生特扶 23 人 92720 元; 交通补助 194 人
	// 5.61 万元; 培训补助 47 人 10.95 万元.
	items := map[string][2]string{}
	for _, it := range s.Payouts.ByItem {
		items[it.Item] = [2]string{itoa(it.Households), it.Amount.String()}
	}
	for item, want := range map[string][2]string{"雨露计划": {"35", "118500.00"}, "计生特扶": {"23", "92720.00"},
		"贫困劳动者交通补助": {"194", "56100.00"}, "贫困劳动者培训补助": {"47", "109500.00"}} {
		if items[item] != want {
			t.Errorf("payouts %s = %v, the report says %v", item, items[item], want)
		}
	}
}
