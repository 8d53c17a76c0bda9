package report

import (
	"fmt"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

// Where a fund's money sits, as the trace sheet's 去向 column names it.
const (
	ToPayee     = "项目支付"
	ToRecovered = "项目收回"
	ToProject   = "项目结存"
	ToHousehold = "发放到户"
	ToFund      = "资金结存"
)

// TraceHeader is the header of a fund trace sheet. 金额 holds every fen of
// the fund exactly once, so the column sums to the fund's amount; lines
// the bank failed or returned (or that were reversed) show their money in
// 未计入金额 instead, since it went back to the fund's balance.
var TraceHeader = []string{"资金编号", "文号", "去向", "项目或批次", "名称", "收款人或户", "金额", "银行状态", "未计入金额"}

// TraceRows adds a fund's trace to t, one row per place its money sits.
func TraceRows(t *Table, tr projections.FundTrace) {
	row := func(to, where, name, who string, amt domain.Money, status string, outside *domain.Money) {
		cells := []Cell{T(tr.Fund), T(tr.DocumentNo), T(to), T(where), T(name), T(who), A(amt), T(status), T("")}
		if outside != nil {
			cells[8] = A(*outside)
		}
		t.Add(cells...)
	}
	for _, p := range tr.Projects {
		for _, py := range p.Payees {
			row(ToPayee, p.Project, p.Name, py.Payee, py.Amount, "", nil)
		}
		if !p.Recovered.IsZero() {
			row(ToRecovered, p.Project, p.Name, "", p.Recovered, "", nil)
		}
		if !p.Held.IsZero() {
			row(ToProject, p.Project, p.Name, "", p.Held, "", nil)
		}
	}
	for _, po := range tr.Payouts {
		where := po.Batch
		if where == "" {
			where = po.Payout
		}
		for _, h := range po.Households {
			status := label(BankStatusLabels, h.BankStatus)
			if h.Counts {
				row(ToHousehold, where, po.Item+" "+po.Period, h.Household, h.Amount, status, nil)
			} else {
				amt := h.Amount
				row(ToHousehold, where, po.Item+" "+po.Period, h.Household, domain.Money{}, status, &amt)
			}
		}
	}
	row(ToFund, "", "", "", tr.Held, "", nil)
}

// FundTrace is one fund's trace as a workbook sheet.
func FundTrace(tr projections.FundTrace) Table {
	t := Table{Name: sheetName("资金溯源 " + tr.Fund), Header: TraceHeader}
	TraceRows(&t, tr)
	return t
}

// HouseholdTrace is a household's payout lines with where each came from.
func HouseholdTrace(tr projections.HouseholdTrace) Table {
	t := Table{Name: sheetName("户溯源 " + tr.Household), Header: []string{"资金编号", "文号", "资金名称", "批次或单笔", "发放项目", "期间", "金额", "银行状态", "原因", "计入", "记账序号"}}
	for _, l := range tr.Lines {
		where := l.Batch
		if where == "" {
			where = l.Payout
		}
		counts := "否"
		if l.Counts {
			counts = "是"
		}
		t.Add(T(l.Fund), T(l.DocumentNo), T(l.Programme), T(where), T(l.Item), T(l.Period), A(l.Amount),
			T(label(BankStatusLabels, l.BankStatus)), T(l.Reason), T(counts), N(int(l.Seq)))
	}
	return t
}

// sheetName fits a name to what Excel allows: at most 31 characters, none
// of []:*?/\.
func sheetName(s string) string {
	out := make([]rune, 0, 31)
	for _, r := range s {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '_'
		}
		if len(out) == 31 {
			break
		}
		out = append(out, r)
	}
	return string(out)
}

// FileName is a download's name: ASCII, naming the ledger, what it is and
// the sequence it reflects.
func FileName(ledger, what, id string, seq uint64, ext string) string {
	safe := make([]rune, 0, len(id))
	for _, r := range id {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.' {
			safe = append(safe, r)
		}
	}
	if len(safe) > 0 {
		what += "-" + string(safe)
	}
	return fmt.Sprintf("%s-%s-seq%d.%s", ledger, what, seq, ext)
}
