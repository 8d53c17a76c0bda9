package domain

import (
	"errors"
	"slices"
	"testing"
)

// book is a ledger state driven through Decide and Apply, as the writer does.
type book struct {
	t *testing.T
	s *State
}

func newBook(t *testing.T) *book {
	b := &book{t: t, s: NewState()}
	b.must(OpenLedger{Code: "341504", Name: "某县"})
	b.must(RegisterVillage{ID: "V001", Name: "罗田村", Township: "某镇", PoorVillage: true})
	b.must(RegisterHousehold{ID: "H0001", Village: "V001", HeadName: "张三", IDNumber: "11010519491231002X",
		Members: 4, Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"})
	b.must(RegisterHousehold{ID: "H0002", Village: "V001", HeadName: "李四", IDNumber: "110105194912310038",
		Members: 2, Category: "dibao", Status: "poor", BankName: "农商银行", BankAccount: "6217000011113333"})
	return b
}

// do decides and applies c, answering the rejection if any.
func (b *book) do(c Command) error {
	b.t.Helper()
	events, err := Decide(b.s, c)
	if err != nil {
		if len(events) != 0 {
			b.t.Fatalf("%s: rejected with events", c.CommandName())
		}
		return err
	}
	d, _ := CommandOf(c)
	for _, e := range events {
		if !slices.Contains(d.Writes, e.EventType()) {
			b.t.Fatalf("%s answered %s, which its catalogue entry does not list", c.CommandName(), e.EventType())
		}
		if m, ok := e.(MoneyEvent); ok && !Sum(m.Entries()).IsZero() {
			b.t.Fatalf("%s: postings do not balance: %v", e.EventType(), m.Entries())
		}
		b.s.Apply(e)
	}
	return nil
}

func (b *book) must(c Command) {
	b.t.Helper()
	if err := b.do(c); err != nil {
		b.t.Fatalf("%s: %v", c.CommandName(), err)
	}
}

// refused asserts c is rejected with want and leaves every balance as it was.
func (b *book) refused(c Command, want error) *Error {
	b.t.Helper()
	before := make(map[Account]Money, len(b.s.Balances))
	for a, m := range b.s.Balances {
		before[a] = m
	}
	err := b.do(c)
	if !errors.Is(err, want) {
		b.t.Fatalf("%s: got %v, want %v", c.CommandName(), err, want)
	}
	for a, m := range b.s.Balances {
		if !before[a].Equal(m) {
			b.t.Fatalf("%s was refused but moved %s", c.CommandName(), a)
		}
	}
	var de *Error
	errors.As(err, &de)
	return de
}

func (b *book) balance(a Account) string { return b.s.Balance(a).String() }

func (b *book) allocate(id, amount string) {
	b.t.Helper()
	b.must(Allocate{ID: id, SourceLevel: "central", Programme: "中央财政专项扶贫资金", FiscalYear: 2019,
		DocumentNo: "财农〔2019〕1号", Amount: AmountText(amount)})
}

func (b *book) project(id, budget string) {
	b.t.Helper()
	b.must(ApproveProject{ID: id, Name: "茶叶基地", Village: "V001", Category: "industry", Batch: "2019-1",
		Budget: AmountText(budget), ApprovalDoc: "区扶贫〔2019〕3号"})
}

func payout(id, household, fund, amount string) Payout {
	return Payout{ID: id, Household: household, Item: "产业直补", Standard: "5000.00", Period: "2019",
		Fund: fund, Amount: AmountText(amount)}
}

// sumAll answers the sum over every account: zero in a double-entry book.
func (b *book) sumAll() Money {
	total := Zero
	for _, m := range b.s.Balances {
		total = total.Add(m)
	}
	return total
}
