package projections

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
)

// ledgerBook drives a state and a model through Decide, as the writer and
// the projector do; raw appends events no decider would write today (old
// history), and day sets the record day of the next commits.
type ledgerBook struct {
	t    *testing.T
	s    *domain.State
	m    *Model
	seq  uint64
	prev string
	now  time.Time
}

func newLedgerBook(t *testing.T) *ledgerBook {
	b := &ledgerBook{t: t, s: domain.NewState(), m: NewModel("341504"), prev: domain.GenesisHash}
	b.do(domain.OpenLedger{Code: "341504", Name: "某县"})
	b.do(domain.RegisterVillage{ID: "V1", Name: "罗田村", Township: "某镇"})
	for i, h := range []string{"H1", "H2"} {
		b.do(domain.RegisterHousehold{ID: h, Village: "V1", HeadName: "户主", IDNumber: idNumber(i), Members: 3,
			Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("621700001111222%d", i)})
	}
	b.do(domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "100000.00"})
	return b
}

func idNumber(i int) string {
	first17 := fmt.Sprintf("1101051949123100%d", i)
	return first17 + string(domain.IDNumberCheck(first17))
}

func (b *ledgerBook) day(d string) {
	t, err := time.ParseInLocation("2006-01-02", d, chinaTime)
	if err != nil {
		b.t.Fatal(err)
	}
	b.now = t.Add(10 * time.Hour)
}

func (b *ledgerBook) do(c domain.Command) {
	b.t.Helper()
	events, err := domain.Decide(b.s, c)
	if err != nil {
		b.t.Fatalf("%s: %v", c.CommandName(), err)
	}
	b.raw(events...)
}

func (b *ledgerBook) raw(events ...domain.Event) {
	b.t.Helper()
	for _, e := range events {
		b.s.Apply(e)
	}
	raw, _ := domain.EncodeEvents(events)
	b.seq++
	cm := &domain.Commit{Ledger: "341504", Seq: b.seq, Events: raw, PrevHash: b.prev, Time: b.now, Actor: "审计员"}
	cm.Seal()
	b.prev = cm.Hash
	if err := b.m.Apply(cm); err != nil {
		b.t.Fatal(err)
	}
}

func (b *ledgerBook) kinds() map[string]int { return b.m.Findings().Count }

func pay(id, h, item, amount string) domain.Payout {
	return domain.Payout{ID: id, Household: h, Item: item, Period: "2019", Fund: "A1", Amount: domain.AmountText(amount)}
}

func setStandard(item, amount, unit, date string) domain.SetStandard {
	return domain.SetStandard{Item: item, Amount: domain.AmountText(amount), Unit: unit, Eligibility: "建档立卡贫困户", Date: date}
}

func only(t *testing.T, f Findings, kind string) Finding {
	t.Helper()
	if len(f.Findings) != 1 || f.Findings[0].Kind != kind {
		t.Fatalf("want exactly one %s, got %+v", kind, f.Findings)
	}
	return f.Findings[0]
}

func TestOverStandardIsStandardTimesUnits(t *testing.T) {
	b := newLedgerBook(t)
	b.do(setStandard("医疗保险个人缴费补助", "120.00", "person", "2019-01-01"))
	b.do(setStandard("产业直补", "5000.00", "household", "2019-01-01"))
	b.do(pay("P1", "H1", "医疗保险个人缴费补助", "360.00")) // 3 members × 120: within
	b.do(pay("P2", "H2", "产业直补", "5000.00"))
	if f := b.m.Findings(); len(f.Findings) != 0 {
		t.Fatalf("lines within standard × units are reported: %+v", f.Findings)
	}
	b.do(pay("P3", "H2", "医疗保险个人缴费补助", "480.00")) // 4 × 120 for 3 people
	got := only(t, b.m.Findings(), "over_standard")
	if got.Amount.String() != "120.00" || got.Limit == nil || got.Limit.String() != "360.00" || got.Rule.Units != 3 || got.Severity != "high" {
		t.Errorf("over_standard = %+v, want amount 120.00 over a limit of 360.00 (3 units)", got)
	}
	if len(got.Evidence) == 0 || got.Evidence[0].ID != "P3" || got.Evidence[0].Seq == 0 {
		t.Errorf("evidence %+v does not name the payout's commit", got.Evidence)
	}
}

