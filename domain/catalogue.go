package domain

import "reflect"

// CommandSpec describes one command: everything the ways in (the HTTP API,
// its OpenAPI document, `fundledger import`) need to offer it, and the
// event types its decider may answer. The catalogue is the one list of
// commands; routes, import kinds and operations are made from it.
type CommandSpec struct {
	// Name is the command's CommandName: stored in every commit it makes
	// (so never changed), and the one spelling of the command in logs,
	// metrics, import kinds and OpenAPI operation ids.
	Name string
	// Body is the zero value of the command's type, whose JSON shape is
	// the request body; fields taken from the path are tagged `json:"-"`.
	Body Command
	// Method and Path are the command's HTTP route, in Echo syntax. Its
	// only parameters are :ledger and, when Param is set, :id.
	Method, Path string
	// Param is what the path's :id names ("household", "project",
	// "batch"): the command's field it fills, and the top-level field of
	// an import line. Empty when the path has no :id.
	Param string
	// Role is the bearer-token role that may send it (admin may too).
	Role    string
	Summary string      // one sentence for the OpenAPI document
	Writes  []EventType // the event types its decider may answer
	decode  func(body []byte, param string, read func([]byte, any) error) (Command, error)
}

// FinanceRole is the token role that records commands.
const FinanceRole = "finance"

// Decode reads a request body into the command with read (the one strict
// JSON reader of the API and import) and sets the field the path
// parameter names, if the command has one.
func (d CommandSpec) Decode(body []byte, param string, read func([]byte, any) error) (Command, error) {
	return d.decode(body, param, read)
}

// command is one entry of the catalogue, typed by its command so that the
// compiler checks the field its path parameter fills.
type command[C Command] struct {
	Path    string
	Param   string
	Set     func(c *C, param string) // fills the field Param names
	Summary string
	Writes  []EventType
}

func (d command[C]) spec() CommandSpec {
	var zero C
	return CommandSpec{Name: zero.CommandName(), Body: zero, Method: "POST", Path: d.Path, Param: d.Param,
		Role: FinanceRole, Summary: d.Summary, Writes: d.Writes,
		decode: func(body []byte, param string, read func([]byte, any) error) (Command, error) {
			var c C
			if err := read(body, &c); err != nil {
				return nil, err
			}
			if d.Set != nil {
				d.Set(&c, param)
			}
			return c, nil
		}}
}

// ledgerPath is the route of one ledger, which every command but the one
// that opens it writes to.
const ledgerPath = "/v1/ledgers/:ledger"

