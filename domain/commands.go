package domain

// Command is a request to change the ledger. Its JSON shape is the request
// body of DESIGN.md; fields taken from the URL path are tagged `json:"-"`.
type Command interface {
	// CommandName is the command's one name, e.g. "exit_household": stored
	// in every commit it makes, so never changed, and used by the
	// catalogue for logs, metrics, import kinds and OpenAPI operations.
	CommandName() string
	decide(s *State) ([]Event, error)
}

// OpenLedger opens a county ledger.
type OpenLedger struct {
	Date           string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Code           string `json:"code"`
	Name           string `json:"name"`
	ComplaintPhone string `json:"complaint_phone,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
}

// RegisterVillage registers an administrative village.
type RegisterVillage struct {
	Date        string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID          string `json:"id"`
	Name        string `json:"name"`
	Township    string `json:"township"`
	PoorVillage bool   `json:"poor_village"`
	ExitYear    int    `json:"exit_year,omitempty"`
}

// RegisterHousehold registers a household (建档立卡).
type RegisterHousehold struct {
	Date        string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID          string `json:"id"`
	Village     string `json:"village"`
	HeadName    string `json:"head_name"`
	IDNumber    string `json:"id_number"`
	Members     int    `json:"members"`
	Category    string `json:"category"`
	Status      string `json:"status"`
	BankName    string `json:"bank_name"`
	BankAccount string `json:"bank_account"`
}

// RegisterHouseholds registers many households in one commit (a registry
// file, 建档立卡花名册): all of them or, if any row is refused, none.
type RegisterHouseholds struct {
	Date       string              `json:"date,omitempty"` // business date of the registration
	Households []RegisterHousehold `json:"households"`
}

// ExitHousehold records 脱贫 in a year.
type ExitHousehold struct {
	Date       string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Household  string `json:"-"`
	Year       int    `json:"year"`
	DocumentNo string `json:"document_no,omitempty"`
}

// ReturnHousehold records 返贫 in a year.
type ReturnHousehold struct {
	Date      string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Household string `json:"-"`
	Year      int    `json:"year"`
	Reason    string `json:"reason,omitempty"`
}

// RemoveHousehold records 清退.
type RemoveHousehold struct {
	Date       string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Household  string `json:"-"`
	Reason     string `json:"reason"`
	DocumentNo string `json:"document_no,omitempty"`
}

// ChangeBankCard records a household's new one-card account.
type ChangeBankCard struct {
	Date        string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Household   string `json:"-"`
	BankName    string `json:"bank_name"`
	BankAccount string `json:"bank_account"`
}

// Allocate records special funds arriving from a level.
type Allocate struct {
	Date        string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID          string     `json:"id"`
	SourceLevel string     `json:"source_level"`
	Programme   string     `json:"programme"`
	FiscalYear  int        `json:"fiscal_year"`
	DocumentNo  string     `json:"document_no"`
	Amount      AmountText `json:"amount"`
}

// Integrate records farm funds integrated into the poverty pool.
type Integrate struct {
	Date       string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID         string     `json:"id"`
	Programme  string     `json:"programme"`
	FiscalYear int        `json:"fiscal_year"`
	DocumentNo string     `json:"document_no"`
	Amount     AmountText `json:"amount"`
}

// ApproveProject adds a project.
type ApproveProject struct {
	Date        string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Village     string     `json:"village,omitempty"`
	Category    string     `json:"category"`
	Batch       string     `json:"batch"`
	Budget      AmountText `json:"budget"`
	ApprovalDoc string     `json:"approval_doc"`
}

// ChangeProjectStatus moves a project along its life cycle.
type ChangeProjectStatus struct {
	Project    string `json:"-"`
	Status     string `json:"status"`
	Date       string `json:"date,omitempty"` // the status's date, and the business date
	DocumentNo string `json:"document_no,omitempty"`
}

// Appropriate moves money from a fund to a project.
type Appropriate struct {
	Date    string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Project string     `json:"-"`
	ID      string     `json:"id"`
	Fund    string     `json:"fund"`
	Amount  AmountText `json:"amount"`
}

// Pay pays a payee from a project's money of one fund.
type Pay struct {
	Date      string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Project   string     `json:"-"`
	ID        string     `json:"id"`
	Fund      string     `json:"fund"`
	Payee     string     `json:"payee"`
	Amount    AmountText `json:"amount"`
	VoucherNo string     `json:"voucher_no"`
	Method    string     `json:"method"`
}

// Recover reclaims a project's unspent money of one fund.
type Recover struct {
	Date    string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Project string     `json:"-"`
	ID      string     `json:"id"`
	Fund    string     `json:"fund"`
	Amount  AmountText `json:"amount"`
	Reason  string     `json:"reason"`
}

// Payout pays one household from a fund.
type Payout struct {
	Date      string     `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID        string     `json:"id"`
	Household string     `json:"household"`
	Item      string     `json:"item"`
	Standard  AmountText `json:"standard"`
	Period    string     `json:"period"`
	Fund      string     `json:"fund"`
	Amount    AmountText `json:"amount"`
	// ReissueOf names the failed or returned line this payout replaces:
	// "<batch id>/<household id>", or a payout id.
	ReissueOf string `json:"reissue_of,omitempty"`
}

