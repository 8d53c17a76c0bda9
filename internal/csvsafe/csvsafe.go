// Package csvsafe writes CSV that a spreadsheet opens as data, never as
// formulas: every CSV fundledger writes goes through it.
//
// Excel, LibreOffice and WPS run a cell that starts with =, +, -, @, TAB or
// CR as a formula (=HYPERLINK(...), =cmd|' /C calc'!A0). A village or
// payee name is caller-chosen text, so such a cell is prefixed with a
// single quote, as OWASP's "CSV injection" advice says. A plain number
// ("-100.00", "349.50") stays as it is: a clerk must be able to sum it, and
// a number cannot run anything.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell answers s as a CSV cell that cannot run as a formula.
func Cell(s string) string {
	if s == "" || isPlainNumber(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// isPlainNumber reports whether s is an optional minus sign, digits and at
// most one decimal point with digits on both sides ("-1013.70", "42").
func isPlainNumber(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter answers a Writer on w. With bom, it first writes a UTF-8 byte
// order mark, so that Excel on a county office PC reads Chinese text; rows
// end in CRLF, as Excel writes and expects.
func NewWriter(w io.Writer, bom bool) (*Writer, error) {
	if bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &Writer{w: cw}, nil
}

// Write writes one row, every cell neutralised.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, s := range record {
		w.buf = append(w.buf, Cell(s))
	}
	return w.w.Write(w.buf)
}

// Flush writes what is buffered and answers the first error of any write.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
