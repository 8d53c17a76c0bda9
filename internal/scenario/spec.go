// Package scenario builds a ledger history from a small spec of the
// aggregate figures a county report publishes (batches with project counts
// and totals, category counts and budgets, integrated funds and the part
// used, allocations by level, payouts by subsidy item), such that a replay
// of the history reports those figures to the fen. Fen remainders are spread
// deterministically, so one spec always gives the same history.
package scenario

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/shopspring/decimal"
)

// Spec is the aggregate figures of one county and year.
type Spec struct {
	Note   string `json:"note,omitempty"` // where the figures come from
	Ledger struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"ledger"`
	FiscalYear  int          `json:"fiscal_year"`
	Allocations []Allocation `json:"allocations"`
	Integration struct {
		Total      Amount   `json:"total"`
		Used       Amount   `json:"used"`
		Programmes []string `json:"programmes"`
	} `json:"integration"`
	Projects struct {
		Batches    []Group `json:"batches"`
		Categories []Group `json:"categories"`
		// RestCategory takes the projects and budget the categories leave
		// (default infrastructure).
		RestCategory     string `json:"rest_category"`
		StartRate        Ratio  `json:"start_rate"`        // of projects started (开工率)
		CompletionRate   Ratio  `json:"completion_rate"`   // of projects completed (竣工率)
		ExpenditureRatio Ratio  `json:"expenditure_ratio"` // paid ÷ appropriated (支出进度)
	} `json:"projects"`
	Villages struct {
		Poor  int `json:"poor"`
		Other int `json:"other"`
	} `json:"villages"`
	Households int      `json:"households"`
	Payouts    []Payout `json:"payouts"`
}

// Allocation is special funds from one level.
type Allocation struct {
	Level     string `json:"level"`
	Programme string `json:"programme"`
	Amount    Amount `json:"amount"`
}

// Group is a batch or a category: how many projects and their total.
type Group struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Total Amount `json:"total"`
}

// Payout is one subsidy item paid to a number of households.
type Payout struct {
	Item       string `json:"item"`
	Households int    `json:"households"`
	Amount     Amount `json:"amount"`
}

// Amount is money in fen, written in a spec as yuan ("4400390", "80000.50")
// or as 万元 with a suffix ("440.039万"), the unit of county reports.
type Amount int64

// UnmarshalJSON reads "1013.7万" or "10137000.00" exactly; a figure that is
// not a whole number of fen is an error, never rounded.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		s = string(b)
	}
	scale := decimal.NewFromInt(100)
	if v, ok := strings.CutSuffix(s, "万"); ok {
		s, scale = v, decimal.NewFromInt(1000000)
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("amount %q: %v", string(b), err)
	}
	fen := d.Mul(scale)
	if !fen.IsInteger() || fen.IsNegative() {
		return fmt.Errorf("amount %q is not a whole number of fen", string(b))
	}
	*a = Amount(fen.IntPart())
	return nil
}

// Ratio is a rate such as "0.85" or "98.06%", kept exact.
type Ratio struct{ decimal.Decimal }

// UnmarshalJSON reads "0.9806" or "98.06%".
func (r *Ratio) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		s = string(b)
	}
	pct := strings.HasSuffix(s, "%")
	d, err := decimal.NewFromString(strings.TrimSuffix(s, "%"))
	if err != nil {
		return fmt.Errorf("ratio %q: %v", s, err)
	}
	if pct {
		d = d.Div(decimal.NewFromInt(100))
	}
	r.Decimal = d
	return nil
}

// of answers round-half-up(r × n).
func (r Ratio) of(n int) int {
	return int(r.Mul(decimal.NewFromInt(int64(n))).Round(0).IntPart())
}

// Load reads a spec file.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Spec
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