func TestAStandardAppliesFromItsDate(t *testing.T) {
	b := newLedgerBook(t)
	b.do(setStandard("五保供养补助", "6000.00", "person", "2018-01-01"))
	b.do(setStandard("五保供养补助", "7200.00", "person", "2019-01-01"))
	b.day("2018-06-01")
	b.do(pay("P1", "H1", "五保供养补助", "19000.00")) // 3 × 6000 = 18000 in 2018
	b.day("2019-06-01")
	b.do(pay("P2", "H2", "五保供养补助", "21000.00")) // 3 × 7200 = 21600 in 2019
	got := only(t, b.m.Findings(), "over_standard")
	if got.Household != "H1" || got.Limit.String() != "18000.00" {
		t.Errorf("got %+v, want H1's 2018 line over 18000.00", got)
	}
	if s := b.m.Standards(); len(s.Standards) != 1 || s.Standards[0].Amount.String() != "7200.00" || len(s.Standards[0].History) != 1 {
		t.Errorf("table = %+v, want 7200.00 with 6000.00 in its history", s.Standards)
	}
}

func TestAnItemWithoutAStandardIsReportedWhateverThePayoutStates(t *testing.T) {
	b := newLedgerBook(t)
	for i, st := range []domain.AmountText{"", "0.00", "99999.00"} {
		p := pay(fmt.Sprintf("P%d", i), "H1", fmt.Sprintf("补助%d", i), "100.00")
		p.Standard = st
		b.do(p)
	}
	if f := b.m.Findings(); f.Count["no_standard"] != 3 || len(f.Findings) != 3 {
		t.Errorf("items without a standard: %+v, want three no_standard", f.Findings)
	}
	d, _ := b.m.Disclosure("V1")
	printed := map[string]string{}
	for _, g := range d.Payouts {
		printed[g.Item] = g.Lines[0].StandardText
	}
	if printed["补助1"] != "" || printed["补助2"] != "99999.00元" {
		t.Errorf("the notice prints standards %q: a stated 0.00 must not read 标准0.00", printed)
	}
}

func TestDuplicatePayoutCountsOnlyStandingLines(t *testing.T) {
	b := newLedgerBook(t)
	b.do(setStandard("产业直补", "5000.00", "household", "2019-01-01"))
	b.do(pay("P1", "H1", "产业直补", "5000.00"))
	b.do(pay("P2", "H1", "产业直补", "5000.00"))
	got := only(t, b.m.Findings(), "duplicate_payout")
	if got.Amount.String() != "5000.00" || len(got.Evidence) != 2 {
		t.Errorf("duplicate = %+v", got)
	}
	b.do(domain.Reverse{ID: "R1", Reverses: "P2", Reason: "重复"})
	if f := b.m.Findings(); len(f.Findings) != 0 {
		t.Errorf("a reversed duplicate is still reported: %+v", f.Findings)
	}
}

func TestPayoutToRemovedCountsLinesOnOrAfterTheRemoval(t *testing.T) {
	b := newLedgerBook(t)
	b.do(setStandard("产业直补", "5000.00", "household", "2019-01-01"))
	b.day("2019-03-01")
	b.do(pay("P1", "H1", "产业直补", "5000.00")) // paid while registered
	b.day("2019-08-01")
	b.do(domain.RemoveHousehold{Household: "H1", Reason: "不符合条件"})
	if f := b.m.Findings(); len(f.Findings) != 0 {
		t.Fatalf("a payout before the removal is reported: %+v", f.Findings)
	}
	b.do(pay("P2", "H2", "产业直补", "5000.00"))
	b.do(domain.RemoveHousehold{Household: "H2", Reason: "不符合条件"}) // the same day: removed for the whole day
	got := only(t, b.m.Findings(), "payout_to_removed")
	if got.Household != "H2" || got.Amount.String() != "5000.00" || len(got.Evidence) != 2 {
		t.Errorf("payout_to_removed = %+v", got)
	}
}

func TestCancelledHoldingAndIdleFund(t *testing.T) {
	b := newLedgerBook(t)
	b.day("2019-08-01") // the books reach 2019: a fund of fiscal 2018 still holding money is idle
	b.do(domain.Allocate{ID: "A0", SourceLevel: "county", Programme: "结转", FiscalYear: 2018, DocumentNo: "d0", Amount: "3000.00"})
	b.do(domain.ApproveProject{ID: "PJ1", Name: "路", Village: "V1", Category: "infrastructure", Batch: "1", Budget: "1000.00", ApprovalDoc: "d"})
	b.do(domain.Appropriate{Project: "PJ1", ID: "AP1", Fund: "A0", Amount: "1000.00"})
	b.do(domain.ChangeProjectStatus{Project: "PJ1", Status: "cancelled", Date: "2019-08-01"})
	f := b.m.Findings()
	if f.Count["cancelled_holding"] != 1 || f.Count["idle_fund"] != 1 || len(f.Findings) != 2 {
		t.Fatalf("findings %+v, want one cancelled_holding and one idle_fund (A0, 2018)", f.Findings)
	}
	b.do(domain.Recover{Project: "PJ1", ID: "RC1", Fund: "A0", Amount: "1000.00", Reason: "项目取消"})
	b.do(domain.Payout{ID: "P1", Household: "H1", Item: "x", Period: "2019", Fund: "A0", Amount: "2000.00"})
	if f := b.m.Findings(); f.Count["cancelled_holding"] != 0 || f.Count["idle_fund"] != 0 {
		t.Errorf("reclaimed and spent money is still reported: %+v", f.Findings)
	}
}

