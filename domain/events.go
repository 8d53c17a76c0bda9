package domain

// Event is a fact the ledger recorded. Its EventType is one of the
// catalogue's (eventtypes.go), a public, append-only schema.
type Event interface {
	EventType() EventType
}

// MoneyEvent is an event that moves money; its postings sum to zero.
type MoneyEvent interface {
	Event
	Entries() []Posting
	// WriteID names the money write the event records: its own id, the
	// name a reversal uses; for a bank report, its batch's.
	WriteID() string
}

// LedgerOpened opens a county's ledger.
type LedgerOpened struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	ComplaintPhone string `json:"complaint_phone,omitempty"` // the county's supervision line (监督举报电话)
	Issuer         string `json:"issuer,omitempty"`          // body that signs notices, e.g. 某县扶贫开发领导小组办公室
}

// VillageRegistered adds an administrative village (行政村).
type VillageRegistered struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Township    string `json:"township"`
	PoorVillage bool   `json:"poor_village"`
	ExitYear    int    `json:"exit_year,omitempty"` // year the poor village exited (出列), 0 if not
}

// HouseholdRegistered adds a registered household (建档立卡户).
type HouseholdRegistered struct {
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

// HouseholdExited records a household's exit from poverty (脱贫).
type HouseholdExited struct {
	Household  string `json:"household"`
	Year       int    `json:"year"`
	DocumentNo string `json:"document_no,omitempty"`
}

// HouseholdReturned records a household's return to poverty (返贫).
type HouseholdReturned struct {
	Household string `json:"household"`
	Year      int    `json:"year"`
	Reason    string `json:"reason,omitempty"`
}

// HouseholdRemoved records a removal from the register (清退); payouts to the
// household are refused from then on.
type HouseholdRemoved struct {
	Household  string `json:"household"`
	Reason     string `json:"reason"`
	DocumentNo string `json:"document_no,omitempty"`
}

// HouseholdCardChanged records a new one-card bank account.
type HouseholdCardChanged struct {
	Household   string `json:"household"`
	BankName    string `json:"bank_name"`
	BankAccount string `json:"bank_account"`
}

// FundAllocated records special poverty funds arriving from a level (下达).
type FundAllocated struct {
	ID          string    `json:"id"`
	SourceLevel string    `json:"source_level"`
	Programme   string    `json:"programme"`
	FiscalYear  int       `json:"fiscal_year"`
	DocumentNo  string    `json:"document_no"`
	Amount      Money     `json:"amount"`
	Postings    []Posting `json:"postings"`
}

// FundIntegrated records farm funds integrated into the poverty effort (统筹整合).
type FundIntegrated struct {
	ID         string    `json:"id"`
	Programme  string    `json:"programme"`
	FiscalYear int       `json:"fiscal_year"`
	DocumentNo string    `json:"document_no"`
	Amount     Money     `json:"amount"`
	Postings   []Posting `json:"postings"`
}

// ProjectApproved adds a project from the project library (批复).
type ProjectApproved struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Village     string `json:"village,omitempty"` // empty: a county-wide project
	Category    string `json:"category"`
	Batch       string `json:"batch"`
	Budget      Money  `json:"budget"`
	ApprovalDoc string `json:"approval_doc"`
}

// ProjectStatusChanged moves a project along started → completed → accepted,
// or cancels it.
type ProjectStatusChanged struct {
	Project    string `json:"project"`
	Status     string `json:"status"`
	Date       string `json:"date"`
	DocumentNo string `json:"document_no,omitempty"`
}

// FundsAppropriated moves money from a fund to a project (拨付/安排).
type FundsAppropriated struct {
	ID       string    `json:"id"`
	Project  string    `json:"project"`
	Fund     string    `json:"fund"`
	Amount   Money     `json:"amount"`
	Postings []Posting `json:"postings"`
}

// ProjectPaid records a payment from a project to a payee (报账/国库集中支付).
type ProjectPaid struct {
	ID        string    `json:"id"`
	Project   string    `json:"project"`
	Fund      string    `json:"fund"`
	Payee     string    `json:"payee"`
	Amount    Money     `json:"amount"`
	VoucherNo string    `json:"voucher_no"`
	Method    string    `json:"method"`
	Postings  []Posting `json:"postings"`
}

// FundsRecovered reclaims unspent project money (收回).
type FundsRecovered struct {
	ID       string    `json:"id"`
	Project  string    `json:"project"`
	Fund     string    `json:"fund"`
	Amount   Money     `json:"amount"`
	Reason   string    `json:"reason"`
	Postings []Posting `json:"postings"`
}

// PayoutMade pays one household through the one-card system (一卡通).
type PayoutMade struct {
	ID        string    `json:"id"`
	Household string    `json:"household"`
	Item      string    `json:"item"`
	Standard  Money     `json:"standard"`
	Period    string    `json:"period"`
	Fund      string    `json:"fund"`
	Amount    Money     `json:"amount"`
	Postings  []Posting `json:"postings"`
	// ReissueOf names the failed or returned line this payout replaces
	// ("<batch>/<household>"); empty for a first payout.
	ReissueOf string `json:"reissue_of,omitempty"`
}

