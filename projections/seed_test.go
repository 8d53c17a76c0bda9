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
		if c.Name == "industry" {
			if want := domain.Ratio(domain.Fen(int64(c.Total)), domain.Fen(int64(total))); s.Projects.IndustryShare != want {
				t.Errorf("industry share %s, want %s", s.Projects.IndustryShare, want)
			}
		}
	}
	in := spec.Integration
	if s.Integration.Integrated.String() != fen(in.Total) || s.Integration.Used.String() != fen(in.Used) ||
		s.Integration.Ratio != domain.Ratio(domain.Fen(int64(in.Used)), domain.Fen(int64(in.Total))) {
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
	n := count
	live := n - s.Projects.Total.Cancelled
	if want := countRatio(round(spec.Projects.StartRate, n), live); s.Projects.StartRate != want {
		t.Errorf("start rate %s, want %s", s.Projects.StartRate, want)
	}
	if want := countRatio(round(spec.Projects.CompletionRate, n), live); s.Projects.CompletionRate != want {
		t.Errorf("completion rate %s, want %s", s.Projects.CompletionRate, want)
	}
	if want := spec.Projects.ExpenditureRatio.StringFixed(4); s.Projects.ExpenditureRatio != want {
		t.Errorf("expenditure ratio %s, want %s", s.Projects.ExpenditureRatio, want)
	}
}

func round(r scenario.Ratio, n int) int {
	return int(r.Decimal.Mul(domainDecimal(n)).Round(0).IntPart())
}

// TestSeed001Summary builds seed 001 (81 projects in four batches, 62
// industry projects, integrated farm funds 2927万元 of which 1529万元 used)
// and checks that the summary reports the county's own figures.
func TestSeed001Summary(t *testing.T) {
	spec, _, m := loadScenario(t, filepath.Join("..", "testdata", "seed001.json"))
	s := m.Summary()
	checkSpec(t, spec, s)

	// The published figures, literally.
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
	if s.Projects.IndustryShare != "0.7580" {
		t.Errorf("industry share %s, want 0.7580", s.Projects.IndustryShare)
	}
	if s.Integration.Ratio != "0.5224" || s.Integration.Integrated.String() != "29270000.00" || s.Integration.Used.String() != "15290000.00" {
		t.Errorf("integration %+v, want 29270000.00 / 15290000.00 / 0.5224", s.Integration)
	}
	if s.Projects.StartRate != "1.0000" || s.Projects.ExpenditureRatio != "0.9806" {
		t.Errorf("start rate %s, expenditure ratio %s", s.Projects.StartRate, s.Projects.ExpenditureRatio)
	}
	b, err := json.Marshal(m.Summary())
	if err != nil {
		t.Fatalf("summary does not encode: %v", err)
	}
	var flat map[string]any
	_ = json.Unmarshal(b, &flat)
	for k, want := range map[string]string{"industry_share": "0.7580", "integration_ratio": "0.5224",
		"expenditure_ratio": "0.9806", "integrated_funds": "29270000.00", "integration_used": "15290000.00"} {
		if flat[k] != want {
			t.Errorf("summary.%s = %v, want %s", k, flat[k], want)
		}
	}
}
