// Package demo builds a realistic demonstration county from the seed
// documents (county work reports 2016–2019): townships and villages, some
// poor and some exited (罗田村、坑上村、东山村、容溪村 exited as in seed 001),
// about 2,000 registered households with fake but well-formed ID numbers,
// special funds from all four levels with document numbers, integrated farm
// funds (2927万元, 1529万元 of it used: 52.2%), the 81 projects of seed 001 in
// four batches, one-card payouts at the standards of DOMAIN.md, a failed bank
// line re-issued after a card change, and one reversal (冲正).
//
// Everything is drawn from a fixed seed, so two loads give the same county.
package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/fundledger/fundledger/domain"
)

// Ledger is the demo county's ledger code and name.
const (
	Ledger = "341504"
	Name   = "光州区"
)

var townships = []string{"城关镇", "南溪镇", "北山乡", "西河乡"}

type villageSpec struct {
	name     string
	poor     bool
	exitYear int
}

// Four poor villages exited in 2019 (seed 001), eight remain poor, eight were
// never poor.
var villages = []villageSpec{
	{"罗田村", true, 2019}, {"坑上村", true, 2019}, {"东山村", true, 2019}, {"容溪村", true, 2019},
	{"石门村", true, 0}, {"枫树村", true, 0}, {"桃园村", true, 0}, {"黄泥村", true, 0},
	{"白云村", true, 0}, {"高桥村", true, 0}, {"龙潭村", true, 0}, {"新塘村", true, 0},
	{"河口村", false, 0}, {"柳林村", false, 0}, {"杨湾村", false, 0}, {"竹园村", false, 0},
	{"沙坪村", false, 0}, {"花园村", false, 0}, {"青山村", false, 0}, {"大塘村", false, 0},
}

var (
	surnames = []rune("张王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程")
	given    = []rune("德明华建国平志军秀英兰芳春桂玉成文金保林家海生福贵荣强永新梅云红清松山田秋冬")
)

// County is the demo county's commands, in phases: every command of a phase
// may be written concurrently; a phase needs the ones before it.
type County struct {
	Phases [][]domain.Command
	// Households lists the registered households (for tests and printing).
	Households []domain.RegisterHousehold
	// Planted lists the anomalies written on purpose: GET …/findings on the
	// demo answers exactly these, no more, no fewer.
	Planted []Anomaly
}

// Build draws the demo county with about n households (2,000 by default).
func Build(n int) *County {
	if n <= 0 {
		n = 2000
	}
	b := &builder{rnd: rand.New(rand.NewPCG(2019, 341504)), c: &County{}}
	b.places(n)
	b.funds()
	b.projects()
	b.payouts()
	b.anomalies()
	b.date()
	return b.c
}

type builder struct {
	rnd *rand.Rand
	c   *County

	villageIDs []string
	byVillage  map[string][]*domain.RegisterHousehold
	removed    map[string]bool
	exited2019 []string
	left       map[string]domain.Money // what each fund still holds for payouts
	idNumbers  map[string]bool         // drawn so far: one ID number, one household
}

func (b *builder) phase(cmds ...domain.Command) { b.c.Phases = append(b.c.Phases, cmds) }

func (b *builder) add(i int, cmds ...domain.Command) {
	for len(b.c.Phases) <= i {
		b.c.Phases = append(b.c.Phases, nil)
	}
	b.c.Phases[i] = append(b.c.Phases[i], cmds...)
}

// Phase indexes.
const (
	pOpen = iota
	pVillages
	pHouseholds
	pProjects
	pAppropriate
	pStart
	pComplete
	pAccept
	pHouseholdChanges
	pPayouts
	pBank
	pReissue
	pReverse
)

