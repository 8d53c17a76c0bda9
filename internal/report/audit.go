package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

// SourceLabels name a fund's level in Chinese.
var SourceLabels = map[string]string{"central": "中央", "provincial": "省级", "municipal": "市级", "county": "县级", "other": "其他", "farm": "统筹整合"}

// Audit is the audit workbook (审计底稿) of a model at its cut: 汇总 (the
// county summary and the point it was built from), 资金 (every fund with
// where its money stands), 审计发现 (every finding with its evidence) and
// 资金溯源 (every fund's trace, whose 金额 column sums, per fund, to the
// fund's amount).
func Audit(m *projections.Model, asOf string) []Table {
	return []Table{auditSummary(m, asOf), auditFunds(m), auditFindings(m), auditTraces(m)}
}

func auditSummary(m *projections.Model, asOf string) Table {
	s := m.Summary()
	t := Table{Name: "汇总", Header: []string{"项目", "数值"}}
	if asOf == "" {
		asOf = "最新"
	}
	t.Add(T("县（区）"), T(s.Name))
	t.Add(T("台账代码"), T(m.Ledger()))
	t.Add(T("截至"), T(asOf))
	t.Add(T("记账序号 seq"), N(int(m.Seq())))
	t.Add(T("链头哈希 head_hash"), T(m.HeadHash()))
	t.Add(T("资金规模"), A(s.FundScale))
	t.Add(T("财政专项扶贫资金"), A(s.SpecialFunds))
	t.Add(T("统筹整合资金"), A(s.IntegratedFunds))
	t.Add(T("统筹整合已使用"), A(s.IntegrationUsed))
	t.Add(T("统筹整合使用比例"), T(s.IntegrationRatio))
	t.Add(T("产业项目占比"), T(s.IndustryShare))
	t.Add(T("支出进度"), T(s.ExpenditureRatio))
	t.Add(T("开工率"), T(s.StartRate))
	t.Add(T("竣工率"), T(s.CompletionRate))
	t.Add(T("项目个数"), N(s.Projects.Total.Count))
	t.Add(T("项目预算"), A(s.Projects.Total.Budget))
	t.Add(T("项目已拨付"), A(s.Projects.Total.Appropriated))
	t.Add(T("项目已支付"), A(s.Projects.Total.Paid))
	t.Add(T("到户发放户数"), N(s.Payouts.Total.Households))
	t.Add(T("到户发放笔数"), N(s.Payouts.Total.Lines))
	t.Add(T("到户发放金额"), A(s.Payouts.Total.Amount))
	t.Add(T("未到账笔数（失败或退回）"), N(s.Payouts.Undelivered.Lines))
	t.Add(T("未到账金额"), A(s.Payouts.Undelivered.Amount))
	t.Add(T("审计发现条数"), N(len(m.Findings().Findings)))
	return t
}

func auditFunds(m *projections.Model) Table {
	t := Table{Name: "资金", Header: []string{"资金编号", "级次", "资金名称", "年度", "文号", "金额", "拨付项目", "项目已支付", "收回", "发放到户", "结存"}}
	for _, id := range m.IDs(projections.KindFunds) {
		b, ok := m.Balance(projections.KindFunds, id)
		f, isFund := b.(projections.FundBalance)
		if !ok || !isFund {
			continue
		}
		t.Add(T(id), T(label(SourceLabels, f.SourceLevel)), T(f.Programme), N(f.FiscalYear), T(f.DocumentNo), A(f.Amount),
			A(f.Appropriated), A(f.ProjectPaid), A(f.Recovered), A(f.PaidOut), A(f.Balance))
	}
	return t
}

// auditFindings lists the findings as the API answers them, read through
// their JSON so that a field added to findings later (evidence, severity,
// limits) reaches the workbook without this code learning of it: the
// known fields get their own columns, everything else goes to 其他.
func auditFindings(m *projections.Model) Table {
	t := Table{Name: "审计发现", Header: []string{"序号", "类型", "标题", "严重程度", "金额", "说明", "证据", "其他"}}
	raw, _ := json.Marshal(m.Findings())
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	_ = json.Unmarshal(raw, &doc)
	for i, f := range doc.Findings {
		cells := []Cell{N(i + 1), T(text(f["kind"])), T(text(f["title"])), T(text(f["severity"]))}
		if a, err := domain.ParseAmount(text(f["amount"])); err == nil {
			cells = append(cells, A(a))
		} else {
			cells = append(cells, T(text(f["amount"])))
		}
		cells = append(cells, T(text(f["detail"])), T(evidence(f)))
		var rest []string
		for _, k := range sortedKeys(f) {
			switch k {
			case "kind", "title", "severity", "amount", "detail", "evidence", "writes":
				continue
			}
			rest = append(rest, k+"="+text(f[k]))
		}
		t.Add(append(cells, T(strings.Join(rest, "; ")))...)
	}
	return t
}

// evidence writes a finding's evidence (commit sequences and ids, or the
// writes involved) as one line: "seq 12 B2019-07; seq 40 P77".
func evidence(f map[string]any) string {
	var parts []string
	if ev, ok := f["evidence"].([]any); ok {
		for _, e := range ev {
			if m, ok := e.(map[string]any); ok {
				var p []string
				for _, k := range sortedKeys(m) {
					p = append(p, k+" "+text(m[k]))
				}
				parts = append(parts, strings.Join(p, " "))
			} else {
				parts = append(parts, text(e))
			}
		}
	}
	if ws, ok := f["writes"].([]any); ok {
		for _, w := range ws {
			parts = append(parts, text(w))
		}
	}
	return strings.Join(parts, "; ")
}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprint(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func auditTraces(m *projections.Model) Table {
	t := Table{Name: "资金溯源", Header: TraceHeader}
	for _, id := range m.IDs(projections.KindFunds) {
		if tr, ok := m.TraceFund(id); ok {
			TraceRows(&t, tr)
		}
	}
	return t
}
