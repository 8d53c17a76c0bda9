package disclosure

import "github.com/fundledger/fundledger/domain"

// Disclosure is what one village publishes (公告公示), built from the ledger
// at Seq. Every number in it equals the projections at that sequence; ID and
// bank numbers are masked before they are put here, never later.
type Disclosure struct {
	Seq       uint64      `json:"seq"`
	HeadHash  string      `json:"head_hash"`
	AsOf      string      `json:"as_of"` // time of the commit at Seq, RFC 3339, China Standard Time
	Title     string      `json:"title"` // e.g. 罗田村2019年度扶贫资金及项目公告公示
	Year      int         `json:"year"`
	Ledger    LedgerInfo  `json:"ledger"`
	Village   VillageInfo `json:"village"`
	Funds     []FundLine  `json:"funds"`     // money received, by fund document
	BySource  []Source    `json:"by_source"` // money received, by source level
	Projects  []Project   `json:"projects"`
	Payouts   []ItemGroup `json:"payouts"` // by subsidy item
	Totals    Totals      `json:"totals"`
	Publicity Publicity   `json:"publicity"`
	Complaint Complaint   `json:"complaint"`
	VerifyURL string      `json:"verify_url"` // path of the public verify endpoint for this stamp
	// Date is the business date of a cut by date (as_of=2019-06-30): the
	// figures are every write dated on or before it, as the ledger knew
	// them at Seq. Absent for the live notice and record cuts.
	Date string `json:"date,omitempty"`
}

// LedgerInfo names the county and the body that issues the notice.
type LedgerInfo struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
}

// VillageInfo names the village.
type VillageInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Township    string `json:"township"`
	PoorVillage bool   `json:"poor_village"`
	ExitYear    int    `json:"exit_year,omitempty"`
}

// FundLine is money that reached the village from one fund: appropriated to
// its projects plus paid out to its households, gross; what was recovered
// (收回) from its projects stands beside it, never netted off (the one
// basis of village money received: see the projections package doc).
type FundLine struct {
	Fund        string       `json:"fund"`
	SourceLevel string       `json:"source_level"` // central … other, or farm for integrated funds
	SourceLabel string       `json:"source_label"` // 中央, 省级 …
	Programme   string       `json:"programme"`
	DocumentNo  string       `json:"document_no"`
	FiscalYear  int          `json:"fiscal_year"`
	ToProjects  domain.Money `json:"to_projects"`
	ToPayouts   domain.Money `json:"to_payouts"`
	Amount      domain.Money `json:"amount"`    // to_projects + to_payouts: received, gross
	Recovered   domain.Money `json:"recovered"` // recovered from the village's projects to this fund
}

// Source totals the village's money by source level: received gross, and
// recovered beside it.
type Source struct {
	Level     string       `json:"level"`
	Label     string       `json:"label"`
	Amount    domain.Money `json:"amount"`
	Recovered domain.Money `json:"recovered"`
}

// Project is one project of the village as the notice board lists it.
type Project struct {
	No            int               `json:"no"` // 序号
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Category      string            `json:"category"`
	CategoryLabel string            `json:"category_label"`
	Batch         string            `json:"batch"`
	ApprovalDoc   string            `json:"approval_doc"`
	Budget        domain.Money      `json:"budget"`
	BudgetCapital string            `json:"budget_capital"` // 大写
	Appropriated  domain.Money      `json:"appropriated"`
	Paid          domain.Money      `json:"paid"`
	PaidCapital   string            `json:"paid_capital"`
	Status        string            `json:"status"`
	StatusLabel   string            `json:"status_label"` // 已批复, 已开工 …
	Dates         map[string]string `json:"dates"`        // status → date
	Progress      string            `json:"progress"`     // paid ÷ budget, four decimals
}

// ItemGroup is the payouts of one subsidy item (补贴项目).
type ItemGroup struct {
	Item       string       `json:"item"`
	Households int          `json:"households"`
	Lines      []PayoutLine `json:"lines"`
	Amount     domain.Money `json:"amount"` // lines whose money stands with the household
}

