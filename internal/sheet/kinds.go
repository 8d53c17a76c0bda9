package sheet

import (
	"strconv"
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// HouseholdColumns are the columns of a household registry file, with the
// headers county clerks use (户编号, 村, 户主姓名, 身份证号, 人口数, 类别,
// 状态, 开户银行, 银行卡号). 状态 may be left out: a household registers as
// poor.
var HouseholdColumns = []Column{
	{Field: "id", Headers: []string{"户编号", "户号", "household"}, Required: true},
	{Field: "village", Headers: []string{"村", "行政村", "村编号"}, Required: true},
	{Field: "head_name", Headers: []string{"户主姓名", "户主"}, Required: true},
	{Field: "id_number", Headers: []string{"身份证号", "身份证号码", "户主身份证号"}, Required: true},
	{Field: "members", Headers: []string{"人口数", "家庭人口数", "家庭人口"}, Required: true},
	{Field: "category", Headers: []string{"类别", "户类别", "户类型"}, Required: true},
	{Field: "status", Headers: []string{"状态", "脱贫状态", "贫困状态"}},
	{Field: "bank_name", Headers: []string{"开户银行", "开户行"}, Required: true},
	{Field: "bank_account", Headers: []string{"银行卡号", "一卡通账号", "银行账号"}, Required: true},
}

// Categories and Statuses map the words clerks write to the ledger's.
var (
	Categories = map[string]string{"一般户": "ordinary", "一般": "ordinary", "普通户": "ordinary",
		"低保户": "dibao", "低保": "dibao", "五保户": "wubao", "五保": "wubao", "特困供养": "wubao"}
	Statuses = map[string]string{"贫困户": "poor", "贫困": "poor", "未脱贫": "poor",
		"已脱贫": "exited", "脱贫": "exited", "脱贫户": "exited", "返贫": "returned", "返贫户": "returned"}
	BankStatuses = map[string]string{"成功": "paid", "已发放": "paid", "发放成功": "paid", "失败": "failed", "发放失败": "failed",
		"退回": "returned", "已退回": "returned", "退票": "returned"}
)

// word maps a cell through words (Chinese), keeping English as written
// (lower-cased); the domain judges the result.
func word(cell string, words map[string]string) string {
	if v, ok := words[cell]; ok {
		return v
	}
	return strings.ToLower(cell)
}

// digits drops the spaces clerks put between groups of a card or ID number.
func digits(cell string) string { return strings.Join(strings.Fields(cell), "") }

// Households reads a registry file into one RegisterHouseholds. villages
// maps what the 村 column may hold to a village id: the ids themselves,
// and each village name that names one village only (nil: ids only). A
// cell that cannot be read (人口数 not a whole number) is a problem of its
// own; such a row is also refused by the domain (members -1), so no file
// with one is ever written.
func Households(t *Table, villages map[string]string) (domain.RegisterHouseholds, []RowProblem) {
	cmd := domain.RegisterHouseholds{Households: make([]domain.RegisterHousehold, len(t.Rows))}
	var problems []RowProblem
	for i := range t.Rows {
		h := domain.RegisterHousehold{ID: t.Cell(i, "id"), Village: t.Cell(i, "village"), HeadName: t.Cell(i, "head_name"),
			IDNumber: digits(t.Cell(i, "id_number")), Category: word(t.Cell(i, "category"), Categories),
			Status: word(t.Cell(i, "status"), Statuses), BankName: t.Cell(i, "bank_name"), BankAccount: digits(t.Cell(i, "bank_account"))}
		if id, ok := villages[h.Village]; ok {
			h.Village = id
		}
		n, err := strconv.Atoi(t.Cell(i, "members"))
		if err != nil {
			n = -1
			row, col := t.Locate(i, "members")
			problems = append(problems, RowProblem{Row: row, Column: col, Reason: "人口数应为1到50的整数，而不是“" + t.Cell(i, "members") + "”"})
		}
		h.Members = n
		cmd.Households[i] = h
	}
	return cmd, problems
}

// BankResultColumns are the columns of a bank's result file for a batch.
var BankResultColumns = []Column{
	{Field: "household", Headers: []string{"户编号", "户号"}, Required: true},
	{Field: "status", Headers: []string{"状态", "发放状态", "结果"}, Required: true},
	{Field: "bank_ref", Headers: []string{"银行流水号", "流水号"}},
	{Field: "reason", Headers: []string{"原因", "失败原因", "退回原因"}},
}

// BankResults reads a bank's result file for batch.
func BankResults(t *Table, batch string) domain.RecordBankResults {
	cmd := domain.RecordBankResults{Batch: batch, Lines: make([]domain.BankResultRequest, len(t.Rows))}
	for i := range t.Rows {
		cmd.Lines[i] = domain.BankResultRequest{Household: t.Cell(i, "household"), Status: word(t.Cell(i, "status"), BankStatuses),
			BankRef: t.Cell(i, "bank_ref"), Reason: t.Cell(i, "reason")}
	}
	return cmd
}

// BatchColumns are the columns of a payout batch file.
var BatchColumns = []Column{
	{Field: "household", Headers: []string{"household", "户编号", "户号"}, Required: true},
	{Field: "amount", Headers: []string{"amount", "金额", "发放金额"}, Required: true},
}

// BatchLines reads a payout batch file's lines.
func BatchLines(t *Table) []domain.BatchLineRequest {
	lines := make([]domain.BatchLineRequest, len(t.Rows))
	for i := range t.Rows {
		lines[i] = domain.BatchLineRequest{Household: t.Cell(i, "household"), Amount: domain.AmountText(t.Cell(i, "amount"))}
	}
	return lines
}
