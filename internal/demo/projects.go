package demo

import (
	"fmt"

	"github.com/fundledger/fundledger/domain"
)

type fundSpec struct {
	id, level, programme, doc string
	yuan                      int64
}

// Special funds of the four levels: 2531.2万元 in all (seed 001).
var allocations = []fundSpec{
	{"A2019-001", "central", "中央财政专项扶贫资金", "财农〔2019〕12号", 12_000_000},
	{"A2019-002", "central", "中央财政专项扶贫资金（以工代赈）", "财农〔2019〕38号", 1_000_000},
	{"A2019-003", "provincial", "省级财政专项扶贫资金", "皖财农〔2019〕105号", 6_500_000},
	{"A2019-004", "municipal", "市级财政专项扶贫资金", "市财农〔2019〕21号", 2_312_000},
	{"A2019-005", "county", "区本级财政专项扶贫资金", "光财〔2019〕8号", 3_300_000},
}

// idleFund is the county's 2018 carry-over (上年结转), part of the 2531.2万元
// special funds, which nothing draws on: the demo's planted idle fund.
var idleFund = fundSpec{"A2018-001", "county", "区本级财政专项扶贫资金（上年结转）", "光财〔2018〕31号", 200_000}

// Integrated farm funds: 2927万元 (seed 001), of which 1529万元 go to
// poverty projects: an integration ratio of 52.2%.
var integrations = []fundSpec{
	{"I2019-001", "farm", "农业综合开发", "光财农〔2019〕3号", 9_800_000},
	{"I2019-002", "farm", "小型农田水利改造提升", "光财农〔2019〕5号", 6_500_000},
	{"I2019-003", "farm", "农村安全饮水", "光财农〔2019〕7号", 4_200_000},
	{"I2019-004", "farm", "农村道路畅通工程", "光财农〔2019〕9号", 6_270_000},
	{"I2019-005", "farm", "农村综合改革一事一议", "光财农〔2019〕11号", 2_500_000},
}

const integratedUsed = 15_290_000

func (b *builder) funds() {
	b.left = map[string]domain.Money{}
	for _, f := range allocations {
		b.add(pHouseholds, domain.Allocate{ID: f.id, SourceLevel: f.level, Programme: f.programme, FiscalYear: 2019,
			DocumentNo: f.doc, Amount: amt(domain.Yuan(f.yuan))})
		b.left[f.id] = domain.Yuan(f.yuan)
	}
	b.add(pHouseholds, domain.Allocate{ID: idleFund.id, SourceLevel: idleFund.level, Programme: idleFund.programme, FiscalYear: 2018,
		DocumentNo: idleFund.doc, Amount: amt(domain.Yuan(idleFund.yuan))})
	b.c.Planted = append(b.c.Planted, Anomaly{"idle_fund", idleFund.id})
	for _, f := range integrations {
		b.add(pHouseholds, domain.Integrate{ID: f.id, Programme: f.programme, FiscalYear: 2019, DocumentNo: f.doc,
			Amount: amt(domain.Yuan(f.yuan))})
		b.left[f.id] = domain.Yuan(f.yuan)
	}
}

// The 81 projects of seed 001 in four batches: 37 projects 1013.7万元, 13
// projects 440.039万元, 19 projects 896.4万元, 12 projects 181.1万元; 62
// industry projects hold 1918.6万元 (75.8%).
var batches = []struct {
	name                   string
	industry, other        int
	industryFen, otherFen  int64
	start, complete, check string
}{
	{"2019-1", 28, 9, 770_000_000, 243_700_000, "2019-03-15", "2019-07-20", "2019-09-10"},
	{"2019-2", 10, 3, 330_000_000, 110_039_000, "2019-05-10", "2019-10-15", ""},
	{"2019-3", 15, 4, 700_000_000, 196_400_000, "2019-08-01", "", ""},
	{"2019-4", 9, 3, 118_600_000, 62_500_000, "", "", ""},
}

var industryNames = []string{"茶叶种植基地建设", "食用菌产业基地", "油茶低产林改造", "特色养殖小区", "中药材种植基地",
	"蔬菜大棚", "猕猴桃种植园", "稻虾共养基地", "扶贫车间", "农产品加工厂房", "黑毛猪养殖场", "葡萄种植基地"}

var otherProjects = []struct{ category, name string }{
	{"infrastructure", "村组道路硬化"}, {"infrastructure", "安全饮水巩固提升"}, {"photovoltaic", "村级光伏电站"},
	{"housing", "危房改造"}, {"finance", "扶贫小额信贷贴息"}, {"education", "雨露计划培训"},
	{"health", "村卫生室标准化建设"}, {"infrastructure", "农田水利沟渠"}, {"ecology", "生态护林员岗位"},
	{"employment", "就业扶贫车间补助"},
}

var payees = []string{"光州区宏达建筑工程有限公司", "安徽绿源农业开发有限公司", "光州区顺通路桥有限公司",
	"光州区兴农专业合作社", "光州区阳光新能源有限公司", "光州区水利建筑安装公司", "光州区山泉茶业有限公司"}