// PayoutLine is one payout to a household, with masked numbers.
type PayoutLine struct {
	Household   string       `json:"household"`
	Beneficiary string       `json:"beneficiary"` // head of household
	IDNumber    string       `json:"id_number"`   // masked: 341***********1234
	BankCard    string       `json:"bank_card"`   // masked: *1234
	Standard    domain.Money `json:"standard"`
	Period      string       `json:"period"`
	Amount      domain.Money `json:"amount"`
	Status      string       `json:"status"`       // paid, pending, accepted, failed, returned
	StatusLabel string       `json:"status_label"` // 已发放, 待银行回执, 发放失败待重发 …
	Counts      bool         `json:"counts"`       // the money stands with the household
	// ReferenceStandard is the ledger's table standard for the line's
	// item (per StandardUnit); Standard is what the payout itself stated.
	ReferenceStandard *domain.Money `json:"reference_standard,omitempty"`
	StandardUnit      string        `json:"standard_unit,omitempty"`
	// StandardText is the standard as the notice prints it ("120.00元/人"):
	// the table's, else a stated one above zero, else empty.
	StandardText string `json:"standard_text"`
	// History lists the failed or returned lines this payout re-issues:
	// the notice shows one line with its history, not two.
	History []LineHistory `json:"history,omitempty"`
	Note    string        `json:"note,omitempty"` // the history in words, for the page and downloads
}

// LineHistory is an earlier attempt at a payout line.
type LineHistory struct {
	Batch       string       `json:"batch"`
	Amount      domain.Money `json:"amount"`
	Status      string       `json:"status"` // failed | returned
	StatusLabel string       `json:"status_label"`
	Reason      string       `json:"reason,omitempty"`
}

// UnitLabels name a standard's unit on public pages.
var UnitLabels = map[string]string{"household": "户", "person": "人", "pupil": "生", "month": "月"}

// Totals sums the notice. Received (= FundsReceived, the older name) is
// gross and equals the village balance's received; Recovered equals its
// recovered.
type Totals struct {
	FundsReceived    domain.Money `json:"funds_received"`
	Received         domain.Money `json:"received"`
	Recovered        domain.Money `json:"recovered"`
	Projects         int          `json:"projects"`
	ProjectBudget    domain.Money `json:"project_budget"`
	ProjectPaid      domain.Money `json:"project_paid"`
	PayoutHouseholds int          `json:"payout_households"`
	PayoutLines      int          `json:"payout_lines"`
	PayoutAmount     domain.Money `json:"payout_amount"`
}

// Publicity is the notice period (公示期), inclusive dates.
type Publicity struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Days  int    `json:"days"`
}

// Complaint lists where villagers report problems (监督举报电话).
type Complaint struct {
	National string `json:"national"` // 12317, the national poverty-alleviation supervision line
	County   string `json:"county"`
}

// PublicityDays is the length of the notice period: DOMAIN.md says a
// notice stays up at least 10 days.
const PublicityDays = 10

// NationalComplaintLine is the national poverty-alleviation supervision line.
const NationalComplaintLine = "12317"

// Labels in Chinese for public pages.
var (
	SourceLabels = map[string]string{"central": "中央", "provincial": "省级", "municipal": "市级", "county": "县级",
		"other": "其他", "farm": "统筹整合涉农资金"}
	CategoryLabels = map[string]string{"industry": "产业", "infrastructure": "基础设施", "housing": "住房",
		"education": "教育", "health": "健康", "employment": "就业", "photovoltaic": "光伏", "finance": "金融",
		"ecology": "生态", "social": "社会保障"}
	StatusLabels = map[string]string{"approved": "已批复", "started": "已开工", "completed": "已竣工",
		"accepted": "已验收", "cancelled": "已取消"}
	// HistoryLabels say what became of a line that was re-issued.
	HistoryLabels = map[string]string{"failed": "发放失败", "returned": "银行退回"}
	BankLabels    = map[string]string{"paid": "已发放", "pending": "待银行回执", "accepted": "已发放",
		"failed": "发放失败，待重发", "returned": "银行退回，待重发"}
)
