package projections

import (
	"sort"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// standard is one version of a subsidy standard: from Date on, a payout
// of the item may be at most Amount per Unit.
type standard struct {
	Amount      domain.Money `json:"amount"`
	Unit        string       `json:"unit"`
	Eligibility string       `json:"eligibility,omitempty"`
	Date        string       `json:"date"`
	Seq         uint64       `json:"seq"`
}

// ack is one answer to a finding.
type ack struct {
	Note  string    `json:"note"`
	Seq   uint64    `json:"seq"`
	Actor string    `json:"actor"`
	Time  time.Time `json:"time"`
}

// setStandard adds a version to the item's table, kept in date order; of
// two versions dated the same day, the one recorded later applies.
func (m *Model) setStandard(c *domain.Commit, e domain.StandardSet) {
	vs := m.st.Standards[e.Item]
	v := standard{Amount: e.Amount, Unit: e.Unit, Eligibility: e.Eligibility, Date: e.Date, Seq: c.Seq}
	i := sort.Search(len(vs), func(i int) bool { return vs[i].Date > e.Date })
	vs = append(vs, standard{})
	copy(vs[i+1:], vs[i:])
	vs[i] = v
	m.st.Standards[e.Item] = vs
}

// standardAt answers the version of item's standard in effect on day
// (YYYY-MM-DD): the last one dated on or before it; "" means the latest.
func (m *Model) standardAt(item, day string) (standard, bool) {
	vs := m.st.Standards[item]
	if day == "" {
		if len(vs) == 0 {
			return standard{}, false
		}
		return vs[len(vs)-1], true
	}
	i := sort.Search(len(vs), func(i int) bool { return vs[i].Date > day })
	if i == 0 {
		return standard{}, false
	}
	return vs[i-1], true
}

// Standard is one entry of the table of subsidy standards (补助标准).
type Standard struct {
	Item        string       `json:"item"`
	Amount      domain.Money `json:"amount"`
	Unit        string       `json:"unit"` // household | person | pupil | month
	Eligibility string       `json:"eligibility"`
	Date        string       `json:"date"` // from when it applies
	Seq         uint64       `json:"seq"`  // commit that recorded it
	// History lists the item's earlier versions, oldest first.
	History []Standard `json:"history,omitempty"`
}

// Standards is the answer of GET …/standards.
type Standards struct {
	Head
	Standards []Standard `json:"standards"`
}

// Standards answers the ledger's table: per item (in byte order) its
// latest version, with the versions it replaced.
func (m *Model) Standards() Standards {
	out := Standards{Head: m.head(), Standards: []Standard{}}
	for _, item := range keys(m.st.Standards) {
		vs := m.st.Standards[item]
		if len(vs) == 0 {
			continue
		}
		row := func(v standard) Standard {
			return Standard{Item: item, Amount: v.Amount, Unit: v.Unit, Eligibility: v.Eligibility, Date: v.Date, Seq: v.Seq}
		}
		s := row(vs[len(vs)-1])
		for _, v := range vs[:len(vs)-1] {
			s.History = append(s.History, row(v))
		}
		out.Standards = append(out.Standards, s)
	}
	return out
}
