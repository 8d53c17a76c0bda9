// Package report writes the Excel files the finance bureau and auditors
// take away from the ledger (Excel out): a payout batch's bank file
// (代发文件) and publicity list (公示清册), fund and household traces
// (资金溯源), and the audit workbook (审计底稿). Each is built from a
// projections.Model as a list of tables, then written as XLSX (a sheet per
// table, Chinese sheet names and headers, amounts as numbers shown with two
// decimals) or, for one table, as CSV through csvsafe.
package report

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/csvsafe"
)

// Cell is one cell: text, or an amount (a numeric cell shown 0.00), or a
// whole number.
type Cell struct {
	Text   string
	Amount *domain.Money
	Int    *int
}

// T is a text cell.
func T(s string) Cell { return Cell{Text: s} }

// A is an amount cell.
func A(m domain.Money) Cell { return Cell{Amount: &m} }

// N is a whole-number cell.
func N(n int) Cell { return Cell{Int: &n} }

func (c Cell) String() string {
	switch {
	case c.Amount != nil:
		return c.Amount.String()
	case c.Int != nil:
		return fmt.Sprint(*c.Int)
	}
	return c.Text
}

// Table is one sheet: its name (at most 31 characters, as Excel allows),
// header and rows.
type Table struct {
	Name   string
	Header []string
	Rows   [][]Cell
}

// Add appends a row.
func (t *Table) Add(cells ...Cell) { t.Rows = append(t.Rows, cells) }

// WriteXLSX writes the tables as a workbook, a sheet each, header bold and
// frozen. Amounts are numeric cells with two decimals (format 0.00), so a
// clerk can sum them: a two-decimal amount below 10^13 converts to a
// float64 and back exactly. Text cells are always strings, never formulas.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"F3E3E3"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.Name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(t.Name)
		if err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if err := sw.SetColWidth(1, max(len(t.Header), 1), 16); err != nil {
			return err
		}
		row := make([]any, len(t.Header))
		for j, h := range t.Header {
			row[j] = excelize.Cell{StyleID: head, Value: h}
		}
		if err := sw.SetRow("A1", row); err != nil {
			return err
		}
		for r, cells := range t.Rows {
			row := make([]any, len(cells))
			for j, c := range cells {
				switch {
				case c.Amount != nil:
					row[j] = excelize.Cell{StyleID: money, Value: c.Amount.Decimal().InexactFloat64()}
				case c.Int != nil:
					row[j] = *c.Int
				default:
					row[j] = c.Text
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// WriteCSV writes one table as CSV in UTF-8 with a byte-order mark (so
// Excel on a county office PC shows the Chinese), every cell through
// csvsafe: a name starting "=" is shown as text, never run.
func WriteCSV(w io.Writer, t Table) error {
	cw, err := csvsafe.NewWriter(w, true)
	if err != nil {
		return err
	}
	_ = cw.Write(t.Header)
	for _, cells := range t.Rows {
		rec := make([]string, len(cells))
		for j, c := range cells {
			rec[j] = c.String()
		}
		_ = cw.Write(rec)
	}
	return cw.Flush()
}
