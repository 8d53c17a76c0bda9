package export_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/export"
	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/ledger"
)

// The IATI 2.03 schema (IATI/IATI-Schemas, branch version-2.03,
// iati-activities-schema.xsd and iati-common.xsd) cannot be fetched in CI,
// so its rules for the elements fundledger emits are written down here:
// the order and counts of each sequence, required attributes and their
// types, and the code lists we draw from. xmllint --schema on the demo
// export agrees (README, "Export").

// slot is one element of an xsd:sequence; max -1 is unbounded.
type slot struct {
	name     string
	min, max int
}

const unbounded = -1

// iatiActivitySeq is iati-activity's xsd:sequence, in full.
var iatiActivitySeq = []slot{
	{"iati-identifier", 1, 1}, {"reporting-org", 1, 1}, {"title", 1, 1}, {"description", 1, unbounded},
	{"participating-org", 1, unbounded}, {"other-identifier", 0, unbounded}, {"activity-status", 1, 1},
	{"activity-date", 1, unbounded}, {"contact-info", 0, unbounded}, {"activity-scope", 0, 1},
	{"recipient-country", 0, unbounded}, {"recipient-region", 0, unbounded}, {"location", 0, unbounded},
	{"sector", 0, unbounded}, {"tag", 0, unbounded}, {"country-budget-items", 0, 1},
	{"humanitarian-scope", 0, unbounded}, {"policy-marker", 0, unbounded}, {"collaboration-type", 0, 1},
	{"default-flow-type", 0, 1}, {"default-finance-type", 0, 1}, {"default-aid-type", 0, unbounded},
	{"default-tied-status", 0, 1}, {"budget", 0, unbounded}, {"planned-disbursement", 0, unbounded},
	{"capital-spend", 0, 1}, {"transaction", 0, unbounded}, {"document-link", 0, unbounded},
	{"related-activity", 0, unbounded}, {"legacy-data", 0, unbounded}, {"conditions", 0, 1},
	{"result", 0, unbounded}, {"crs-add", 0, 1}, {"fss", 0, 1},
}

// iatiTransactionSeq is transaction's xsd:sequence, in full.
var iatiTransactionSeq = []slot{
	{"transaction-type", 1, 1}, {"transaction-date", 1, 1}, {"value", 1, 1}, {"description", 0, 1},
	{"provider-org", 0, 1}, {"receiver-org", 0, 1}, {"disbursement-channel", 0, 1}, {"sector", 0, unbounded},
	{"recipient-country", 0, 1}, {"recipient-region", 0, 1}, {"flow-type", 0, 1}, {"finance-type", 0, 1},
	{"aid-type", 0, unbounded}, {"tied-status", 0, 1},
}

// Code lists (IATI codelists, version 2) for the codes fundledger uses.
var (
	transactionTypes  = codes("1 2 3 4 5 6 7 8 9 10 11 12 13")
	activityStatuses  = codes("1 2 3 4 5 6")
	activityDateTypes = codes("1 2 3 4")
	organisationTypes = codes("10 11 15 21 22 23 24 30 40 60 70 71 72 73 80 90")
	organisationRoles = codes("1 2 3 4")
	languages         = codes("zh en") // ISO 639-1, the two the file uses
	currencies        = codes("CNY")
	countries         = codes("CN")
)

func codes(s string) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(s) {
		m[c] = true
	}
	return m
}

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// node is an element of the parsed file.
type node struct {
	name     string
	attrs    map[string]string // xml:lang under "xml:lang"
	children []*node
	text     string
}

func (n *node) attr(k string) (string, bool) { v, ok := n.attrs[k]; return v, ok }

func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

func parseXML(r io.Reader) (*node, error) {
	dec := xml.NewDecoder(r)
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != "" {
				return nil, fmt.Errorf("element %s in namespace %s", t.Name.Local, t.Name.Space)
			}
			n := &node{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				k := a.Name.Local
				if a.Name.Space == xmlNS || a.Name.Space == "xml" {
					k = "xml:" + k
				}
				n.attrs[k] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
}

// iatiChecker collects the schema rules a file breaks.
type iatiChecker struct{ errs []string }

func (c *iatiChecker) fail(where, format string, args ...any) {
	c.errs = append(c.errs, where+": "+fmt.Sprintf(format, args...))
}

// sequence checks that n's children follow seq in order, each within its
// counts, and that no other element appears.
func (c *iatiChecker) sequence(where string, n *node, seq []slot) {
	i, count := 0, 0
	for _, ch := range n.children {
		for i < len(seq) && seq[i].name != ch.name {
			if count < seq[i].min {
				c.fail(where, "%s: %d, want at least %d", seq[i].name, count, seq[i].min)
			}
			i, count = i+1, 0
		}
		if i == len(seq) {
			c.fail(where, "element %s is not expected here", ch.name)
			return
		}
		count++
		if seq[i].max != unbounded && count > seq[i].max {
			c.fail(where, "%s: more than %d", ch.name, seq[i].max)
		}
	}
	for ; i < len(seq); i, count = i+1, 0 {
		if count < seq[i].min {
			c.fail(where, "%s: %d, want at least %d", seq[i].name, count, seq[i].min)
		}
	}
}

// required answers attribute k of n, noting its absence.
func (c *iatiChecker) required(where string, n *node, k string) string {
	v, ok := n.attr(k)
	if !ok {
		c.fail(where, "%s lacks @%s", n.name, k)
	}
	return v
}

func (c *iatiChecker) code(where string, n *node, k string, list map[string]bool) {
	if v := c.required(where, n, k); !list[v] {
		c.fail(where, "%s/@%s %q is not in its code list", n.name, k, v)
	}
}

func (c *iatiChecker) date(where string, n *node, k string) string {
	v := c.required(where, n, k)
	if _, err := time.Parse("2006-01-02", v); err != nil {
		c.fail(where, "%s/@%s %q is not an xsd:date", n.name, k, v)
	}
	return v
}

func (c *iatiChecker) dateTime(where string, n *node, k string) {
	if v, ok := n.attr(k); ok {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			c.fail(where, "%s/@%s %q is not an xsd:dateTime", n.name, k, v)
		}
	}
}

