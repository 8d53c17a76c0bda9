package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/fundledger/fundledger/domain"
)

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

// xmlNS is the namespace of xml:lang; encoding/xml writes attributes in it
// with the reserved prefix "xml".
const xmlNS = "http://www.w3.org/XML/1998/namespace"

// iatiLang is the default language of the file's text: names of counties,
// projects and payees are Chinese. Narratives written from English
// templates say xml:lang="en" themselves.
const iatiLang = "zh"

type iatiActivities struct {
	XMLName    xml.Name        `xml:"iati-activities"`
	Version    string          `xml:"version,attr"`
	Generated  string          `xml:"generated-datetime,attr"`
	Lang       string          `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Source     xml.Comment     `xml:",comment"`
	Activities []*iatiActivity `xml:"iati-activity"`
}

// iatiActivity is one activity; its fields are in the order the 2.03
// schema's sequence requires (iati_schema_test.go checks it).
type iatiActivity struct {
	LastUpdated   string            `xml:"last-updated-datetime,attr"`
	Lang          string            `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
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
	Narrative iatiNarrative `xml:"narrative"`
}

// iatiNarrative is text in the activity's language, or in Lang.
type iatiNarrative struct {
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

// zhText is text in the file's default language (names as registered).
func zhText(s string) iatiText { return iatiText{iatiNarrative{Text: s}} }

// enText is text written from an English template.
func enText(s string) *iatiText { return &iatiText{iatiNarrative{Lang: "en", Text: s}} }

type iatiOrg struct {
	Ref       string `xml:"ref,attr,omitempty"`
	Type      string `xml:"type,attr,omitempty"`
	Role      string `xml:"role,attr,omitempty"`
	Narrative string `xml:"narrative,omitempty"`
}

type iatiCode struct {
	Code string `xml:"code,attr"`
}

// IATI ActivityDateType codes.
const (
	iatiPlannedStart = "1"
	iatiActualStart  = "2"
	iatiActualEnd    = "4"
)

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

// iatiWriter builds one activity for the county's funds (allocations,
// integrations, payouts, batches, bank returns) and one per project
// (appropriations, payments, recoveries), in ledger order, and writes the
// file on Close.
type iatiWriter struct {
	w        io.Writer
	code     string
	org      iatiOrg
	county   *iatiActivity
	acts     []*iatiActivity
	projects map[string]*iatiActivity
	writes   map[string][]iatiEntry
	last     *domain.Commit
}

func newIATIWriter(code string, w io.Writer) *iatiWriter {
	s := &iatiWriter{w: w, code: code, projects: map[string]*iatiActivity{}, writes: map[string][]iatiEntry{}}
	s.org = iatiOrg{Ref: iatiOrgPrefix + code, Type: "10", Narrative: code} // 10: government
	s.county = s.activity(iatiOrgPrefix+code+"-FUNDS", code, "2")
	return s
}

func (s *iatiWriter) activity(id, title, status string) *iatiActivity {
	a := &iatiActivity{Lang: iatiLang, Currency: "CNY", Identifier: id, ReportingOrg: s.org, Title: zhText(title),
		Participating: []iatiOrg{{Ref: s.org.Ref, Type: s.org.Type, Role: "4", Narrative: s.org.Narrative}}, // 4: implementing
		Status:        iatiCode{status}, Country: iatiCode{"CN"}}
	s.acts = append(s.acts, a)
	return a
}

// iatiDay is the day commit c's transactions are dated: its business
// date, when the money moved, not when it was recorded.
func iatiDay(c *domain.Commit) string { return c.BusinessDate() }

// add records a transaction of write id on activity a, dated by commit c;
// desc is English (the templates of iati_map.go).
func (s *iatiWriter) add(c *domain.Commit, a *iatiActivity, id, typ string, amount domain.Money, desc string, provider, receiver *iatiOrg) {
	day := iatiDay(c)
	tx := iatiTransaction{Ref: id, Type: iatiCode{typ}, Date: iatiDate{ISODate: day},
		Value:       iatiValue{Currency: "CNY", ValueDate: day, Amount: amount.String()},
		Description: enText(desc), Provider: provider, Receiver: receiver}
	a.Transactions = append(a.Transactions, tx)
	a.LastUpdated = c.Time.In(chinaZone).Format(time.RFC3339)
	s.writes[id] = append(s.writes[id], iatiEntry{a, tx, amount})
}

// narrativeOrg is an organisation known by name only, in the default
// language (names as registered; labels in Chinese).
func narrativeOrg(name string) *iatiOrg { return &iatiOrg{Narrative: name} }

func (s *iatiWriter) project(id string) *iatiActivity {
	if a, ok := s.projects[id]; ok {
		return a
	}
	// A project the file has not seen approved cannot happen in a verified
	// ledger; give it an activity rather than drop its money.
	a := s.activity(iatiOrgPrefix+s.code+"-"+id, id, "2")
	s.projects[id] = a
	return a
}

// withStart answers a's dates with a start, as IATI requires of every
// activity (activity-date type 1 or 2): a project has its approval day as
// planned start; an activity without one (the county's funds) started
// on its first transaction's day, or on fallback if it has none.
func withStart(a *iatiActivity, fallback string) []iatiDate {
	for _, d := range a.Dates {
		if d.Type == iatiPlannedStart || d.Type == iatiActualStart {
			return a.Dates
		}
	}
	start := ""
	for _, tx := range a.Transactions {
		if start == "" || tx.Date.ISODate < start {
			start = tx.Date.ISODate
		}
	}
	if start == "" {
		start = fallback
	}
	return append([]iatiDate{{Type: iatiActualStart, ISODate: start}}, a.Dates...)
}

func (s *iatiWriter) Commit(c *domain.Commit, _ []byte) error {
	events, err := c.Decode()
	if err != nil {
		return err
	}
	s.last = c
	for _, e := range events {
		s.event(c, e)
	}
	return nil
}

// Close writes the file. Its generated time is the last exported commit's,
// so the same ledger and cut always give the same bytes.
func (s *iatiWriter) Close() error {
	if s.last == nil {
		return errNoCommits
	}
	w := s.w
	doc := iatiActivities{Version: "2.03", Lang: iatiLang, Generated: s.last.Time.In(chinaZone).Format(time.RFC3339),
		Source:     xml.Comment(fmt.Sprintf(" fundledger ledger %s to seq %d, head hash %s ", s.code, s.last.Seq, s.last.Hash)),
		Activities: s.acts}
	for _, a := range s.acts {
		if a.LastUpdated == "" {
			a.LastUpdated = doc.Generated
		}
		a.Dates = withStart(a, doc.Generated[:10])
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