func (b *builder) places(n int) {
	b.add(pOpen, domain.OpenLedger{Code: Ledger, Name: Name, ComplaintPhone: "12317", Issuer: "光州区扶贫开发领导小组办公室"})
	for _, s := range Standards {
		b.add(pVillages, s) // after the opening; versions of one item go in date order, decided in any order
	}
	b.byVillage = map[string][]*domain.RegisterHousehold{}
	b.removed = map[string]bool{}
	weight := 0
	for _, v := range villages {
		if v.poor {
			weight += 12
		} else {
			weight += 7
		}
	}
	hid := 0
	for i, v := range villages {
		id := fmt.Sprintf("V%03d", i+1)
		b.villageIDs = append(b.villageIDs, id)
		b.add(pVillages, domain.RegisterVillage{ID: id, Name: v.name, Township: townships[i%len(townships)], PoorVillage: v.poor, ExitYear: v.exitYear})
		w := 7
		if v.poor {
			w = 12
		}
		count := n * w / weight
		if i == len(villages)-1 {
			count = n - hid
		}
		for range count {
			hid++
			h := b.household(hid, id, v.poor)
			b.c.Households = append(b.c.Households, h)
			b.add(pHouseholds, h)
		}
	}
	for i := range b.c.Households {
		h := &b.c.Households[i]
		b.byVillage[h.Village] = append(b.byVillage[h.Village], h)
	}
	// Dynamic management (动态管理): households exit in 2019, three are
	// removed (清退), one returns to poverty (返贫).
	var poor []*domain.RegisterHousehold
	for i := range b.c.Households {
		if b.c.Households[i].Status == "poor" {
			poor = append(poor, &b.c.Households[i])
		}
	}
	for _, i := range []int{17, 505, 1203} {
		h := b.c.Households[i%len(b.c.Households)]
		b.removed[h.ID] = true
		b.add(pHouseholdChanges, domain.RemoveHousehold{Household: h.ID, Reason: "动态调整：家庭有商品房、不符合识别标准", DocumentNo: "光扶办〔2019〕52号"})
	}
	for i, h := range poor {
		if i%4 == 0 && len(b.exited2019) < 150 && !b.removed[h.ID] {
			b.exited2019 = append(b.exited2019, h.ID)
			b.add(pHouseholdChanges, domain.ExitHousehold{Household: h.ID, Year: 2019, DocumentNo: "光扶办〔2019〕45号"})
		}
	}
	for i := range b.c.Households {
		if h := b.c.Households[i]; h.Status == "exited" && !b.removed[h.ID] {
			b.add(pHouseholdChanges, domain.ReturnHousehold{Household: h.ID, Year: 2019, Reason: "因病返贫"})
			break
		}
	}
}

// household draws one household with a fake ID number whose check digit is
// valid (GB 11643) and a one-card account.
func (b *builder) household(n int, village string, poorVillage bool) domain.RegisterHousehold {
	r := b.rnd
	name := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
	if r.IntN(3) > 0 {
		name += string(given[r.IntN(len(given))])
	}
	birth := fmt.Sprintf("%04d%02d%02d", 1940+r.IntN(56), 1+r.IntN(12), 1+r.IntN(28))
	seq := r.IntN(1000)
	first17 := "341504" + birth + fmt.Sprintf("%03d", seq)
	for b.idNumbers[first17] { // a person heads one household: take the next sequence number
		seq = (seq + 1) % 1000
		first17 = "341504" + birth + fmt.Sprintf("%03d", seq)
	}
	if b.idNumbers == nil {
		b.idNumbers = map[string]bool{}
	}
	b.idNumbers[first17] = true
	idNumber := first17 + string(domain.IDNumberCheck(first17))
	category, members := "ordinary", 1+r.IntN(6)
	switch x := r.IntN(100); {
	case x < 4:
		category, members = "wubao", 1
	case x < 28:
		category = "dibao"
	}
	status := "exited"
	switch x := r.IntN(100); {
	case x < 30 || (poorVillage && x < 36):
		status = "poor"
	case x < 39:
		status = "returned"
	}
	bank, prefix := "光州农商银行", "6217"
	if r.IntN(3) == 0 {
		bank, prefix = "中国邮政储蓄银行", "6221"
	}
	account := prefix
	for range 15 {
		account += string(rune('0' + r.IntN(10)))
	}
	return domain.RegisterHousehold{ID: fmt.Sprintf("H%04d", n), Village: village, HeadName: name, IDNumber: idNumber,
		Members: members, Category: category, Status: status, BankName: bank, BankAccount: account}
}

func amt(m domain.Money) domain.AmountText { return domain.AmountText(m.String()) }
