package disclosure

import (
	"fmt"
	"strconv"
)

// Table is one section of a download: a sheet in XLSX, a block in CSV.
type Table struct {
	Name   string
	Header []string
	Rows   [][]Cell
}

// Cell is text, or an amount that XLSX writes as a number so Excel can sum it.
type Cell struct {
	Text   string
	Amount bool
}

func text(s string) Cell { return Cell{Text: s} }

func amount(s fmt.Stringer) Cell { return Cell{Text: s.String(), Amount: true} }

// Tables lays the disclosure out for downloads: overview, funds, projects,
// beneficiaries. Both CSV and XLSX write exactly these cells, so the two
// downloads cannot disagree, and neither sees an unmasked number: the
// Disclosure holds none.
func Tables(d *Disclosure) []Table {
	overview := Table{Name: "概况", Header: []string{"项目", "内容"}, Rows: [][]Cell{
		{text("标题"), text(d.Title)},
		{text("县（区）"), text(d.Ledger.Name + "（" + d.Ledger.Code + "）")},
		{text("乡镇"), text(d.Village.Township)},
		{text("村"), text(d.Village.Name + "（" + d.Village.ID + "）")},
		{text("公示期"), text(d.Publicity.Start + " 至 " + d.Publicity.End)},
		{text("资金到位合计（元）"), amount(d.Totals.Received)},
		{text("其中收回（元）"), amount(d.Totals.Recovered)},
		{text("项目预算合计（元）"), amount(d.Totals.ProjectBudget)},
		{text("项目已支付（元）"), amount(d.Totals.ProjectPaid)},
		{text("到户补贴合计（元）"), amount(d.Totals.PayoutAmount)},
		{text("监督举报电话"), text(d.Complaint.National + " " + d.Complaint.County)},
		{text("发布单位"), text(d.Ledger.Issuer)},
		{text("账本序号"), text(strconv.FormatUint(d.Seq, 10))},
		{text("账本哈希"), text(d.HeadHash)},
		{text("截至"), text(d.AsOf)},
	}}
	funds := Table{Name: "资金来源", Header: []string{"序号", "资金编号", "资金级次", "资金名称", "文号", "年度", "用于项目（元）", "到户补贴（元）", "到位金额（元）", "其中收回（元）"}}
	for i, f := range d.Funds {
		funds.Rows = append(funds.Rows, []Cell{text(strconv.Itoa(i + 1)), text(f.Fund), text(f.SourceLabel), text(f.Programme),
			text(f.DocumentNo), text(strconv.Itoa(f.FiscalYear)), amount(f.ToProjects), amount(f.ToPayouts), amount(f.Amount), amount(f.Recovered)})
	}
	projects := Table{Name: "扶贫项目", Header: []string{"序号", "项目编号", "项目名称", "类别", "批次", "批复文号", "预算（元）", "预算大写", "已拨付（元）", "已支付（元）", "已支付大写", "进度", "状态日期"}}
	for _, p := range d.Projects {
		projects.Rows = append(projects.Rows, []Cell{text(strconv.Itoa(p.No)), text(p.ID), text(p.Name), text(p.CategoryLabel),
			text(p.Batch), text(p.ApprovalDoc), amount(p.Budget), text(p.BudgetCapital), amount(p.Appropriated), amount(p.Paid),
			text(p.PaidCapital), text(p.StatusLabel), text(p.Dates[p.Status])})
	}
	people := Table{Name: "受益对象", Header: []string{"序号", "户主姓名", "身份证号", "银行卡号", "补贴项目", "补助标准（元）", "期间", "金额（元）", "状态"}}
	n := 0
	for _, g := range d.Payouts {
		for _, l := range g.Lines {
			n++
			standard, status := l.Standard, l.StatusLabel
			if l.ReferenceStandard != nil {
				standard = *l.ReferenceStandard
			}
			if l.Note != "" {
				status += "（" + l.Note + "）"
			}
			people.Rows = append(people.Rows, []Cell{text(strconv.Itoa(n)), text(l.Beneficiary), text(l.IDNumber), text(l.BankCard),
				text(g.Item), amount(standard), text(l.Period), amount(l.Amount), text(status)})
		}
	}
	return []Table{overview, funds, projects, people}
}
