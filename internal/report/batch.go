package report

import (
	"github.com/fundledger/fundledger/projections"
)

// BankStatusLabels name a payout line's bank status in Chinese.
var BankStatusLabels = map[string]string{
	projections.BankPending: "待银行回单", projections.BankPaid: "已到账", projections.BankFailed: "发放失败",
	projections.BankReturned: "退回", projections.BankReversed: "已冲正",
}

func label(labels map[string]string, key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

// BankFile is a batch's 代发文件: what the bank needs to pay each line,
// names and card numbers in full. Card and ID numbers are text cells so
// that Excel never turns them into 6.2170E+18.
func BankFile(p projections.PayList) Table {
	t := Table{Name: "代发文件", Header: []string{"序号", "户编号", "户主姓名", "身份证号", "开户银行", "银行卡号", "金额", "摘要"}}
	memo := p.Item + " " + p.Period
	for i, l := range p.Lines {
		t.Add(N(i+1), T(l.Household), T(l.HeadName), T(l.IDNumber), T(l.BankName), T(l.BankAccount), A(l.Amount), T(memo))
	}
	return t
}

// Publicity is a batch's 公示清册, as posted in the village: ID and card
// numbers come masked from the projections.
func Publicity(p projections.PayList) Table {
	t := Table{Name: "公示清册", Header: []string{"序号", "村", "户编号", "户主姓名", "身份证号", "人口数", "银行卡号", "发放项目", "期间", "金额", "状态"}}
	for i, l := range p.Lines {
		t.Add(N(i+1), T(l.VillageName), T(l.Household), T(l.HeadName), T(l.IDNumber), N(l.Members), T(l.BankAccount),
			T(p.Item), T(p.Period), A(l.Amount), T(label(BankStatusLabels, l.BankStatus)))
	}
	return t
}
