package domain

// Projects from the project library (项目库): approval (批复), the life
// cycle, and the money they move: appropriation from a fund (拨付/安排),
// payment to a payee (报账/国库集中支付) and recovery of unspent money (收回).

// Project categories, the statuses a status change may name, and the ways
// a project pays.
var (
	ProjectCategories    = []string{"industry", "infrastructure", "housing", "education", "health", "employment", "photovoltaic", "finance", "ecology", "social"}
	ProjectStatusChanges = []string{"started", "completed", "accepted", "cancelled"}
	PaymentMethods       = []string{"reimbursement", "treasury"}
)

func (c ApproveProject) decide(s *State) ([]Event, error) {
	if err := id("id", c.ID); err != nil {
		return nil, err
	}
	if _, ok := s.Projects[c.ID]; ok {
		return nil, duplicate("id", "project", c.ID)
	}
	if err := text("name", c.Name, maxName); err != nil {
		return nil, err
	}
	if c.Village != "" {
		if _, ok := s.Villages[c.Village]; !ok {
			return nil, notFound("village", "village", c.Village)
		}
	}
	if err := oneOf("category", c.Category, ProjectCategories...); err != nil {
		return nil, err
	}
	if err := text("batch", c.Batch, maxText); err != nil {
		return nil, err
	}
	if err := text("approval_doc", c.ApprovalDoc, maxText); err != nil {
		return nil, err
	}
	budget, err := amount("budget", c.Budget)
	if err != nil {
		return nil, err
	}
	return []Event{ProjectApproved{ID: c.ID, Name: c.Name, Village: c.Village, Category: c.Category, Batch: c.Batch,
		Budget: budget, ApprovalDoc: c.ApprovalDoc}}, nil
}

// nextStatus lists where each status may go: forward only, and a later
// stage may be recorded without the earlier ones (a clerk who enters a
// completion whose start was never entered records that it started);
// only a project not yet completed can be cancelled.
var nextStatus = map[string][]string{
	"approved":  {"started", "completed", "accepted", "cancelled"},
	"started":   {"completed", "accepted", "cancelled"},
	"completed": {"accepted"},
}

func (c ChangeProjectStatus) decide(s *State) ([]Event, error) {
	p, ok := s.Projects[c.Project]
	if !ok {
		return nil, notFound("project", "project", c.Project)
	}
	if err := oneOf("status", c.Status, ProjectStatusChanges...); err != nil {
		return nil, err
	}
	if err := date("date", c.Date); err != nil {
		return nil, err
	}
	if err := optionalText("document_no", c.DocumentNo, maxText); err != nil {
		return nil, err
	}
	for _, next := range nextStatus[p.Status] {
		if next == c.Status {
			return []Event{ProjectStatusChanged(c)}, nil
		}
	}
	return nil, reject(ErrStatusChange, "status", "project %q is %s and cannot become %s", c.Project, p.Status, c.Status)
}

// projectMove checks what appropriation, payment and recovery share: a new
// write id, a known project and fund, a valid amount.
func (s *State) projectMove(wid, project, fund string, a AmountText) (*Project, *Fund, Money, error) {
	if err := s.newWrite("id", wid); err != nil {
		return nil, nil, Money{}, err
	}
	p, ok := s.Projects[project]
	if !ok {
		return nil, nil, Money{}, notFound("project", "project", project)
	}
	f, err := s.fund(fund)
	if err != nil {
		return nil, nil, Money{}, err
	}
	amt, err := amount("amount", a)
	if err != nil {
		return nil, nil, Money{}, err
	}
	return p, f, amt, nil
}

func (c Appropriate) decide(s *State) ([]Event, error) {
	p, f, amt, err := s.projectMove(c.ID, c.Project, c.Fund, c.Amount)
	if err != nil {
		return nil, err
	}
	if p.Status == "cancelled" {
		return nil, reject(ErrProjectClosed, "project", "project %q is cancelled; it can receive no appropriation", c.Project)
	}
	net := p.Appropriated.Sub(p.Recovered).Add(amt)
	if net.Cmp(p.Budget) > 0 {
		return nil, reject(ErrOverBudget, "amount", "appropriating %s yuan would bring project %q to %s yuan, above its budget of %s yuan",
			amt, c.Project, net, p.Budget)
	}
	return s.posted(FundsAppropriated{ID: c.ID, Project: c.Project, Fund: c.Fund, Amount: amt,
		Postings: transfer(f.Account(), ProjectAccount(c.Project, c.Fund), amt)})
}

func (c Pay) decide(s *State) ([]Event, error) {
	p, _, amt, err := s.projectMove(c.ID, c.Project, c.Fund, c.Amount)
	if err != nil {
		return nil, err
	}
	if err := text("payee", c.Payee, maxName); err != nil {
		return nil, err
	}
	if err := text("voucher_no", c.VoucherNo, maxText); err != nil {
		return nil, err
	}
	if err := oneOf("method", c.Method, PaymentMethods...); err != nil {
		return nil, err
	}
	if p.Status == "cancelled" {
		return nil, reject(ErrProjectClosed, "project", "project %q is cancelled; reclaim its money instead of paying", c.Project)
	}
	return s.posted(ProjectPaid{ID: c.ID, Project: c.Project, Fund: c.Fund, Payee: c.Payee, Amount: amt, VoucherNo: c.VoucherNo,
		Method: c.Method, Postings: transfer(ProjectAccount(c.Project, c.Fund), PayeeAccount(c.Payee), amt)})
}

func (c Recover) decide(s *State) ([]Event, error) {
	_, _, amt, err := s.projectMove(c.ID, c.Project, c.Fund, c.Amount)
	if err != nil {
		return nil, err
	}
	if err := text("reason", c.Reason, maxName); err != nil {
		return nil, err
	}
	return s.posted(FundsRecovered{ID: c.ID, Project: c.Project, Fund: c.Fund, Amount: amt, Reason: c.Reason,
		Postings: transfer(ProjectAccount(c.Project, c.Fund), ReclaimedAccount(c.Fund), amt)})
}
