package disclosure

import (
	_ "embed"
	"html/template"
	"io"
	"sort"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/shopspring/decimal"
)

//go:embed notice.html
var noticeHTML string

//go:embed index.html
var indexHTML string

var funcs = template.FuncMap{
	"inc":     func(i int) int { return i + 1 },
	"capital": Capital,
}

var (
	noticeTmpl = template.Must(template.New("notice").Funcs(funcs).Parse(noticeHTML))
	indexTmpl  = template.Must(template.New("index").Funcs(funcs).Parse(indexHTML))
)

// householdRow is one beneficiary with all its lines, as the notice prints
// them: one row per household keeps the list short enough for the board.
type householdRow struct {
	Name, IDNumber, BankCard string
	Lines                    []lineRow
	Total                    domain.Money
}

type lineRow struct {
	PayoutLine
	Item string
}

type noticePage struct {
	D             *Disclosure
	Households    []householdRow
	SourceChart   template.HTML
	ProgressChart template.HTML
	QR            template.HTML
	VerifyURL     string
	Date          string
}

// RenderNotice writes the notice-board page. baseURL (e.g. "https://host")
// makes the verify link and QR code absolute so a phone can open them.
func RenderNotice(w io.Writer, d *Disclosure, baseURL string) error {
	p := noticePage{D: d, VerifyURL: baseURL + d.VerifyURL, Date: dateOf(d.AsOf)}
	if d.Date != "" { // a notice as of a business date is signed on that day
		p.Date = dateOf(d.Date + "T00:00:00+08:00")
	}
	var sources []Bar
	for _, s := range d.BySource {
		sources = append(sources, Bar{Label: s.Label, Value: s.Amount, Note: s.Amount.String() + " 元"})
	}
	p.SourceChart = BarChart("资金来源（元）", sources)
	var progress []Bar
	for _, pr := range d.Projects {
		progress = append(progress, Bar{Label: pr.Name, Value: pr.Paid, Max: pr.Budget, Note: pr.StatusLabel + " " + percent(pr.Progress)})
	}
	p.ProgressChart = BarChart("项目支付进度", progress)
	p.QR = QRCode(p.VerifyURL)
	p.Households = householdRows(d)
	return noticeTmpl.Execute(w, p)
}

func householdRows(d *Disclosure) []householdRow {
	index := map[string]int{}
	var rows []householdRow
	for _, g := range d.Payouts {
		for _, l := range g.Lines {
			i, ok := index[l.Household]
			if !ok {
				i = len(rows)
				index[l.Household] = i
				rows = append(rows, householdRow{Name: l.Beneficiary, IDNumber: l.IDNumber, BankCard: l.BankCard})
			}
			rows[i].Lines = append(rows[i].Lines, lineRow{PayoutLine: l, Item: g.Item})
			if l.Counts {
				rows[i].Total = rows[i].Total.Add(l.Amount)
			}
		}
	}
	return rows
}

// percent turns a four-decimal ratio into a percentage with one decimal.
func percent(ratio string) string {
	d, err := decimal.NewFromString(ratio)
	if err != nil {
		return "0.0%"
	}
	return d.Shift(2).StringFixed(1) + "%"
}

func dateOf(rfc string) string {
	t, err := time.Parse(time.RFC3339, rfc)
	if err != nil {
		return ""
	}
	return t.Format("2006年1月2日")
}

// VillageLink is one village on the county index page.
type VillageLink struct {
	ID, Name, Township string
	PoorVillage        bool
	ExitYear           int
}

// Index is the county's list of village notice boards.
type Index struct {
	Ledger   LedgerInfo
	Seq      uint64
	HeadHash string
	Villages []VillageLink
}

// RenderIndex writes the county page listing every village's notice.
func RenderIndex(w io.Writer, ix Index) error {
	sort.Slice(ix.Villages, func(i, j int) bool {
		a, b := ix.Villages[i], ix.Villages[j]
		if a.Township != b.Township {
			return a.Township < b.Township
		}
		return a.ID < b.ID
	})
	return indexTmpl.Execute(w, ix)
}
