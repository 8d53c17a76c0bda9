package main

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
)

func init() { commands["export"] = runExport }

// chinaZone is China Standard Time, the zone of the county's documents:
// exported times and value dates are written in it.
var chinaZone = time.FixedZone("CST", 8*3600)

// movementHeader names the columns of the csv and xlsx exports.
var movementHeader = []string{"seq", "time", "command", "write_id", "event_type", "account", "amount"}

// exportSink receives each commit in order with its decoded events.
type exportSink interface {
	commit(c *domain.Commit, events []domain.Event) error
	close(w io.Writer) error
}

// runExport writes a ledger's history, read offline with its hash chain
// checked, for other tools: every money movement as CSV or XLSX, or an
// IATI-style activity file.
func runExport(args []string) error {
	fs := newFlags("export", "fundledger export --data-dir DIR --ledger CODE --format csv|xlsx|iati [--as-of 2019-06-30|--seq N] --out F: export a ledger's money movements (csv, xlsx) or an IATI-style activity file, verifying the hash chain on the way (stop the server first)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "ledger code (required)")
	format := fs.String("format", "", "csv (UTF-8 with BOM), xlsx or iati (default: from --out's extension; .xml is iati)")
	asOf := fs.String("as-of", "", "stop at this point: a date (end of that day, China time), an RFC 3339 time, or a sequence number")
	seq := fs.Uint64("seq", 0, "stop after this commit sequence")
	out := fs.String("out", "", "file to write (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *code == "" || *out == "" {
		return errors.New("--ledger and --out are required")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
		if *format == "xml" {
			*format = "iati"
		}
	}
	var sink exportSink
	switch *format {
	case "csv", "xlsx":
		sink = &movementSink{xlsx: *format == "xlsx"}
	case "iati":
		sink = newIATISink(*code)
	default:
		return fmt.Errorf("--format %q: give csv, xlsx or iati", *format)
	}
	cut, err := parseCut(*asOf, *seq)
	if err != nil {
		return err
	}
	var last *domain.Commit
	err = walkOffline(*dataDir, *code, "export", cut, func(c *domain.Commit) error {
		events, err := c.Decode()
		if err != nil {
			return err
		}
		last = c
		return sink.commit(c, events)
	})
	if err != nil {
		return fmt.Errorf("%w; nothing was exported", err)
	}
	if last == nil {
		return fmt.Errorf("ledger %s has no commits up to the cut", *code)
	}
	if err := writeFile(*out, sink.close); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exported ledger %s to seq %d (%s), chain verified: wrote %s\n", *code, last.Seq, last.Hash, *out)
	return nil
}

// movement is one posting of one money event: a row of the csv and xlsx
// exports. The rows of one commit sum to zero, as its postings do.
type movement struct {
	seq       uint64
	time      time.Time
	command   string
	writeID   string
	eventType string
	account   domain.Account
	amount    domain.Money
}

// movementSink collects every posting in ledger order.
type movementSink struct {
	xlsx bool
	rows []movement
}

func (s *movementSink) commit(c *domain.Commit, events []domain.Event) error {
	for _, e := range events {
		me, ok := e.(domain.MoneyEvent)
		if !ok {
			continue
		}
		for _, p := range me.Entries() {
			s.rows = append(s.rows, movement{c.Seq, c.Time, c.Command, writeID(e), e.EventType(), p.Account, p.Amount})
		}
	}
	return nil
}

func (s *movementSink) close(w io.Writer) error {
	if s.xlsx {
		return s.writeXLSX(w)
	}
	return s.writeCSV(w)
}

func (m movement) record() []string {
	return []string{strconv.FormatUint(m.seq, 10), m.time.In(chinaZone).Format(time.RFC3339), m.command,
		m.writeID, m.eventType, string(m.account), m.amount.String()}
}

// writeCSV writes UTF-8 with a byte-order mark and CRLF line ends, so Excel
// on a county office PC shows the Chinese account names.
func (s *movementSink) writeCSV(w io.Writer) error {
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write(movementHeader)
	for _, m := range s.rows {
		_ = cw.Write(m.record())
	}
	cw.Flush()
	return cw.Error()
}

// writeXLSX writes one sheet through excelize's stream writer (rows are
// not held twice). Amounts are numeric cells shown with two decimals so a
// clerk can sum them; a two-decimal amount below 10^13 converts to a
// float64 and back exactly, and the csv keeps the exact text.
func (s *movementSink) writeXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "movements"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(movementHeader), 16); err != nil {
		return err
	}
	head := make([]any, len(movementHeader))
	for i, h := range movementHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, m := range s.rows {
		rec := m.record()
		row := []any{m.seq, rec[1], rec[2], rec[3], rec[4], rec[5],
			excelize.Cell{StyleID: money, Value: m.amount.Decimal().InexactFloat64()}}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// writeID answers the id of the write an event records: the name a
// reversal uses, and a bank report's batch.
func writeID(e domain.Event) string {
	switch e := e.(type) {
	case domain.FundAllocated:
		return e.ID
	case domain.FundIntegrated:
		return e.ID
	case domain.FundsAppropriated:
		return e.ID
	case domain.ProjectPaid:
		return e.ID
	case domain.FundsRecovered:
		return e.ID
	case domain.PayoutMade:
		return e.ID
	case domain.PayoutBatchAccepted:
		return e.ID
	case domain.BankResultsRecorded:
		return e.Batch
	case domain.WriteReversed:
		return e.ID
	}
	return ""
}

// IATI transaction types (IATI codelist TransactionType). Stated in full so
// a reader can check the mapping against DESIGN.md: allocation and
// integration are incoming funds, appropriation a commitment, payment,
// payout and batch lines disbursements, recovery a reimbursement.
const (
	iatiIncomingFunds      = "1"
	iatiOutgoingCommitment = "2"
	iatiDisbursement       = "3"
	iatiReimbursement      = "7"
)

// iatiOrgPrefix makes the county's organisation reference. It is not a
// registered IATI organisation identifier; a county that has one should
// see it replace this prefix.
const iatiOrgPrefix = "CN-COUNTY-"

// projectActivityStatus maps a project's status to IATI ActivityStatus.
var projectActivityStatus = map[string]string{
	"approved":  "1", // pipeline / identification
	"started":   "2", // implementation
	"completed": "3", // finalisation
	"accepted":  "4", // closed
	"cancelled": "5", // cancelled
}

type iatiActivities struct {
	XMLName    xml.Name        `xml:"iati-activities"`
	Version    string          `xml:"version,attr"`
	Generated  string          `xml:"generated-datetime,attr"`
	Source     xml.Comment     `xml:",comment"`
	Activities []*iatiActivity `xml:"iati-activity"`
}

type iatiActivity struct {
	LastUpdated   string            `xml:"last-updated-datetime,attr"`
	Currency      string            `xml:"default-currency,attr"`
	Identifier    string            `xml:"iati-identifier"`
	ReportingOrg  iatiOrg           `xml:"reporting-org"`
	Title         iatiText          `xml:"title"`
	Description   iatiText          `xml:"description"`
	Participating []iatiOrg         `xml:"participating-org"`
	Status        iatiCode          `xml:"activity-status"`
	Dates         []iatiDate        `xml:"activity-date"`
	Country       iatiCode          `xml:"recipient-country"`
	Transactions  []iatiTransaction `xml:"transaction"`
}

type iatiText struct {
	Narrative string `xml:"narrative"`
}

type iatiOrg struct {
	Ref       string `xml:"ref,attr,omitempty"`
	Type      string `xml:"type,attr,omitempty"`
	Role      string `xml:"role,attr,omitempty"`
	Narrative string `xml:"narrative,omitempty"`
}

type iatiCode struct {
	Code string `xml:"code,attr"`
}

type iatiDate struct {
	Type    string `xml:"type,attr,omitempty"`
	ISODate string `xml:"iso-date,attr"`
}

type iatiValue struct {
	Currency  string `xml:"currency,attr"`
	ValueDate string `xml:"value-date,attr"`
	Amount    string `xml:",chardata"` // two decimals, from domain.Money: never a float
}

type iatiTransaction struct {
	Ref         string    `xml:"ref,attr,omitempty"`
	Type        iatiCode  `xml:"transaction-type"`
	Date        iatiDate  `xml:"transaction-date"`
	Value       iatiValue `xml:"value"`
	Description *iatiText `xml:"description,omitempty"`
	Provider    *iatiOrg  `xml:"provider-org,omitempty"`
	Receiver    *iatiOrg  `xml:"receiver-org,omitempty"`
}

// iatiEntry is a transaction a write produced, kept so that a reversal can
// produce the same transactions negated (and a reversal of a reversal the
// originals again).
type iatiEntry struct {
	act    *iatiActivity
	tx     iatiTransaction
	amount domain.Money
}

// iatiSink builds one activity for the county's funds (allocations,
// integrations, payouts, batches, bank returns) and one per project
// (appropriations, payments, recoveries), in ledger order.
type iatiSink struct {
	code     string
	org      iatiOrg
	county   *iatiActivity
	acts     []*iatiActivity
	projects map[string]*iatiActivity
	writes   map[string][]iatiEntry
	last     *domain.Commit
}

func newIATISink(code string) *iatiSink {
	s := &iatiSink{code: code, projects: map[string]*iatiActivity{}, writes: map[string][]iatiEntry{}}
	s.org = iatiOrg{Ref: iatiOrgPrefix + code, Type: "10", Narrative: code} // 10: government
	s.county = s.activity(iatiOrgPrefix+code+"-FUNDS", code, "2")
	return s
}

func (s *iatiSink) activity(id, title, status string) *iatiActivity {
	a := &iatiActivity{Currency: "CNY", Identifier: id, ReportingOrg: s.org, Title: iatiText{title},
		Participating: []iatiOrg{{Ref: s.org.Ref, Type: s.org.Type, Role: "4", Narrative: s.org.Narrative}}, // 4: implementing
		Status:        iatiCode{status}, Country: iatiCode{"CN"}}
	s.acts = append(s.acts, a)
	return a
}

// add records a transaction of write id on activity a, dated by commit c.
func (s *iatiSink) add(c *domain.Commit, a *iatiActivity, id, typ string, amount domain.Money, desc string, provider, receiver *iatiOrg) {
	day := c.Time.In(chinaZone).Format("2006-01-02")
	tx := iatiTransaction{Ref: id, Type: iatiCode{typ}, Date: iatiDate{ISODate: day},
		Value:       iatiValue{Currency: "CNY", ValueDate: day, Amount: amount.String()},
		Description: &iatiText{desc}, Provider: provider, Receiver: receiver}
	a.Transactions = append(a.Transactions, tx)
	a.LastUpdated = c.Time.In(chinaZone).Format(time.RFC3339)
	s.writes[id] = append(s.writes[id], iatiEntry{a, tx, amount})
}

func narrativeOrg(name string) *iatiOrg { return &iatiOrg{Narrative: name} }

func (s *iatiSink) project(id string) *iatiActivity {
	if a, ok := s.projects[id]; ok {
		return a
	}
	// A project the file has not seen approved cannot happen in a verified
	// ledger; give it an activity rather than drop its money.
	a := s.activity(iatiOrgPrefix+s.code+"-"+id, id, "2")
	s.projects[id] = a
	return a
}

func (s *iatiSink) commit(c *domain.Commit, events []domain.Event) error {
	s.last = c
	county := s.org.Narrative
	for _, e := range events {
		switch e := e.(type) {
		case domain.LedgerOpened:
			s.org.Narrative = e.Name
			for _, a := range s.acts {
				a.ReportingOrg.Narrative, a.Participating[0].Narrative = e.Name, e.Name
			}
			s.county.Title = iatiText{e.Name + " 财政专项扶贫资金和统筹整合财政涉农资金"}
			s.county.Description = iatiText{"Poverty-alleviation funds of county " + e.Code + " " + e.Name + ": funds received, household payouts and bank returns; project spending is in the project activities."}
			county = e.Name
		case domain.FundAllocated:
			s.add(c, s.county, e.ID, iatiIncomingFunds, e.Amount,
				fmt.Sprintf("allocation %s, %s %d, %s", e.ID, e.Programme, e.FiscalYear, e.DocumentNo),
				narrativeOrg(e.SourceLevel+" · "+e.Programme), narrativeOrg(county))
		case domain.FundIntegrated:
			s.add(c, s.county, e.ID, iatiIncomingFunds, e.Amount,
				fmt.Sprintf("integration %s, %s %d, %s", e.ID, e.Programme, e.FiscalYear, e.DocumentNo),
				narrativeOrg("farm · "+e.Programme), narrativeOrg(county))
		case domain.ProjectApproved:
			a := s.activity(iatiOrgPrefix+s.code+"-"+e.ID, e.Name, projectActivityStatus["approved"])
			a.Description = iatiText{fmt.Sprintf("project %s, %s, village %s, batch %s, budget %s, %s", e.ID, e.Category, e.Village, e.Batch, e.Budget, e.ApprovalDoc)}
			a.LastUpdated = c.Time.In(chinaZone).Format(time.RFC3339)
			s.projects[e.ID] = a
		case domain.ProjectStatusChanged:
			a := s.project(e.Project)
			a.Status = iatiCode{projectActivityStatus[e.Status]}
			switch e.Status {
			case "started":
				a.Dates = append(a.Dates, iatiDate{Type: "2", ISODate: e.Date}) // actual start
			case "completed", "cancelled":
				a.Dates = append(a.Dates, iatiDate{Type: "4", ISODate: e.Date}) // actual end
			}
		case domain.FundsAppropriated:
			s.add(c, s.project(e.Project), e.ID, iatiOutgoingCommitment, e.Amount,
				fmt.Sprintf("appropriation %s from fund %s", e.ID, e.Fund), narrativeOrg(e.Fund), narrativeOrg(e.Project))
		case domain.ProjectPaid:
			s.add(c, s.project(e.Project), e.ID, iatiDisbursement, e.Amount,
				fmt.Sprintf("payment %s from fund %s, voucher %s, %s", e.ID, e.Fund, e.VoucherNo, e.Method), narrativeOrg(e.Project), narrativeOrg(e.Payee))
		case domain.FundsRecovered:
			s.add(c, s.project(e.Project), e.ID, iatiReimbursement, e.Amount,
				fmt.Sprintf("recovery %s to fund %s: %s", e.ID, e.Fund, e.Reason), narrativeOrg(e.Project), narrativeOrg(e.Fund))
		case domain.PayoutMade:
			s.add(c, s.county, e.ID, iatiDisbursement, e.Amount,
				fmt.Sprintf("payout %s, %s %s, from fund %s", e.ID, e.Item, e.Period, e.Fund), narrativeOrg(e.Fund), narrativeOrg("household "+e.Household))
		case domain.PayoutBatchAccepted:
			for _, l := range e.Lines {
				s.add(c, s.county, e.ID, iatiDisbursement, l.Amount,
					fmt.Sprintf("payout batch %s, %s %s, from fund %s", e.ID, e.Item, e.Period, e.Fund), narrativeOrg(e.Fund), narrativeOrg("household "+l.Household))
			}
		case domain.BankResultsRecorded:
			// A failed or returned line's money went back to the fund: a
			// disbursement undone. Bank results are not reversible writes,
			// so they are not remembered for reversals.
			for _, l := range e.Lines {
				if l.Status == "paid" {
					continue
				}
				day := c.Time.In(chinaZone).Format("2006-01-02")
				s.county.Transactions = append(s.county.Transactions, iatiTransaction{Ref: e.Batch, Type: iatiCode{iatiDisbursement},
					Date: iatiDate{ISODate: day}, Value: iatiValue{Currency: "CNY", ValueDate: day, Amount: l.Amount.Neg().String()},
					Description: &iatiText{fmt.Sprintf("bank result of batch %s: %s %s %s", e.Batch, l.Status, l.BankRef, l.Reason)},
					Provider:    narrativeOrg("household " + l.Household), Receiver: narrativeOrg(e.Fund)})
			}
		case domain.WriteReversed:
			// The reversed write's transactions again, negated, under the
			// reversal's id: a reversal of a reversal restores them.
			for _, en := range s.writes[e.Reverses] {
				tx := en.tx
				tx.Ref = e.ID
				tx.Description = &iatiText{fmt.Sprintf("reversal %s of %s: %s", e.ID, e.Reverses, e.Reason)}
				s.add(c, en.act, e.ID, tx.Type.Code, en.amount.Neg(), tx.Description.Narrative, tx.Provider, tx.Receiver)
			}
		}
	}
	return nil
}

// close writes the file. Its generated time is the last exported commit's,
// so the same ledger and cut always give the same bytes.
func (s *iatiSink) close(w io.Writer) error {
	doc := iatiActivities{Version: "2.03", Generated: s.last.Time.In(chinaZone).Format(time.RFC3339),
		Source:     xml.Comment(fmt.Sprintf(" fundledger ledger %s to seq %d, head hash %s ", s.code, s.last.Seq, s.last.Hash)),
		Activities: s.acts}
	for _, a := range s.acts {
		if a.LastUpdated == "" {
			a.LastUpdated = doc.Generated
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