// split divides total fen into n parts of whole hundreds of yuan, drawn
// around the mean, the last part taking what remains.
func (b *builder) split(totalFen int64, n int) []int64 {
	out := make([]int64, n)
	left := totalFen
	for i := range n - 1 {
		mean := left / int64(n-i)
		part := mean/2 + b.rnd.Int64N(mean)
		part -= part % 10_000
		out[i] = part
		left -= part
	}
	out[n-1] = left
	return out
}

type projectPlan struct {
	id    string
	batch int
	fen   int64
}

func (b *builder) projects() {
	var plans []projectPlan
	n := 0
	for bi, bt := range batches {
		doc := fmt.Sprintf("光扶组〔2019〕%d号", 10+bi*7)
		add := func(category, name, village string, fen int64) {
			n++
			id := fmt.Sprintf("P%03d", n)
			b.add(pProjects, domain.ApproveProject{ID: id, Name: name, Village: village, Category: category, Batch: bt.name,
				Budget: amt(domain.Fen(fen)), ApprovalDoc: doc})
			plans = append(plans, projectPlan{id, bi, fen})
		}
		for i, fen := range b.split(bt.industryFen, bt.industry) {
			v := b.villageIDs[(n+i)%12] // industry goes to the poor villages
			add("industry", villages[(n+i)%12].name+industryNames[(n+i)%len(industryNames)], v, fen)
		}
		for i, fen := range b.split(bt.otherFen, bt.other) {
			o := otherProjects[(n+i)%len(otherProjects)]
			v := b.villageIDs[(n+i)%len(b.villageIDs)]
			name := villages[(n+i)%len(villages)].name + o.name
			if o.category == "finance" {
				v, name = "", "全区"+o.name // a county-wide project
			}
			add(o.category, name, v, fen)
		}
	}
	// Appropriate batches 1–3 in full: integrated funds first, up to the
	// 1529万元 used for poverty, then special funds.
	order := []string{"I2019-001", "I2019-002", "I2019-003", "I2019-004", "I2019-005", "A2019-001", "A2019-005", "A2019-003"}
	intLeft := domain.Yuan(integratedUsed)
	fi, wn := 0, 0
	for _, p := range plans {
		if p.batch > 2 {
			continue
		}
		need := domain.Fen(p.fen)
		var parts [][2]any
		for need.IsPositive() {
			fid := order[fi]
			avail := b.left[fid]
			if fid[0] == 'I' && avail.Cmp(intLeft) > 0 {
				avail = intLeft
			}
			take := need
			if take.Cmp(avail) > 0 {
				take = avail
			}
			if take.IsPositive() {
				wn++
				b.add(pAppropriate, domain.Appropriate{Project: p.id, ID: fmt.Sprintf("AP%04d", wn), Fund: fid, Amount: amt(take)})
				b.left[fid] = b.left[fid].Sub(take)
				if fid[0] == 'I' {
					intLeft = intLeft.Sub(take)
				}
				parts = append(parts, [2]any{fid, take})
				need = need.Sub(take)
			}
			if need.IsPositive() {
				fi++
			}
		}
		b.progress(p, parts, &wn)
	}
}

// progress moves a project along its batch's dates and pays contractors:
// batch 1 accepted and paid in full, batch 2 completed and 95% paid, batch
// 3 started with a 30% advance; one batch-3 project is cancelled and its
// money reclaimed.
func (b *builder) progress(p projectPlan, parts [][2]any, wn *int) {
	bt := batches[p.batch]
	st := func(phase int, status, date string) {
		b.add(phase, domain.ChangeProjectStatus{Project: p.id, Status: status, Date: date, DocumentNo: "光扶办〔2019〕验字" + p.id})
	}
	if p.id == "P060" {
		// Cancelled; its money is reclaimed but for 20,000 yuan the
		// township has not returned: the demo's planted cancelled_holding.
		st(pStart, "cancelled", "2019-08-20")
		for i, part := range parts {
			back := part[1].(domain.Money)
			if i == 0 {
				back = back.Sub(domain.Yuan(20000))
			}
			*wn++
			b.add(pComplete, domain.Recover{Project: p.id, ID: fmt.Sprintf("RC%04d", *wn), Fund: part[0].(string),
				Amount: amt(back), Reason: "项目取消，资金收回"})
		}
		b.c.Planted = append(b.c.Planted, Anomaly{"cancelled_holding", p.id})
		return
	}
	st(pStart, "started", bt.start)
	share := map[int]int64{0: 100, 1: 95, 2: 30}[p.batch]
	if bt.complete != "" {
		st(pComplete, "completed", bt.complete)
	}
	if bt.check != "" {
		st(pAccept, "accepted", bt.check)
	}
	for i, part := range parts {
		m := part[1].(domain.Money)
		pay := domain.Fen(m.Decimal().Shift(2).IntPart() * share / 100)
		if !pay.IsPositive() {
			continue
		}
		*wn++
		method := "treasury"
		if (*wn+i)%3 == 0 {
			method = "reimbursement"
		}
		b.add(pComplete, domain.Pay{Project: p.id, ID: fmt.Sprintf("PY%04d", *wn), Fund: part[0].(string),
			Payee: payees[(*wn)%len(payees)], Amount: amt(pay), VoucherNo: fmt.Sprintf("光国库〔2019〕%04d", *wn), Method: method})
	}
}