func TestDuplicateIDNumberInOldHistory(t *testing.T) {
	b := newLedgerBook(t)
	// Registered before the rule refused it: written as an event, not decided.
	b.raw(domain.HouseholdRegistered{ID: "H3", Village: "V1", HeadName: "户主", IDNumber: idNumber(0), Members: 1,
		Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011119999"})
	got := only(t, b.m.Findings(), "duplicate_id_number")
	if got.Household != "H3" || len(got.Evidence) != 2 || got.Evidence[0].ID != "H1" {
		t.Errorf("duplicate_id_number = %+v", got)
	}
}

func TestAcknowledgedFindingSaysSoAndKeepsItsID(t *testing.T) {
	b := newLedgerBook(t)
	b.do(pay("P1", "H1", "无标准项目", "10.00"))
	f := only(t, b.m.Findings(), "no_standard")
	if f.Acknowledged {
		t.Fatal("acknowledged before any answer")
	}
	b.do(domain.AcknowledgeFinding{Finding: f.ID, Note: "标准文件待补录"})
	b.do(pay("P2", "H2", "无标准项目", "10.00")) // the finding grows; its id stays
	again := only(t, b.m.Findings(), "no_standard")
	if again.ID != f.ID || !again.Acknowledged || again.Acknowledgement.Note != "标准文件待补录" || again.Acknowledgement.Actor != "审计员" {
		t.Errorf("after the answer: %+v", again)
	}
}

func TestReissueIsNoLongerUndelivered(t *testing.T) {
	b := newLedgerBook(t)
	b.do(domain.PayoutBatch{ID: "B1", Fund: "A1", Item: "产业直补", Period: "2019", Control: domain.ControlRequest{Count: 2, Amount: "8000.00"},
		Lines: []domain.BatchLineRequest{{Household: "H1", Amount: "5000.00"}, {Household: "H2", Amount: "3000.00"}}})
	b.do(domain.RecordBankResults{Batch: "B1", Lines: []domain.BankResultRequest{{Household: "H1", Status: "failed", Reason: "账户已销户"}, {Household: "H2", Status: "paid"}}})
	if u := b.m.Summary().Payouts.Undelivered; u.Lines != 1 || u.Amount.String() != "5000.00" {
		t.Fatalf("undelivered = %+v, want the failed line", u)
	}
	b.do(domain.ChangeBankCard{Household: "H1", BankName: "农商银行", BankAccount: "6217000099998888"})
	p := pay("R1", "H1", "产业直补", "5000.00")
	p.ReissueOf = "B1/H1"
	b.do(p)
	if u := b.m.Summary().Payouts.Undelivered; u.Lines != 0 || !u.Amount.IsZero() {
		t.Errorf("undelivered after the re-issue = %+v, want none", u)
	}
	d, _ := b.m.Disclosure("V1")
	var h1 int
	for _, g := range d.Payouts {
		for _, l := range g.Lines {
			if l.Household == "H1" {
				h1++
				if len(l.History) != 1 || l.History[0].Status != "failed" || l.Note == "" || l.Status == "failed" {
					t.Errorf("H1's line = %+v, want the re-issue with the failed line as its history", l)
				}
			}
		}
	}
	if h1 != 1 {
		t.Errorf("H1 has %d lines on the notice, want one", h1)
	}
	var page strings.Builder
	if err := disclosure.RenderNotice(&page, d, ""); err != nil {
		t.Fatal(err)
	}
	if html := page.String(); strings.Contains(html, "待重发") || !strings.Contains(html, "批次B1发放失败（账户已销户），已重新发放") {
		t.Errorf("the notice does not show the re-issue as one line with its history")
	}
	if hb, _ := b.m.householdBalance("H1"); len(hb.Undelivered) != 0 {
		t.Errorf("household undelivered = %+v", hb.Undelivered)
	}
	b.do(domain.Reverse{ID: "X1", Reverses: "R1", Reason: "错发"})
	if u := b.m.Summary().Payouts.Undelivered; u.Lines != 1 {
		t.Errorf("a reversed re-issue leaves the line delivered: %+v", u)
	}
}
