package domain

import (
	"strings"
	"testing"
)

func TestSetStandardRefusesWhatWouldCheckNothing(t *testing.T) {
	b := newBook(t)
	ok := SetStandard{Item: "医疗保险个人缴费补助", Amount: "120.00", Unit: "person", Eligibility: "建档立卡贫困人口", Date: "2019-01-01"}
	b.must(ok)
	for name, c := range map[string]SetStandard{
		"zero amount":  {Item: ok.Item, Amount: "0.00", Unit: "person", Date: "2019-01-01"},
		"unknown unit": {Item: ok.Item, Amount: "120.00", Unit: "family", Date: "2019-01-01"},
		"no date":      {Item: ok.Item, Amount: "120.00", Unit: "person"},
		"bad date":     {Item: ok.Item, Amount: "120.00", Unit: "person", Date: "2019-13-01"},
		"no item":      {Amount: "120.00", Unit: "person", Date: "2019-01-01"},
	} {
		t.Run(name, func(t *testing.T) { b.refused(c, ErrInvalid) })
	}
	if got := b.s.Standards[ok.Item]; len(got) != 1 || got[0].Amount.String() != "120.00" {
		t.Errorf("table holds %+v", got)
	}
}

func TestUnitsCountWhatAStandardIsPer(t *testing.T) {
	for _, c := range []struct {
		unit    string
		members int
		period  string
		want    int64
	}{
		{"household", 5, "2019", 1}, {"person", 5, "2019", 5}, {"pupil", 3, "2019", 3},
		{"month", 5, "2019", 12}, {"month", 5, "2019H1", 6}, {"month", 5, "2019q3", 3}, {"month", 5, "2019-07", 1},
		{"month", 5, "二〇一九年", 12},
	} {
		if got := Units(c.unit, c.members, c.period); got != c.want {
			t.Errorf("Units(%s, %d, %s) = %d, want %d", c.unit, c.members, c.period, got, c.want)
		}
	}
}

func TestAcknowledgementNamesAFindingByItsID(t *testing.T) {
	b := newBook(t)
	id := FindingID("over_standard", "B1/H0001")
	if !strings.HasPrefix(id, "over_standard-") || len(id) != len("over_standard-")+12 || FindingID("over_standard", "B1/H0001") != id {
		t.Fatalf("FindingID = %q: not stable or not kind-<12 hex>", id)
	}
	b.must(AcknowledgeFinding{Finding: id, Note: "已追回超发部分"})
	b.refused(AcknowledgeFinding{Finding: "made_up-0123456789ab", Note: "x"}, ErrInvalid)
	b.refused(AcknowledgeFinding{Finding: "over_standard-xyz", Note: "x"}, ErrInvalid)
	b.refused(AcknowledgeFinding{Finding: id}, ErrInvalid)
}