// BatchLineRequest is one line of a payout batch request.
type BatchLineRequest struct {
	Household string     `json:"household"`
	Amount    AmountText `json:"amount"`
}

// ControlRequest is a batch's stated control totals.
type ControlRequest struct {
	Count  int        `json:"count"`
	Amount AmountText `json:"amount"`
}

// PayoutBatch pays many households from one fund, checked against control totals.
type PayoutBatch struct {
	Date     string             `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID       string             `json:"id"`
	Fund     string             `json:"fund"`
	Item     string             `json:"item"`
	Standard AmountText         `json:"standard,omitempty"`
	Period   string             `json:"period"`
	Control  ControlRequest     `json:"control"`
	Lines    []BatchLineRequest `json:"lines"`
}

// BankResultRequest is the bank's answer for one line.
type BankResultRequest struct {
	Household string `json:"household"`
	Status    string `json:"status"`
	BankRef   string `json:"bank_ref,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// RecordBankResults records the bank's report on a batch.
type RecordBankResults struct {
	Date  string              `json:"date,omitempty"` // business date (记账日期); see DateCommand
	Batch string              `json:"-"`
	Lines []BankResultRequest `json:"lines"`
}

// Reverse corrects a money write (冲正).
type Reverse struct {
	Date     string `json:"date,omitempty"` // business date (记账日期); see DateCommand
	ID       string `json:"id"`
	Reverses string `json:"reverses"`
	Reason   string `json:"reason"`
}

// SetStandard adds a subsidy standard (补助标准) to the ledger's table, or
// changes one from its date: the reference payouts are checked against.
type SetStandard struct {
	Item        string     `json:"item"`
	Amount      AmountText `json:"amount"`
	Unit        string     `json:"unit"`
	Eligibility string     `json:"eligibility,omitempty"`
	// Date is the day the standard takes effect: the business date (the
	// record day when not given), as for every command.
	Date string `json:"date,omitempty"`
}

// AcknowledgeFinding records an answer to an audit finding (整改说明).
type AcknowledgeFinding struct {
	Date    string `json:"date,omitempty"`
	Finding string `json:"-"`
	Note    string `json:"note"`
}

func (OpenLedger) CommandName() string          { return "open_ledger" }
func (RegisterVillage) CommandName() string     { return "register_village" }
func (RegisterHousehold) CommandName() string   { return "register_household" }
func (RegisterHouseholds) CommandName() string  { return "register_households" }
func (ExitHousehold) CommandName() string       { return "exit_household" }
func (ReturnHousehold) CommandName() string     { return "return_household" }
func (RemoveHousehold) CommandName() string     { return "remove_household" }
func (ChangeBankCard) CommandName() string      { return "change_bank_card" }
func (Allocate) CommandName() string            { return "allocate" }
func (Integrate) CommandName() string           { return "integrate" }
func (ApproveProject) CommandName() string      { return "approve_project" }
func (ChangeProjectStatus) CommandName() string { return "change_project_status" }
func (Appropriate) CommandName() string         { return "appropriate" }
func (Pay) CommandName() string                 { return "pay" }
func (Recover) CommandName() string             { return "recover" }
func (Payout) CommandName() string              { return "payout" }
func (PayoutBatch) CommandName() string         { return "payout_batch" }
func (RecordBankResults) CommandName() string   { return "bank_results" }
func (Reverse) CommandName() string             { return "reverse" }
func (SetStandard) CommandName() string         { return "set_standard" }
func (AcknowledgeFinding) CommandName() string  { return "acknowledge_finding" }
