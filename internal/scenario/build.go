package scenario

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// Step is one command of the history and the time it is recorded at.
type Step struct {
	At      time.Time
	Command domain.Command
}

// Plan is the history a spec gives, in order.
type Plan struct {
	Ledger string
	Steps  []Step
}

func money(a Amount) domain.AmountText { return domain.AmountText(domain.Fen(int64(a)).String()) }

// fundUse is a fund and what is left of it as the plan draws on it.
type fundUse struct {
	id   string
	left Amount
}

// Build turns a spec into a plan whose replay reports the spec's figures.
func Build(s *Spec) (*Plan, error) {
	if s.Ledger.Code == "" || s.FiscalYear == 0 {
		return nil, errors.New("scenario: spec needs ledger.code and fiscal_year")
	}
	y := s.FiscalYear
	p := &Plan{Ledger: s.Ledger.Code}
	clock := time.Date(y, 1, 5, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	add := func(c domain.Command) {
		p.Steps = append(p.Steps, Step{At: clock, Command: c})
		clock = clock.Add(time.Minute)
	}
	phase := func(month, day int) {
		if t := time.Date(y, time.Month(month), day, 9, 0, 0, 0, clock.Location()); t.After(clock) {
			clock = t
		}
	}
	add(domain.OpenLedger{Code: s.Ledger.Code, Name: s.Ledger.Name})

	// Villages and households.
	nv := s.Villages.Poor + s.Villages.Other
	if nv == 0 {
		nv = 1
	}
	villages := make([]string, nv)
	for i := range villages {
		villages[i] = fmt.Sprintf("V%03d", i+1)
		add(domain.RegisterVillage{ID: villages[i], Name: fmt.Sprintf("第%d村", i+1), Township: fmt.Sprintf("第%d镇", i%7+1),
			PoorVillage: i < s.Villages.Poor})
	}
	nh := s.Households
	for _, po := range s.Payouts {
		nh = max(nh, po.Households)
	}
	households := make([]string, nh)
	for i := range households {
		households[i] = fmt.Sprintf("H%05d", i+1)
		birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
		first17 := region(s.Ledger.Code) + birth.Format("20060102") + fmt.Sprintf("%03d", i%1000)
		add(domain.RegisterHousehold{ID: households[i], Village: villages[i%nv], HeadName: fmt.Sprintf("户主%d", i+1),
			IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 1 + i%5, Category: domain.HouseholdTypes[i%3],
			Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("6217%012d", i+1)})
	}

	// Funds: allocations, then integrations split over the programmes.
	phase(2, 15)
	var allocs, integ []*fundUse
	for i, a := range s.Allocations {
		id := fmt.Sprintf("A%d-%03d", y, i+1)
		add(domain.Allocate{ID: id, SourceLevel: a.Level, Programme: a.Programme, FiscalYear: y,
			DocumentNo: fmt.Sprintf("财农〔%d〕%d号", y, i+1), Amount: money(a.Amount)})
		allocs = append(allocs, &fundUse{id, a.Amount})
	}
	if s.Integration.Total > 0 {
		progs := s.Integration.Programmes
		if len(progs) == 0 {
			progs = []string{"统筹整合涉农资金"}
		}
		for i, amt := range split(s.Integration.Total, len(progs)) {
			id := fmt.Sprintf("I%d-%03d", y, i+1)
			add(domain.Integrate{ID: id, Programme: progs[i], FiscalYear: y, DocumentNo: fmt.Sprintf("整合〔%d〕%d号", y, i+1), Amount: money(amt)})
			integ = append(integ, &fundUse{id, amt})
		}
	}

	// Projects.
	phase(3, 1)
	projects, err := s.projects()
	if err != nil {
		return nil, err
	}
	for i, pr := range projects {
		add(domain.ApproveProject{ID: pr.id, Name: fmt.Sprintf("%s项目%d", pr.category, i+1), Village: villages[i%nv],
			Category: pr.category, Batch: pr.batch, Budget: money(pr.budget), ApprovalDoc: fmt.Sprintf("扶贫批〔%d〕%s号", y, pr.batch)})
	}
	// Appropriations: integrated funds up to the amount used, then allocations.
	usedLeft := s.Integration.Used
	if usedLeft > s.Integration.Total {
		return nil, errors.New("scenario: integration.used is above integration.total")
	}
	type approp struct {
		project, fund, id string
		amount            Amount
	}
	var approps []approp
	for _, pr := range projects {
		need := pr.budget
		for need > 0 {
			f, capacity := pick(integ, usedLeft), Amount(0)
			if f != nil {
				capacity = min(f.left, usedLeft)
			} else if f = pick(allocs, -1); f != nil {
				capacity = f.left
			} else {
				return nil, errors.New("scenario: allocations and integrated funds used do not cover the project budgets")
			}
			amt := min(need, capacity)
			if f.id[0] == 'I' {
				usedLeft -= amt
			}
			f.left -= amt
			need -= amt
			a := approp{pr.id, f.id, fmt.Sprintf("AP-%s-%d", pr.id, len(approps)+1), amt}
			approps = append(approps, a)
			add(domain.Appropriate{Project: a.project, ID: a.id, Fund: a.fund, Amount: money(amt)})
		}
	}
	if usedLeft > 0 {
		return nil, fmt.Errorf("scenario: project budgets are %s yuan short of using the integrated funds as the spec says", domain.Fen(int64(usedLeft)))
	}

	// Status: the first projects complete, the next are started.
	phase(4, 1)
	n := len(projects)
	started, completed := s.Projects.StartRate.of(n), s.Projects.CompletionRate.of(n)
	if s.Projects.StartRate.IsZero() && s.Projects.CompletionRate.IsZero() {
		started, completed = 0, 0
	}
	started = max(started, completed)
	for i := 0; i < started; i++ {
		add(domain.ChangeProjectStatus{Project: projects[i].id, Status: "started", Date: fmt.Sprintf("%d-04-01", y)})
	}
	// Payments: the expenditure ratio of all appropriations, spread over them
	// in proportion, remainders a fen at a time.
	phase(6, 1)
	var total Amount
	for _, a := range approps {
		total += a.amount
	}
	paid := Amount(s.Projects.ExpenditureRatio.Mul(decimalFen(total)).Round(0).IntPart())
	parts := make([]Amount, len(approps))
	var sum Amount
	for i, a := range approps {
		if total > 0 {
			parts[i] = mulDiv(a.amount, paid, total)
		}
		sum += parts[i]
	}
	for i := 0; sum < paid && i < len(parts); i++ {
		if parts[i] < approps[i].amount {
			parts[i]++
			sum++
		}
	}
	for i, a := range approps {
		if parts[i] > 0 {
			add(domain.Pay{Project: a.project, ID: "PAY-" + a.id[3:], Fund: a.fund, Payee: fmt.Sprintf("施工单位%02d", i%12+1),
				Amount: money(parts[i]), VoucherNo: fmt.Sprintf("凭证%d-%05d", y, i+1), Method: []string{"reimbursement", "treasury"}[i%2]})
		}
	}
	// Payouts: one batch per item from an allocation that can carry it.
	phase(7, 1)
	for k, po := range s.Payouts {
		if po.Households == 0 {
			continue
		}
		f := pickAtLeast(allocs, po.Amount)
		if f == nil {
			return nil, fmt.Errorf("scenario: no allocation has %s yuan left for payouts of %s", domain.Fen(int64(po.Amount)), po.Item)
		}
		f.left -= po.Amount
		amounts := split(po.Amount, po.Households)
		lines := make([]domain.BatchLineRequest, po.Households)
		for i := range lines {
			lines[i] = domain.BatchLineRequest{Household: households[i], Amount: money(amounts[i])}
		}
		add(domain.PayoutBatch{ID: fmt.Sprintf("B%d-%02d", y, k+1), Fund: f.id, Item: po.Item, Standard: money(amounts[len(amounts)-1]),
			Period: fmt.Sprint(y), Control: domain.ControlRequest{Count: len(lines), Amount: money(po.Amount)}, Lines: lines})
	}
	phase(9, 1)
	for i := 0; i < completed; i++ {
		add(domain.ChangeProjectStatus{Project: projects[i].id, Status: "completed", Date: fmt.Sprintf("%d-09-01", y)})
	}

	return p, nil
}

// pick answers the first fund with money left (and, for limit ≥ 0, while
// the limit lasts).
func pick(funds []*fundUse, limit Amount) *fundUse {
	if limit == 0 {
		return nil
	}
	for _, f := range funds {
		if f.left > 0 {
			return f
		}
	}
	return nil
}

func pickAtLeast(funds []*fundUse, amt Amount) *fundUse {
	for _, f := range funds {
		if f.left >= amt {
			return f
		}
	}
	return nil
}

// mulDiv answers a × b ÷ c rounded down, without overflow.
func mulDiv(a, b, c Amount) Amount {
	r := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b)))
	return Amount(r.Quo(r, big.NewInt(int64(c))).Int64())
}

// region answers the division code that starts generated ID numbers: the
// ledger's own if it is six digits.
func region(code string) string {
	if len(code) == 6 {
		for i := 0; i < 6; i++ {
			if code[i] < '0' || code[i] > '9' {
				return "110101"
			}
		}
		return code
	}
	return "110101"
}