// BatchLine is one household's line in a payout batch.
type BatchLine struct {
	Household string `json:"household"`
	Amount    Money  `json:"amount"`
}

// Control is a batch's control totals, stated by the clerk and checked
// against its lines.
type Control struct {
	Count  int   `json:"count"`
	Amount Money `json:"amount"`
}

// PayoutBatchAccepted pays many households from one fund (发放批次).
type PayoutBatchAccepted struct {
	ID       string      `json:"id"`
	Fund     string      `json:"fund"`
	Item     string      `json:"item"`
	Standard Money       `json:"standard"`
	Period   string      `json:"period"`
	Control  Control     `json:"control"`
	Lines    []BatchLine `json:"lines"`
	Postings []Posting   `json:"postings"`
}

// BankResultLine is the bank's answer for one batch line.
type BankResultLine struct {
	Household string `json:"household"`
	Status    string `json:"status"` // paid | failed | returned
	BankRef   string `json:"bank_ref,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Amount    Money  `json:"amount"` // the line's amount, copied so readers need no lookup
}

// BankResultsRecorded records the bank's report on a batch; failed and
// returned lines take their money back to the fund until re-issued.
type BankResultsRecorded struct {
	Batch    string           `json:"batch"`
	Fund     string           `json:"fund"`
	Lines    []BankResultLine `json:"lines"`
	Postings []Posting        `json:"postings"`
}

// WriteReversed corrects a mistake (冲正): it names the write it reverses and
// why, and moves the money back.
type WriteReversed struct {
	ID       string    `json:"id"`
	Reverses string    `json:"reverses"`
	Reason   string    `json:"reason"`
	Postings []Posting `json:"postings"`
}

// StandardSet adds or changes one subsidy standard from its date: the
// most a payout of the item may be, per unit.
type StandardSet struct {
	Item        string `json:"item"`
	Amount      Money  `json:"amount"`
	Unit        string `json:"unit"` // household | person | pupil | month
	Eligibility string `json:"eligibility,omitempty"`
	Date        string `json:"date"`
}

// FindingAcknowledged records an answer to an audit finding; the finding
// still stands (the money is where it is), now with its note.
type FindingAcknowledged struct {
	Finding string `json:"finding"`
	Note    string `json:"note"`
}

func (LedgerOpened) EventType() EventType         { return TypeLedgerOpened }
func (VillageRegistered) EventType() EventType    { return TypeVillageRegistered }
func (HouseholdRegistered) EventType() EventType  { return TypeHouseholdRegistered }
func (HouseholdExited) EventType() EventType      { return TypeHouseholdExited }
func (HouseholdReturned) EventType() EventType    { return TypeHouseholdReturned }
func (HouseholdRemoved) EventType() EventType     { return TypeHouseholdRemoved }
func (HouseholdCardChanged) EventType() EventType { return TypeHouseholdCardChanged }
func (FundAllocated) EventType() EventType        { return TypeFundAllocated }
func (FundIntegrated) EventType() EventType       { return TypeFundIntegrated }
func (ProjectApproved) EventType() EventType      { return TypeProjectApproved }
func (ProjectStatusChanged) EventType() EventType { return TypeProjectStatusChanged }
func (FundsAppropriated) EventType() EventType    { return TypeFundsAppropriated }
func (ProjectPaid) EventType() EventType          { return TypeProjectPaid }
func (FundsRecovered) EventType() EventType       { return TypeFundsRecovered }
func (PayoutMade) EventType() EventType           { return TypePayoutMade }
func (PayoutBatchAccepted) EventType() EventType  { return TypePayoutBatchAccepted }
func (BankResultsRecorded) EventType() EventType  { return TypeBankResultsRecorded }
func (WriteReversed) EventType() EventType        { return TypeWriteReversed }
func (StandardSet) EventType() EventType          { return TypeStandardSet }
func (FindingAcknowledged) EventType() EventType  { return TypeFindingAcknowledged }

func (e FundAllocated) Entries() []Posting       { return e.Postings }
func (e FundIntegrated) Entries() []Posting      { return e.Postings }
func (e FundsAppropriated) Entries() []Posting   { return e.Postings }
func (e ProjectPaid) Entries() []Posting         { return e.Postings }
func (e FundsRecovered) Entries() []Posting      { return e.Postings }
func (e PayoutMade) Entries() []Posting          { return e.Postings }
func (e PayoutBatchAccepted) Entries() []Posting { return e.Postings }
func (e BankResultsRecorded) Entries() []Posting { return e.Postings }
func (e WriteReversed) Entries() []Posting       { return e.Postings }

func (e FundAllocated) WriteID() string       { return e.ID }
func (e FundIntegrated) WriteID() string      { return e.ID }
func (e FundsAppropriated) WriteID() string   { return e.ID }
func (e ProjectPaid) WriteID() string         { return e.ID }
func (e FundsRecovered) WriteID() string      { return e.ID }
func (e PayoutMade) WriteID() string          { return e.ID }
func (e PayoutBatchAccepted) WriteID() string { return e.ID }
func (e BankResultsRecorded) WriteID() string { return e.Batch }
func (e WriteReversed) WriteID() string       { return e.ID }
