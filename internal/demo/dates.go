package demo

import (
	"reflect"
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// The demo county is dated in its report year: every command carries the
// 2019 business date the work report would give it, so that as_of=2019-06-30
// shows the county at mid-year. The commands are still recorded phase by
// phase when the demo loads (today), as a bureau entering a past year
// (补录) would: record order is not date order, which is what business
// cuts are for.
//
// The calendar: the ledger, villages and households first (January); funds
// arrive in the first quarter, before anything is appropriated from them;
// each project batch is approved, appropriated and paid in its season
// (batch 1 in spring, paid by June; batch 2 paid in autumn; batch 3 approved
// in July with an advance in August; batch 4 approved in October); payouts
// by season of their subsidy item (insurance in March, industry in May, the
// 低保 half-year in June, schooling in September, 光伏 and rewards in
// December); household changes when the county decided them.

// batchDates are, per project batch, the day its projects were approved
// (批复), appropriated and paid.
var batchDates = map[string]struct{ approved, appropriated, paid string }{
	"2019-1": {"2019-02-28", "2019-03-08", "2019-06-15"},
	"2019-2": {"2019-04-25", "2019-05-06", "2019-10-30"},
	"2019-3": {"2019-07-15", "2019-07-25", "2019-08-15"},
	"2019-4": {"2019-10-20", "2019-10-28", "2019-12-20"},
}

// fundDates: when each fund's document arrived (下达).
var fundDates = map[string]string{
	"A2019-001": "2019-01-18", "A2019-002": "2019-02-22", "A2019-003": "2019-03-12",
	"A2019-004": "2019-03-20", "A2019-005": "2019-03-28",
	"I2019-001": "2019-02-26", "I2019-002": "2019-02-26", "I2019-003": "2019-03-05",
	"I2019-004": "2019-03-05", "I2019-005": "2019-03-15",
	"A2018-001": "2019-01-08", // the 2018 carry-over, brought into the 2019 books (上年结转)
}

// itemDates: the day each subsidy item's batches were paid, by the code in
// the batch id (B2019-<code>-n); the bank reports a week later.
var itemDates = map[string]struct{ paid, reported string }{
	"YB": {"2019-03-20", "2019-03-27"}, "CY": {"2019-05-15", "2019-05-22"}, "WB": {"2019-04-15", "2019-04-22"},
	"DB": {"2019-06-20", "2019-06-27"}, "JY": {"2019-09-10", "2019-09-17"}, "GF": {"2019-12-10", "2019-12-17"},
	"TP": {"2019-12-20", "2019-12-27"},
}

// date gives every command of the county its 2019 business date; a command
// already dated (a project's status date) keeps its own.
func (b *builder) date() {
	batchOf := map[string]string{} // project → batch
	for _, ph := range b.c.Phases {
		for _, cmd := range ph {
			if p, ok := cmd.(domain.ApproveProject); ok {
				batchOf[p.ID] = p.Batch
			}
		}
	}
	for _, ph := range b.c.Phases {
		for i, cmd := range ph {
			if domain.DateOf(cmd) == "" {
				ph[i] = withDate(cmd, dateOf(cmd, batchOf))
			}
		}
	}
}

// dateOf answers the calendar's date for one command.
func dateOf(cmd domain.Command, batchOf map[string]string) string {
	switch c := cmd.(type) {
	case domain.OpenLedger, domain.RegisterVillage:
		return "2019-01-02"
	case domain.RegisterHousehold:
		return "2019-01-10"
	case domain.Allocate:
		return fundDates[c.ID]
	case domain.Integrate:
		return fundDates[c.ID]
	case domain.ApproveProject:
		return batchDates[c.Batch].approved
	case domain.Appropriate:
		return batchDates[batchOf[c.Project]].appropriated
	case domain.Pay:
		return batchDates[batchOf[c.Project]].paid
	case domain.Recover:
		return "2019-09-05" // the cancelled project's money, reclaimed after its cancellation
	case domain.RemoveHousehold:
		return "2019-04-08"
	case domain.ReturnHousehold:
		return "2019-08-15"
	case domain.ExitHousehold:
		return "2019-11-30"
	case domain.PayoutBatch:
		return itemDates[itemCode(c.ID)].paid
	case domain.RecordBankResults:
		return itemDates[itemCode(c.Batch)].reported
	case domain.ChangeBankCard:
		return "2019-06-05"
	case domain.Payout:
		switch {
		case strings.HasPrefix(c.ID, "PO2019-CY-"): // the failed line, re-issued to the new card
			return "2019-06-10"
		case c.ID == "PO2019-HL-DUP1":
			return "2019-12-06"
		}
		return "2019-12-05" // forest rangers' yearly wage
	case domain.Reverse:
		return "2019-12-12"
	}
	return "2019-01-15" // anything else: early in the year
}

// itemCode answers the subsidy item code of a batch id B2019-<code>-n.
func itemCode(batch string) string {
	parts := strings.Split(batch, "-")
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}

// withDate answers cmd with its Date field set.
func withDate(cmd domain.Command, date string) domain.Command {
	if date == "" {
		return cmd
	}
	v := reflect.New(reflect.TypeOf(cmd)).Elem()
	v.Set(reflect.ValueOf(cmd))
	v.FieldByName("Date").SetString(date)
	return v.Interface().(domain.Command)
}
