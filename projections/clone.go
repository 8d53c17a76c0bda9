package projections

import (
	"maps"
	"slices"
)

// frozen answers a deep copy of m's state that no later fold touches, so a
// snapshot of it can be encoded on another goroutine while the fold goes
// on (Rebuild). Copying is several times cheaper than encoding: it moves
// pointers and small structs, and formats nothing. Strings are shared (they
// are immutable); so are the values inside domain.Money, whose arithmetic
// answers new values, and the lines' kinds and bank parts, which are never
// changed in place. Every map, slice and pointed-to struct the fold may
// change is copied: a new field of state that holds one must be copied here
// too (TestFrozenIsIndependent fails otherwise for the fields it exercises).
func (m *Model) frozen() *Model {
	s := m.st
	s.Accounts = cloneMap(s.Accounts, func(f *flow) *flow { c := *f; return &c })
	s.Villages = cloneMap(s.Villages, func(v *village) *village {
		c := *v
		c.Projects, c.Households = slices.Clone(v.Projects), slices.Clone(v.Households)
		return &c
	})
	s.Households = cloneMap(s.Households, func(h *household) *household {
		c := *h
		c.Lines = slices.Clone(h.Lines)
		return &c
	})
	s.Funds = cloneMap(s.Funds, func(f *fund) *fund { c := *f; return &c })
	s.Projects = cloneMap(s.Projects, func(p *project) *project {
		c := *p
		c.Dates = maps.Clone(p.Dates)
		c.Funds = cloneMap(p.Funds, func(f *projectFund) *projectFund { c := *f; return &c })
		return &c
	})
	s.Payees = cloneMap(s.Payees, func(p *payee) *payee {
		c := *p
		c.ByProject = maps.Clone(p.ByProject)
		return &c
	})
	s.Batches = cloneMap(s.Batches, func(b *batch) *batch {
		c := *b
		c.Households = slices.Clone(b.Households)
		return &c
	})
	s.Writes = cloneMap(s.Writes, func(w *write) *write { c := *w; return &c })
	s.Items = cloneMap(s.Items, cloneItem)
	s.Undelivered = *cloneItem(&s.Undelivered)
	s.Standards = cloneMap(s.Standards, slices.Clone[[]standard])
	s.Acks = cloneMap(s.Acks, slices.Clone[[]ack])
	s.Days = slices.Clone(s.Days)
	return &Model{st: s, intern: map[string]string{}, kinds: map[lineKind]*lineKind{}, date: m.date}
}

func cloneItem(it *item) *item {
	c := *it
	c.Households = maps.Clone(it.Households)
	return &c
}

// cloneMap copies a map, each value through clone; nil stays nil.
func cloneMap[K comparable, V any](m map[K]V, clone func(V) V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = clone(v)
	}
	return out
}
