package console

import (
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// fieldLabels are the Chinese names of request and answer fields, by JSON
// name, as a county clerk calls them. A field not listed shows its JSON name.
var fieldLabels = map[string]string{
	"id": "编号", "code": "区划代码", "name": "名称", "complaint_phone": "监督举报电话", "issuer": "公示单位",
	"township": "乡镇", "poor_village": "贫困村", "exit_year": "出列年度",
	"village": "所属村", "head_name": "户主姓名", "id_number": "身份证号", "members": "人口数",
	"category": "类别", "status": "状态", "bank_name": "开户银行", "bank_account": "银行卡号",
	"year": "年度", "document_no": "文号", "reason": "原因",
	"source_level": "资金级次", "programme": "资金项目", "fiscal_year": "预算年度", "amount": "金额（元）",
	"batch": "批次", "budget": "预算（元）", "approval_doc": "批复文号", "date": "业务日期",
	"project": "项目", "fund": "资金（指标）编号", "payee": "收款单位", "voucher_no": "凭证号", "method": "支付方式",
	"household": "农户编号", "item": "补助项目", "standard": "补助标准（元）", "period": "发放期间",
	"control": "控制数", "control.count": "控制笔数", "control.amount": "控制金额（元）",
	"control_count": "控制笔数", "control_amount": "控制金额（元）",
	"count": "笔数", "lines": "明细", "bank_ref": "银行流水号", "reverses": "被冲正记录编号",
	"unit": "计量单位", "eligibility": "享受条件", "note": "整改说明", "finding": "审计发现编号",
	"reissue_of": "补发原记录", "households": "农户", "dry_run": "仅预检",
	"received": "收入", "spent": "支出", "balance": "余额", "appropriated": "已拨付", "paid": "已支付",
	"recovered": "已收回", "held": "结存", "paid_out": "已发放到户", "project_paid": "项目已支付",
	"pool": "资金池", "total_received": "累计到户", "removed": "已清退", "kind": "类型",
	"seq": "账本序号", "head_hash": "账本哈希", "time": "记录时间", "by_item": "按补助项目",
	"by_fund": "按资金", "by_programme": "按资金项目", "by_fiscal_year": "按年度", "undelivered": "未到账",
	"payments": "支付笔数", "by_project": "按项目", "funds": "资金", "projects": "项目", "villages": "村",
	"payouts": "发放", "title": "标题", "detail": "详情", "writes": "相关记录", "evidence": "证据",
	"bank_status": "银行状态", "counts": "计入到户", "reversed": "已冲正", "write": "记录编号", "ledger": "账本",
	"postings": "记账分录", "account": "科目", "lines_total": "批次总笔数", "households_total": "总户数",
	"reversed_by": "冲正记录", "programme_key": "资金项目", "reissue": "补发", "line": "明细",
	"severity": "严重程度", "limit": "限额", "acknowledged": "已说明", "commit_seq": "记账序号",
}

// label answers a field's Chinese name.
func label(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

// commandTitles are the Chinese names of the catalogue's commands; a
// command added later and not named here shows its summary.
var commandTitles = map[string]string{
	"open_ledger": "开立县级账本", "register_village": "登记行政村", "register_household": "登记建档立卡户",
	"register_households": "导入建档立卡花名册", "exit_household": "登记脱贫", "return_household": "登记返贫",
	"remove_household": "清退农户", "change_bank_card": "变更一卡通账户", "allocate": "资金下达",
	"integrate": "统筹整合涉农资金", "approve_project": "项目批复", "change_project_status": "项目进度",
	"appropriate": "资金拨付到项目", "pay": "项目支付（报账）", "recover": "资金收回",
	"payout": "单笔补助发放", "payout_batch": "批量补助发放", "bank_results": "银行回盘",
	"reverse": "冲正", "set_standard": "补助标准", "acknowledge_finding": "审计发现整改说明",
}

func commandTitle(d domain.CommandSpec) string {
	if t, ok := commandTitles[d.Name]; ok {
		return t
	}
	return d.Summary
}

// eventTitles name the ledger's event types in Chinese (a preview's
// records, a record's history); a type not named shows itself.
var eventTitles = map[string]string{
	"ledger.opened": "开立账本", "village.registered": "行政村登记", "household.registered": "建档立卡户登记",
	"household.exited": "脱贫", "household.returned": "返贫", "household.removed": "清退",
	"household.card_changed": "一卡通变更", "fund.allocated": "资金下达", "fund.integrated": "涉农资金整合",
	"project.approved": "项目批复", "project.status_changed": "项目进度", "project.appropriated": "资金拨付到项目",
	"project.paid": "项目支付", "project.recovered": "资金收回", "payout.made": "补助发放",
	"payout_batch.accepted": "发放批次", "payout_batch.bank_results": "银行回盘", "write.reversed": "冲正",
	"standard.set": "补助标准", "finding.acknowledged": "审计发现整改说明",
}

// eventTitle answers an event type's Chinese name.
func eventTitle(t string) string {
	if l, ok := eventTitles[t]; ok {
		return l
	}
	return t
}

// enumValues are the closed lists of values of request fields, by
// "Type.json_name", with each value's Chinese name: a form offers them as
// a choice. The lists are the domain's own.
var enumValues = map[string][]string{
	"Allocate.source_level":      domain.SourceLevels,
	"RegisterHousehold.category": domain.HouseholdTypes,
	"RegisterHousehold.status":   domain.HouseholdStatuses,
	"ApproveProject.category":    domain.ProjectCategories,
	"ChangeProjectStatus.status": domain.ProjectStatusChanges,
	"Pay.method":                 domain.PaymentMethods,
	"BankResultRequest.status":   domain.BankStatuses,
}

// valueLabels name the values of the closed lists (and of the statuses
// answers carry) in Chinese.
var valueLabels = map[string]string{
	"central": "中央", "provincial": "省级", "municipal": "市级", "county": "县级", "other": "其他", "farm": "涉农整合",
	"ordinary": "一般贫困户", "dibao": "低保贫困户", "wubao": "特困供养户",
	"poor": "未脱贫", "exited": "已脱贫", "returned": "返贫/退回",
	"industry": "产业发展", "infrastructure": "基础设施", "housing": "住房安全", "education": "教育扶贫",
	"health": "健康扶贫", "employment": "就业扶贫", "photovoltaic": "光伏扶贫", "finance": "金融扶贫",
	"ecology": "生态扶贫", "social": "社会保障",
	"approved": "已批复", "started": "已开工", "completed": "已完工", "accepted": "已验收", "cancelled": "已取消",
	"reimbursement": "报账制", "treasury": "国库集中支付",
	"paid": "已到账", "failed": "失败", "pending": "待回盘", "reversed": "已冲正",
	"poverty": "扶贫资金池", "integrated": "整合资金池",
	"household": "每户", "person": "每人", "pupil": "每生", "month": "每月",
}

// bankLabels name a payout line's bank status.
var bankLabels = map[string]string{"paid": "已到账", "failed": "失败", "returned": "退回", "pending": "待回盘", "reversed": "已冲正"}

// bankLabel answers a bank status's Chinese name.
func bankLabel(v string) string {
	if l, ok := bankLabels[v]; ok {
		return l
	}
	return v
}

// bankOrder is the order a batch's reconciliation is shown in.
var bankOrder = []string{"pending", "paid", "failed", "returned", "reversed"}

// valueLabel answers a value's Chinese name, or the value itself.
func valueLabel(v string) string {
	if l, ok := valueLabels[v]; ok {
		return l
	}
	return v
}

// kindTitles name the lists.
var kindTitles = map[string]string{
	"funds": "资金", "projects": "项目", "villages": "行政村", "households": "建档立卡户",
	"payees": "收款单位", "payout-batches": "发放批次",
}

// paramKinds maps a command's path parameter to the list its record is in.
var paramKinds = map[string]string{"household": "households", "project": "projects", "batch": "payout-batches", "finding": "findings"}

// errorTitles say in Chinese what an API error code means; the API's own
// message (English, with the particulars) is shown beside it.
var errorTitles = map[string]string{
	"invalid_request": "填写有误", "invalid_json": "请求格式有误", "unknown_field": "有不认识的字段",
	"not_found": "找不到所指记录", "unknown_ledger": "账本不存在", "ledger_not_open": "账本尚未开立",
	"duplicate": "编号已被使用", "conflict": "与其他写入冲突", "idempotency_conflict": "重复提交的内容不一致",
	"insufficient_funds": "资金余额不足", "control_mismatch": "控制数与明细不符", "household_removed": "农户已清退",
	"already_reversed": "该记录已冲正", "not_reversible": "该记录不能冲正", "over_budget": "超出项目预算",
	"invalid_status_change": "项目状态不能这样变更", "project_closed": "项目已取消", "duplicate_line": "同一农户在批次中出现两次",
	"invalid_bank_result": "银行回盘不合规则", "invalid_household_change": "农户状态不能这样变更",
	"duplicate_id_number": "身份证号已登记在其他农户", "invalid_file": "文件无法读取", "invalid_rows": "文件中有错误行，未写入任何数据",
	"too_large": "文件过大", "unsupported_media_type": "文件类型不支持", "unsupported_charset": "字符编码不支持",
	"forbidden": "无此权限", "wrong_ledger": "令牌不能操作此账本", "invalid_token": "令牌无效或已吊销",
	"unauthenticated": "未登录", "ledger_damaged": "账本已损坏，暂停写入", "projections_behind": "数据正在更新，请稍后重试",
	"timeout": "账本未及时响应，请重试", "unavailable": "服务暂不可用", "same_card": "补发不能发到失败的同一张卡",
	"over_standard": "超过补助标准", "no_standard": "没有对应的补助标准", "internal": "服务器内部错误",
	"future_date": "业务日期不能晚于今天", "invalid_date": "日期格式有误",
}

// errorTitle answers the Chinese title of an API error.
func errorTitle(e *apiError) string {
	if e == nil {
		return ""
	}
	if t, ok := errorTitles[e.Code]; ok {
		return t
	}
	if strings.HasPrefix(e.Code, "http_") {
		return "请求失败"
	}
	return "操作被拒绝"
}