// narratives checks a text element: at least one narrative (the schema's
// textRequiredType when min is 1), each non-empty, in a known language,
// and nothing else.
func (c *iatiChecker) narratives(where string, n *node, min int) {
	c.sequence(where+"/"+n.name, n, []slot{{"narrative", min, unbounded}})
	for _, nv := range n.all("narrative") {
		if strings.TrimSpace(nv.text) == "" {
			c.fail(where, "%s has an empty narrative", n.name)
		}
		if l, ok := nv.attr("xml:lang"); ok && !languages[l] {
			c.fail(where, "%s narrative xml:lang %q is not in the language list", n.name, l)
		}
	}
}

// check applies the rules to a parsed iati-activities file.
func (c *iatiChecker) check(root *node) {
	if root == nil || root.name != "iati-activities" {
		c.fail("/", "the root is not iati-activities")
		return
	}
	if v := c.required("/", root, "version"); v != "2.03" {
		c.fail("/", "version %q, want 2.03", v)
	}
	c.dateTime("/", root, "generated-datetime")
	c.code("/", root, "xml:lang", languages)
	c.sequence("/iati-activities", root, []slot{{"iati-activity", 1, unbounded}})
	for _, a := range root.all("iati-activity") {
		c.activity(a)
	}
}

func (c *iatiChecker) activity(a *node) {
	ids := a.all("iati-identifier")
	where := "iati-activity"
	if len(ids) > 0 {
		where += " " + strings.TrimSpace(ids[0].text)
	}
	c.sequence(where, a, iatiActivitySeq)
	c.dateTime(where, a, "last-updated-datetime")
	// No default currency or language would oblige every value and every
	// narrative to carry its own; the file declares both on each activity.
	c.code(where, a, "default-currency", currencies)
	c.code(where, a, "xml:lang", languages)
	for _, r := range a.all("reporting-org") {
		c.required(where, r, "ref")
		c.code(where, r, "type", organisationTypes)
		c.narratives(where, r, 1)
		for _, id := range ids {
			if !strings.HasPrefix(strings.TrimSpace(id.text), r.attrs["ref"]+"-") {
				c.fail(where, "the identifier does not start with the reporting org's ref %q", r.attrs["ref"])
			}
		}
	}
	for _, t := range append(a.all("title"), a.all("description")...) {
		c.narratives(where, t, 1)
	}
	for _, p := range a.all("participating-org") {
		c.code(where, p, "role", organisationRoles)
		if _, ok := p.attr("type"); ok {
			c.code(where, p, "type", organisationTypes)
		}
		c.narratives(where, p, 0)
	}
	for _, s := range a.all("activity-status") {
		c.code(where, s, "code", activityStatuses)
	}
	start := false
	for _, d := range a.all("activity-date") {
		c.code(where, d, "type", activityDateTypes)
		c.date(where, d, "iso-date")
		start = start || d.attrs["type"] == "1" || d.attrs["type"] == "2"
	}
	if !start { // IATI rule 2.03: every activity has a planned or actual start
		c.fail(where, "no activity-date of type 1 or 2 (start)")
	}
	for _, rc := range a.all("recipient-country") {
		c.code(where, rc, "code", countries)
	}
	for i, t := range a.all("transaction") {
		c.transaction(fmt.Sprintf("%s transaction %d", where, i+1), t)
	}
}

func (c *iatiChecker) transaction(where string, t *node) {
	c.sequence(where, t, iatiTransactionSeq)
	for _, tt := range t.all("transaction-type") {
		c.code(where, tt, "code", transactionTypes)
	}
	for _, d := range t.all("transaction-date") {
		c.date(where, d, "iso-date")
	}
	for _, v := range t.all("value") {
		c.date(where, v, "value-date")
		if cur, ok := v.attr("currency"); ok && !currencies[cur] {
			c.fail(where, "value currency %q is not in the list", cur)
		}
		if !validDecimal(strings.TrimSpace(v.text)) {
			c.fail(where, "value %q is not an xsd:decimal", v.text)
		}
	}
	for _, d := range t.all("description") {
		c.narratives(where, d, 1)
	}
	for _, o := range append(t.all("provider-org"), t.all("receiver-org")...) {
		c.narratives(where, o, 0)
	}
}

