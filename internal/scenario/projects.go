package scenario

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// plannedProject is one project the plan approves.
type plannedProject struct {
	id, batch, category string
	budget              Amount
}

func decimalFen(a Amount) decimal.Decimal { return decimal.NewFromInt(int64(a)) }

// projects lays the spec's batches and categories out as projects whose
// budgets add up to every batch and every category total to the fen.
func (s *Spec) projects() ([]plannedProject, error) {
	batches := s.Projects.Batches
	var count int
	var total Amount
	for _, b := range batches {
		count += b.Count
		total += b.Total
	}
	cats := append([]Group(nil), s.Projects.Categories...)
	var cc int
	var ct Amount
	for _, c := range cats {
		cc += c.Count
		ct += c.Total
	}
	if cc > count || ct > total {
		return nil, errors.New("scenario: the categories hold more projects or money than the batches")
	}
	if cc < count || ct < total {
		rest := s.Projects.RestCategory
		if rest == "" {
			rest = "infrastructure"
		}
		cats = append(cats, Group{Name: rest, Count: count - cc, Total: total - ct})
	}
	cells, err := crossTab(batches, cats)
	if err != nil {
		return nil, err
	}
	var out []plannedProject
	for _, c := range cells {
		for _, amt := range split(c.total, c.count) {
			out = append(out, plannedProject{id: fmt.Sprintf("P%03d", len(out)+1), batch: batches[c.batch].Name,
				category: cats[c.category].Name, budget: amt})
		}
	}
	return out, nil
}
