package disclosure

import (
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/internal/csvsafe"
)

// WriteCSV writes the disclosure as CSV in UTF-8 with a byte-order mark, so
// that Excel on a county office PC shows the Chinese text; sections follow
// one another, each with its name and header, separated by a blank line.
// Cells go through csvsafe: a village or payee named "=HYPERLINK(…)" is
// shown as text, never run as a formula; amounts stay plain numbers.
func WriteCSV(w io.Writer, d *Disclosure) error {
	cw, err := csvsafe.NewWriter(w, true)
	if err != nil {
		return err
	}
	for i, t := range Tables(d) {
		if i > 0 {
			_ = cw.Write([]string{})
		}
		_ = cw.Write([]string{t.Name})
		_ = cw.Write(t.Header)
		for _, row := range t.Rows {
			rec := make([]string, len(row))
			for j, c := range row {
				rec[j] = c.Text
			}
			_ = cw.Write(rec)
		}
	}
	return cw.Flush()
}

// WriteXLSX writes the disclosure as an Excel workbook, a sheet per section.
// Amounts are numeric cells shown with two decimals so clerks can sum them;
// a two-decimal amount below 10^13 converts to a float64 and back exactly.
func WriteXLSX(w io.Writer, d *Disclosure) error {
	f := excelize.NewFile()
	defer f.Close()
	moneyStyle, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"F3E3E3"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, t := range Tables(d) {
		sheet := t.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		for col, h := range t.Header {
			cell, _ := excelize.CoordinatesToCellName(col+1, 1)
			_ = f.SetCellStr(sheet, cell, h)
			_ = f.SetCellStyle(sheet, cell, cell, headStyle)
		}
		for r, row := range t.Rows {
			for col, c := range row {
				cell, _ := excelize.CoordinatesToCellName(col+1, r+2)
				if c.Amount {
					v, err := decimal.NewFromString(c.Text)
					if err != nil {
						return fmt.Errorf("amount %q: %w", c.Text, err)
					}
					_ = f.SetCellFloat(sheet, cell, v.InexactFloat64(), 2, 64)
					_ = f.SetCellStyle(sheet, cell, cell, moneyStyle)
				} else {
					_ = f.SetCellStr(sheet, cell, c.Text)
				}
			}
		}
		last, _ := excelize.ColumnNumberToName(len(t.Header))
		_ = f.SetColWidth(sheet, "A", last, 16)
	}
	return f.Write(w)
}