// validDecimal is xsd:decimal's lexical space: an optional sign, digits,
// an optional fraction; no exponent.
func validDecimal(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// demoIATI exports the demo county as IATI from a memory store.
func demoIATI(t *testing.T) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store := memory.New()
	mgr := ledger.NewManager(store, ledger.Options{})
	defer mgr.Close()
	if _, err := demo.Load(ctx, mgr, demo.Build(0)); err != nil {
		t.Fatal(err)
	}
	f, _ := export.Lookup("iati")
	var buf bytes.Buffer
	if _, err := export.Write(ctx, store, demo.Ledger, 0, f, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestIATIExportOfTheDemoFollowsTheSchema exports the demo county, which
// has projects approved and never started, cancelled ones, recoveries,
// bank returns and a reversal, and checks every activity against the
// schema's rules: in particular each has a start date.
func TestIATIExportOfTheDemoFollowsTheSchema(t *testing.T) {
	raw := demoIATI(t)
	root, err := parseXML(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var c iatiChecker
	c.check(root)
	for i, e := range c.errs {
		if i == 20 {
			t.Errorf("… %d more", len(c.errs)-i)
			break
		}
		t.Error(e)
	}
	acts, txs := root.all("iati-activity"), 0
	for _, a := range acts {
		txs += len(a.all("transaction"))
	}
	if len(acts) < 80 || txs < 1000 {
		t.Fatalf("%d activities, %d transactions: the demo export is too small to check", len(acts), txs)
	}
}

// TestIATICheckerNamesBrokenRules feeds the checker files that break one
// rule each, so that TestIATIExportOfTheDemoFollowsTheSchema cannot pass
// by checking nothing.
func TestIATICheckerNamesBrokenRules(t *testing.T) {
	const good = `<?xml version="1.0"?>
<iati-activities version="2.03" xml:lang="zh"><iati-activity xml:lang="zh" default-currency="CNY">
<iati-identifier>CN-X-1</iati-identifier><reporting-org ref="CN-X" type="10"><narrative>县</narrative></reporting-org>
<title><narrative>项目</narrative></title><description><narrative xml:lang="en">d</narrative></description>
<participating-org role="4"><narrative>县</narrative></participating-org><activity-status code="2"/>
<activity-date type="1" iso-date="2019-05-01"/><recipient-country code="CN"/>
<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/><value currency="CNY" value-date="2019-06-01">-12.50</value></transaction>
</iati-activity></iati-activities>`
	cases := map[string]func(string) string{
		"none": func(s string) string { return s },
		"no activity-date": func(s string) string {
			return strings.Replace(s, `<activity-date type="1" iso-date="2019-05-01"/>`, "", 1)
		},
		"only an end date": func(s string) string { return strings.Replace(s, `type="1" iso-date`, `type="4" iso-date`, 1) },
		"no xml:lang":      func(s string) string { return strings.Replace(s, `version="2.03" xml:lang="zh"`, `version="2.03"`, 1) },
		"status after date": func(s string) string {
			return strings.Replace(s, "<activity-status code=\"2\"/>\n<activity-date type=\"1\" iso-date=\"2019-05-01\"/>", "<activity-date type=\"1\" iso-date=\"2019-05-01\"/>\n<activity-status code=\"2\"/>", 1)
		},
		"no value-date":        func(s string) string { return strings.Replace(s, ` value-date="2019-06-01"`, "", 1) },
		"bad transaction type": func(s string) string { return strings.Replace(s, `code="3"`, `code="99"`, 1) },
		"date not xsd:date":    func(s string) string { return strings.Replace(s, `iso-date="2019-06-01"`, `iso-date="2019/06/01"`, 1) },
		"empty title": func(s string) string {
			return strings.Replace(s, `<title><narrative>项目</narrative></title>`, `<title></title>`, 1)
		},
		"no reporting ref":    func(s string) string { return strings.Replace(s, ` ref="CN-X"`, "", 1) },
		"no default currency": func(s string) string { return strings.Replace(s, ` default-currency="CNY"`, "", 1) },
		"value not decimal":   func(s string) string { return strings.Replace(s, `-12.50`, `1e3`, 1) },
		"no transaction-date": func(s string) string { return strings.Replace(s, `<transaction-date iso-date="2019-06-01"/>`, "", 1) },
	}
	for name, edit := range cases {
		doc := edit(good)
		if name != "none" && doc == good {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		root, err := parseXML(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var c iatiChecker
		c.check(root)
		if (len(c.errs) == 0) != (name == "none") {
			t.Errorf("%s: errors %q", name, c.errs)
		}
	}
}
