// Package gen draws random ledger commands for property tests: a small
// universe of ids, so that random sequences often hit the same funds,
// projects and households and every rule gets tried.
package gen

import (
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"pgregory.net/rapid"
)

// Draw draws a command over a small universe of ids, so that random
// sequences often hit the same funds, projects and households: overdrafts,
// duplicates, reversals of reversals and removed households all come up.
func Draw(t *rapid.T, n int) domain.Command {
	fund := rapid.SampledFrom([]string{"A0", "A1", "I0", "I1"}).Draw(t, "fund")
	project := rapid.SampledFrom([]string{"P0", "P1", "P2"}).Draw(t, "project")
	household := rapid.SampledFrom([]string{"H0", "H1", "H2", "H3"}).Draw(t, "household")
	amount := func(label string) domain.AmountText {
		fen := rapid.Int64Range(1, 2_000_000).Draw(t, label)
		return domain.AmountText(domain.Fen(fen).String())
	}
	wid := fmt.Sprintf("W%d", n)
	switch rapid.IntRange(0, 12).Draw(t, "kind") {
	case 0:
		if fund[0] == 'I' {
			return domain.Integrate{ID: fund, Programme: "农业综合开发", FiscalYear: 2019, DocumentNo: "d", Amount: amount("amount")}
		}
		return domain.Allocate{ID: fund, SourceLevel: rapid.SampledFrom(domain.SourceLevels).Draw(t, "level"), Programme: "专项",
			FiscalYear: 2019, DocumentNo: "d", Amount: amount("amount")}
	case 1:
		return domain.ApproveProject{ID: project, Name: "项目", Village: "V0", Category: rapid.SampledFrom(domain.ProjectCategories).Draw(t, "cat"),
			Batch: "1", Budget: amount("budget"), ApprovalDoc: "d"}
	case 2, 3:
		return domain.Appropriate{Project: project, ID: wid, Fund: fund, Amount: amount("amount")}
	case 4:
		return domain.Pay{Project: project, ID: wid, Fund: fund, Payee: "某公司", Amount: amount("amount"), VoucherNo: "v", Method: "treasury"}
	case 5:
		return domain.Recover{Project: project, ID: wid, Fund: fund, Amount: amount("amount"), Reason: "项目取消"}
	case 6:
		return domain.Payout{ID: wid, Household: household, Item: "产业直补", Standard: "5000.00", Period: "2019", Fund: fund, Amount: amount("amount")}
	case 7:
		lines := []domain.BatchLineRequest{{Household: "H0", Amount: amount("l0")}, {Household: "H1", Amount: amount("l1")}}
		total := domain.MustParse(string(lines[0].Amount)).Add(domain.MustParse(string(lines[1].Amount)))
		if rapid.Bool().Draw(t, "bad_control") {
			total = total.Add(domain.Fen(1))
		}
		return domain.PayoutBatch{ID: wid, Fund: fund, Item: "光伏", Period: "2019", Control: domain.ControlRequest{Count: 2, Amount: domain.AmountText(total.String())}, Lines: lines}
	case 8:
		return domain.RecordBankResults{Batch: fmt.Sprintf("W%d", rapid.IntRange(0, n).Draw(t, "batch")),
			Lines: []domain.BankResultRequest{{Household: rapid.SampledFrom([]string{"H0", "H1"}).Draw(t, "line"),
				Status: rapid.SampledFrom([]string{"paid", "failed", "returned"}).Draw(t, "status")}}}
	case 9, 10:
		target := rapid.SampledFrom([]string{fund, fmt.Sprintf("W%d", rapid.IntRange(0, n).Draw(t, "target"))}).Draw(t, "reverses")
		return domain.Reverse{ID: wid, Reverses: target, Reason: "冲正"}
	case 11:
		return domain.RemoveHousehold{Household: household, Reason: "清退"}
	default:
		return domain.ChangeProjectStatus{Project: project, Status: rapid.SampledFrom([]string{"started", "completed", "accepted", "cancelled"}).Draw(t, "st"), Date: "2019-06-01"}
	}
}

// Genesis registers the universe Draw draws from.
func Genesis() []domain.Command {
	cmds := []domain.Command{domain.OpenLedger{Code: "341504", Name: "某县"}, domain.RegisterVillage{ID: "V0", Name: "罗田村", Township: "某镇"}}
	for i := 0; i < 4; i++ {
		first17 := fmt.Sprintf("1101051949123100%d", i) // one ID number per household
		cmds = append(cmds, domain.RegisterHousehold{ID: fmt.Sprintf("H%d", i), Village: "V0", HeadName: "户主",
			IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 3, Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"})
	}
	return cmds
}