// commands is the catalogue. A new command is one entry here plus its type
// (commands.go) and its decider (decide_*.go); a new event type it writes
// is added to the event catalogue (eventtypes.go).
var commands = []CommandSpec{
	command[OpenLedger]{Path: "/v1/ledgers", Summary: "Open a county ledger.",
		Writes: []EventType{TypeLedgerOpened}}.spec(),
	command[RegisterVillage]{Path: ledgerPath + "/villages", Summary: "Register an administrative village (行政村).",
		Writes: []EventType{TypeVillageRegistered}}.spec(),
	command[RegisterHousehold]{Path: ledgerPath + "/households", Summary: "Register a household (建档立卡).",
		Writes: []EventType{TypeHouseholdRegistered}}.spec(),
	command[RegisterHouseholds]{Path: ledgerPath + "/households/import", Summary: "Register many households at once (建档立卡花名册), all or none in one commit; every refused row is listed.",
		Writes: []EventType{TypeHouseholdRegistered}}.spec(),
	command[ExitHousehold]{Path: ledgerPath + "/households/:id/exit", Param: "household",
		Set:     func(c *ExitHousehold, id string) { c.Household = id },
		Summary: "Record a household's exit from poverty (脱贫).", Writes: []EventType{TypeHouseholdExited}}.spec(),
	command[ReturnHousehold]{Path: ledgerPath + "/households/:id/return", Param: "household",
		Set:     func(c *ReturnHousehold, id string) { c.Household = id },
		Summary: "Record a household's return to poverty (返贫).", Writes: []EventType{TypeHouseholdReturned}}.spec(),
	command[RemoveHousehold]{Path: ledgerPath + "/households/:id/removal", Param: "household",
		Set:     func(c *RemoveHousehold, id string) { c.Household = id },
		Summary: "Remove a household from the register (清退); payouts to it are refused from then on.",
		Writes:  []EventType{TypeHouseholdRemoved}}.spec(),
	command[ChangeBankCard]{Path: ledgerPath + "/households/:id/bank-card", Param: "household",
		Set:     func(c *ChangeBankCard, id string) { c.Household = id },
		Summary: "Record a household's new one-card bank account.", Writes: []EventType{TypeHouseholdCardChanged}}.spec(),
	command[Allocate]{Path: ledgerPath + "/allocations", Summary: "Record special poverty funds arriving from a level (下达).",
		Writes: []EventType{TypeFundAllocated}}.spec(),
	command[Integrate]{Path: ledgerPath + "/integrations", Summary: "Record farm funds integrated into the poverty effort (统筹整合).",
		Writes: []EventType{TypeFundIntegrated}}.spec(),
	command[ApproveProject]{Path: ledgerPath + "/projects", Summary: "Approve a project from the project library (批复).",
		Writes: []EventType{TypeProjectApproved}}.spec(),
	command[ChangeProjectStatus]{Path: ledgerPath + "/projects/:id/status", Param: "project",
		Set:     func(c *ChangeProjectStatus, id string) { c.Project = id },
		Summary: "Move a project along started → completed → accepted, or cancel it.",
		Writes:  []EventType{TypeProjectStatusChanged}}.spec(),
	command[Appropriate]{Path: ledgerPath + "/projects/:id/appropriations", Param: "project",
		Set:     func(c *Appropriate, id string) { c.Project = id },
		Summary: "Move money from a fund to a project.", Writes: []EventType{TypeFundsAppropriated}}.spec(),
	command[Pay]{Path: ledgerPath + "/projects/:id/payments", Param: "project",
		Set:     func(c *Pay, id string) { c.Project = id },
		Summary: "Pay a payee from a project's money of one fund (报账/国库集中支付).", Writes: []EventType{TypeProjectPaid}}.spec(),
	command[Recover]{Path: ledgerPath + "/projects/:id/recoveries", Param: "project",
		Set:     func(c *Recover, id string) { c.Project = id },
		Summary: "Reclaim a project's unspent money of one fund (收回).", Writes: []EventType{TypeFundsRecovered}}.spec(),
	command[Payout]{Path: ledgerPath + "/payouts", Summary: "Pay one household through the one-card system (一卡通).",
		Writes: []EventType{TypePayoutMade}}.spec(),
	command[PayoutBatch]{Path: ledgerPath + "/payout-batches", Summary: "Pay many households from one fund, checked against control totals.",
		Writes: []EventType{TypePayoutBatchAccepted}}.spec(),
	command[RecordBankResults]{Path: ledgerPath + "/payout-batches/:id/bank-results", Param: "batch",
		Set:     func(c *RecordBankResults, id string) { c.Batch = id },
		Summary: "Record the bank's report on a batch; failed and returned lines go back to the fund.",
		Writes:  []EventType{TypeBankResultsRecorded}}.spec(),
	command[Reverse]{Path: ledgerPath + "/reversals", Summary: "Reverse a money write (冲正), naming it and why.",
		Writes: []EventType{TypeWriteReversed}}.spec(),
	command[SetStandard]{Path: ledgerPath + "/standards",
		Summary: "Add a subsidy standard (补助标准: item, amount per unit household|person|pupil|month, eligibility), or change one from its date; payouts are checked against this table.",
		Writes:  []EventType{TypeStandardSet}}.spec(),
	command[AcknowledgeFinding]{Path: ledgerPath + "/findings/:id/acknowledgement", Param: "finding",
		Set:     func(c *AcknowledgeFinding, id string) { c.Finding = id },
		Summary: "Acknowledge an audit finding with a note (整改说明); the finding stays listed, marked acknowledged.",
		Writes:  []EventType{TypeFindingAcknowledged}}.spec(),
}

var (
	commandsByName = map[string]CommandSpec{}
	commandsByType = map[reflect.Type]CommandSpec{}
)

func init() {
	for _, d := range commands {
		if _, dup := commandsByName[d.Name]; dup {
			panic("domain: command " + d.Name + " catalogued twice")
		}
		commandsByName[d.Name] = d
		commandsByType[reflect.TypeOf(d.Body)] = d
	}
}

// Commands answers every command of the catalogue.
func Commands() []CommandSpec { return append([]CommandSpec(nil), commands...) }

// CommandNamed answers the command stored under name.
func CommandNamed(name string) (CommandSpec, bool) {
	d, ok := commandsByName[name]
	return d, ok
}

// CommandOf answers the catalogue entry of c's type.
func CommandOf(c Command) (CommandSpec, bool) {
	d, ok := commandsByType[reflect.TypeOf(c)]
	return d, ok
}
