package projections

import (
	"fmt"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// Model is the read model of one ledger: the fold of its commits up to Seq.
// It is not safe for concurrent use; the Projector guards its live models.
type Model struct {
	st     state
	intern map[string]string // shares the many copies of item, period and fund names
	kinds  map[lineKind]*lineKind
	date   string // the business cut's date, if the model is one (business.go)
}

// state is everything a Model knows, in a form that encodes to JSON as is,
// so a snapshot is just this struct. Maps encode with sorted keys, so two
// models that folded the same history encode to the same bytes.
type state struct {
	Ledger     string                   `json:"ledger"`
	Opened     bool                     `json:"opened"`
	Info       domain.LedgerOpened      `json:"info"` // name, complaint line, issuer (for disclosure)
	Seq        uint64                   `json:"seq"`
	Hash       string                   `json:"hash"`
	Time       time.Time                `json:"time"`   // time of the commit at Seq
	Events     uint64                   `json:"events"` // events folded so far
	Accounts   map[domain.Account]*flow `json:"accounts"`
	Villages   map[string]*village      `json:"villages"`
	Households map[string]*household    `json:"households"`
	Funds      map[string]*fund         `json:"funds"`
	Projects   map[string]*project      `json:"projects"`
	Payees     map[string]*payee        `json:"payees"`
	Batches    map[string]*batch        `json:"batches"`
	Writes     map[string]*write        `json:"writes"`
	Items      map[string]*item         `json:"items"`
	// Undelivered totals the lines the bank failed or returned and no
	// standing payout has re-issued.
	Undelivered item `json:"undelivered"`
	// Standards is the table of subsidy standards: by item, its versions
	// in date order (standards.go).
	Standards map[string][]standard `json:"standards"`
	// Acks are the answers to findings, by finding id, in record order.
	Acks map[string][]ack `json:"acks"`
	// Days indexes the business date of every commit folded, for fast
	// business cuts (business.go): runs of commits of one date.
	Days []dayRun `json:"days,omitempty"`
}

// flow is an account's money in and out, net of corrections.
type flow struct {
	Received domain.Money `json:"r"`
	Spent    domain.Money `json:"s"`
}

type village struct {
	Info       domain.VillageRegistered `json:"info"`
	Projects   []string                 `json:"projects"`   // in approval order
	Households []string                 `json:"households"` // in registration order
}

// household keeps the register entry (names, ID and card numbers are kept
// in full here; disclosure masks them) and every payout line it received.
type household struct {
	Info       domain.HouseholdRegistered `json:"info"`
	Seq        uint64                     `json:"seq,omitempty"`         // commit that registered it
	RemovedSeq uint64                     `json:"removed_seq,omitempty"` // commit that removed it (清退)
	RemovedDay string                     `json:"removed_day,omitempty"` // its business date
	Removed    bool                       `json:"removed,omitempty"`
	ExitYear   int                        `json:"exit_year,omitempty"`
	Lines      []line                     `json:"lines"`
}

// line is one payout to a household: a single payout or a batch line.
// There is one per payout event, so it is kept small (64 bytes): what the
// lines of one payout run share (item, period, fund, day, standard) is one
// interned lineKind, and what few lines ever get (a bank result, a re-issue
// link) is a lineBank that is nil until then. Both are immutable once made,
// so a copied line (frozen) may share them: a change makes a new one.
type line struct {
	*lineKind
	Write    string       // payout id or batch id
	Amount   domain.Money //
	Seq      uint64       // commit that made it
	bank     *lineBank    // nil: no bank result and no re-issue link
	Batch    bool         // from a payout batch
	Reversed bool
}

// lineKind is what the lines of one payout run have in common; Model.kind
// interns it. Never change one in place: it is shared.
type lineKind struct {
	Item     string
	Period   string
	Fund     string
	Day      string // its business date (YYYY-MM-DD)
	Standard domain.Money
}

// lineBank is the rare part of a line; never change one in place (see
// line): setBank makes a new one.
type lineBank struct {
	Bank    string // "", paid, failed, returned
	BankRef string //
	Reason  string // why the bank failed or returned it
	// ReissueOf names the failed or returned line this payout replaces
	// ("<batch>/<household>"); ReissuedBy, on that line, the payout that
	// replaced it while that payout stands.
	ReissueOf  string
	ReissuedBy string
}

// banked answers the line's rare part (zero if it has none).
func (l *line) banked() lineBank {
	if l.bank == nil {
		return lineBank{}
	}
	return *l.bank
}

// setBank replaces the line's rare part (copy on write: see line).
func (l *line) setBank(b lineBank) {
	if b == (lineBank{}) {
		l.bank = nil
		return
	}
	l.bank = &b
}

// ref names the line as a re-issue does: "<batch>/<household>" for a
// batch line, the payout id for a single payout.
func (l *line) ref(hid string) string {
	if l.Batch {
		return l.Write + "/" + hid
	}
	return l.Write
}

// counts reports whether the line's money stands with the household: not
// reversed, and not failed or returned by the bank.
func (l *line) counts() bool {
	return !l.Reversed && (l.bank == nil || (l.bank.Bank != "failed" && l.bank.Bank != "returned"))
}

type fund struct {
	ID           string       `json:"id"`
	Pool         string       `json:"pool"`  // poverty | integrated
	Level        string       `json:"level"` // central … other; "farm" for integrations
	Programme    string       `json:"programme"`
	FiscalYear   int          `json:"fiscal_year"`
	DocumentNo   string       `json:"document_no"`
	Amount       domain.Money `json:"amount"`       // net of a reversal of the allocation itself
	Appropriated domain.Money `json:"appropriated"` // to projects, net of reversals
	ProjectPaid  domain.Money `json:"project_paid"` // paid by projects to payees from this fund
	Recovered    domain.Money `json:"recovered"`    // reclaimed from projects
	PaidOut      domain.Money `json:"paid_out"`     // to households, counting lines only
	Seq          uint64       `json:"seq"`          // commit that recorded it
}

type project struct {
	Info   domain.ProjectApproved `json:"info"`
	Status string                 `json:"status"`
	Dates  map[string]string      `json:"dates"` // status → date (approved: the commit's date in China time)
	// StatusSeq is the commit of the last status change (for findings' evidence).
	StatusSeq uint64                  `json:"status_seq,omitempty"`
	Funds     map[string]*projectFund `json:"funds"`
}

type projectFund struct {
	Appropriated domain.Money `json:"appropriated"`
	Paid         domain.Money `json:"paid"`
	Recovered    domain.Money `json:"recovered"`
}

type payee struct {
	Payments  int                     `json:"payments"`
	ByProject map[string]domain.Money `json:"by_project"`
}

type batch struct {
	Fund       string   `json:"fund"`
	Item       string   `json:"item"`
	Period     string   `json:"period"`
	Households []string `json:"households"` // line order
}

// write is a money write a reversal can name, with what undoing it touches.
// There is one per money event, so it is kept small (88 bytes): what only
// some writes have (a reversal's target, a project, a payee, a re-issue
// link, being reversed) is a writeMore that is nil until then and, like a
// line's bank part, replaced rather than changed (frozen shares it).
type write struct {
	Type      domain.EventType
	Amount    domain.Money
	Fund      string
	Household string
	Seq       uint64     // commit that made it
	more      *writeMore // nil: none of its fields set
	Polarity  int8       // +1 an original write, -1 one that undoes another
}

// writeMore is the rare part of a write; never change one in place.
type writeMore struct {
	Reverses   string
	ReversedBy string
	Project    string
	Payee      string
	ReissueOf  string // a payout's: the line it re-issues
}

// extra answers the write's rare part (zero if it has none).
func (w *write) extra() writeMore {
	if w.more == nil {
		return writeMore{}
	}
	return *w.more
}

// setExtra replaces the write's rare part (copy on write: see write).
func (w *write) setExtra(x writeMore) {
	if x == (writeMore{}) {
		w.more = nil
		return
	}
	w.more = &x
}

// newWrite answers a write with its rare part set.
func newWrite(t domain.EventType, fund, household string, amount domain.Money, more writeMore) *write {
	w := &write{Type: t, Fund: fund, Household: household, Amount: amount}
	w.setExtra(more)
	return w
}

// item totals the payout lines that count, per subsidy item (补贴项目).
type item struct {
	Lines      int            `json:"lines"`
	Amount     domain.Money   `json:"amount"`
	Households map[string]int `json:"households"` // household → counting lines
}

// NewModel answers the model of a ledger that has recorded nothing.
func NewModel(ledger string) *Model {
	return &Model{st: state{
		Ledger:      ledger,
		Hash:        domain.GenesisHash,
		Accounts:    map[domain.Account]*flow{},
		Villages:    map[string]*village{},
		Households:  map[string]*household{},
		Funds:       map[string]*fund{},
		Projects:    map[string]*project{},
		Payees:      map[string]*payee{},
		Batches:     map[string]*batch{},
		Writes:      map[string]*write{},
		Items:       map[string]*item{},
		Undelivered: item{Households: map[string]int{}},
		Standards:   map[string][]standard{},
		Acks:        map[string][]ack{},
	}, intern: map[string]string{}, kinds: map[lineKind]*lineKind{}}
}

// Ledger answers the ledger code.
func (m *Model) Ledger() string { return m.st.Ledger }

// Seq answers the last commit folded into the model (0 for none).
func (m *Model) Seq() uint64 { return m.st.Seq }

// HeadHash answers the hash of the commit at Seq (the genesis hash for none).
func (m *Model) HeadHash() string { return m.st.Hash }

// Time answers the time of the commit at Seq (zero for none).
func (m *Model) Time() time.Time { return m.st.Time }

// Events answers how many events the model has folded.
func (m *Model) Events() uint64 { return m.st.Events }

// LinkError says a commit does not follow the model's head: wrong ledger,
// a gap in sequence, or a previous hash that is not the head's hash.
type LinkError struct {
	Ledger string
	Seq    uint64
	Reason string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("projections: ledger %s commit %d: %s", e.Ledger, e.Seq, e.Reason)
}

// Apply folds one commit into the model. The commit must be the next one
// (Seq+1) and chain to the head (its prev_hash is HeadHash); it is decoded
// whole before anything changes, so a commit that fails leaves the model as
// it was. Apply trusts the commit's own hash: ledger.Walk checks hashes where
// the history is not the writer's own (replay, verify).
func (m *Model) Apply(c *domain.Commit) error {
	if m.st.Ledger != "" && c.Ledger != m.st.Ledger {
		return &LinkError{m.st.Ledger, c.Seq, fmt.Sprintf("belongs to ledger %q", c.Ledger)}
	}
	if c.Seq != m.st.Seq+1 {
		return &LinkError{m.st.Ledger, c.Seq, fmt.Sprintf("is not the next commit after %d", m.st.Seq)}
	}
	if c.PrevHash != m.st.Hash {
		return &LinkError{m.st.Ledger, c.Seq, "prev_hash is not the hash of the commit before it"}
	}
	events, err := c.Decode()
	if err != nil {
		return err
	}
	return m.applyDecoded(c, events)
}

// applyDecoded is Apply of a commit whose events are already decoded.
func (m *Model) applyDecoded(c *domain.Commit, events []domain.Event) error {
	if c.Seq != m.st.Seq+1 || c.PrevHash != m.st.Hash || (m.st.Ledger != "" && c.Ledger != m.st.Ledger) {
		return &LinkError{m.st.Ledger, c.Seq, "does not follow the model's head"}
	}
	for _, e := range events {
		m.apply(c, e)
	}
	m.index(c)
	m.st.Ledger = c.Ledger
	m.st.Seq, m.st.Hash, m.st.Time = c.Seq, c.Hash, c.Time
	m.st.Events += uint64(len(events))
	return nil
}

// in interns s, so that a million payout lines share a few item names.
func (m *Model) in(s string) string {
	if v, ok := m.intern[s]; ok {
		return v
	}
	if len(m.intern) < 1<<16 { // ids are unique; stop interning if it stops paying
		m.intern[s] = s
	}
	return s
}

// kind interns what a payout line shares with the others of its run, so
// that a million lines hold a few hundred kinds.
func (m *Model) kind(k lineKind) *lineKind {
	if v, ok := m.kinds[k]; ok {
		return v
	}
	k.Item, k.Period, k.Fund, k.Day = m.in(k.Item), m.in(k.Period), m.in(k.Fund), m.in(k.Day)
	v := &k
	if m.kinds == nil {
		m.kinds = map[lineKind]*lineKind{}
	}
	if len(m.kinds) < 1<<16 { // as in: stop if it stops paying
		m.kinds[k] = v
	}
	return v
}

// chinaTime is China Standard Time (UTC+8), in which county documents date
// things; fixed, so that no time zone database is needed.
var chinaTime = domain.ChinaTime
