// Package sheet reads the spreadsheets county clerks upload (CSV in UTF-8
// or GBK, XLSX) into numbered rows, bounded before anything large is
// expanded, and maps them onto the commands they ask for: a household
// registry (建档立卡花名册), a payout batch's lines, a bank's result file.
// Rows are numbered as Excel numbers them (the header is row 1), so that a
// rejected row can be found in the file the clerk has open.
package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Row is one row of a file: its number as Excel shows it, and its cells.
type Row struct {
	Num   int
	Cells []string
}

// Limits bound what a file may hold.
type Limits struct {
	MaxRows     int   // rows, header included; past it, a TooLarge error without reading further
	MaxExpanded int64 // bytes an XLSX may expand to, judged before it is expanded
}

// Error is a file that cannot be read: unreadable (400) or too large (413).
type Error struct {
	TooLarge bool
	Message  string
}

func (e *Error) Error() string { return e.Message }

func invalid(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

func tooManyRows(lim Limits) *Error {
	return &Error{TooLarge: true, Message: fmt.Sprintf("the file has more than %d rows (a header and %d lines, the most one upload may hold); split it", lim.MaxRows, lim.MaxRows-1)}
}

// Encoding names what a CSV file was read as.
type Encoding string

const (
	UTF8    Encoding = "utf-8"
	GB18030 Encoding = "gb18030" // GBK files are read as GB18030, its superset
)

// Decode answers a CSV file's text in UTF-8: a file that is valid UTF-8
// (with or without a byte-order mark) is UTF-8; anything else is read as
// GB18030, which covers the GBK files that Excel on a Chinese PC saves. A
// file that is neither, or UTF-16 (Excel's "Unicode text"), is refused
// rather than read as mojibake.
func Decode(b []byte) ([]byte, Encoding, error) {
	if bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")) {
		return nil, "", invalid("the file is UTF-16 text; save it as CSV (UTF-8 or GBK) or as XLSX")
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return b, UTF8, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, "", invalid("the file is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8 or as XLSX")
	}
	return out, GB18030, nil
}

// ReadCSV reads a CSV file (UTF-8 or GBK, detected) a record at a time,
// refusing more than lim.MaxRows rows without reading further. Excel shows
// a blank line as a blank row, which encoding/csv skips, and a quoted cell
// may span lines: a record's row number is its first line less the line
// breaks inside earlier cells.
func ReadCSV(b []byte, lim Limits) ([]Row, error) {
	text, _, err := Decode(b)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var rows []Row
	inside := 0 // line breaks inside cells so far
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, invalid("the CSV file cannot be read: %v", err)
		}
		line, _ := cr.FieldPos(0)
		num := line - inside
		if len(rows) == lim.MaxRows {
			return nil, tooManyRows(lim)
		}
		for _, c := range rec {
			inside += strings.Count(c, "\n")
		}
		if !blank(rec) {
			rows = append(rows, Row{Num: num, Cells: rec})
		}
	}
}

// ReadXLSX reads the first sheet of an XLSX file, once CheckXLSXSize has
// bounded what it expands to, a row at a time up to lim.MaxRows. Cells are
// read as stored (a number as its digits, not as its display format would
// group them).
func ReadXLSX(b []byte, lim Limits) ([]Row, error) {
	if err := CheckXLSXSize(b, lim.MaxExpanded); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		UnzipSizeLimit: lim.MaxExpanded, UnzipXMLSizeLimit: lim.MaxExpanded, // in memory, no temporary files
	})
	if err != nil {
		return nil, invalid("the XLSX file cannot be read: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, invalid("the XLSX file has no sheet")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, invalid("the XLSX file cannot be read: %v", err)
	}
	defer it.Close()
	var rows []Row
	for n := 1; it.Next(); n++ { // the iterator yields every row number, blank ones too
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, invalid("the XLSX file cannot be read: %v", err)
		}
		if blank(cells) {
			continue
		}
		if len(rows) == lim.MaxRows {
			return nil, tooManyRows(lim)
		}
		rows = append(rows, Row{Num: n, Cells: cells})
	}
	if err := it.Error(); err != nil {
		return nil, invalid("the XLSX file cannot be read: %v", err)
	}
	return rows, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// CheckXLSXSize refuses, as TooLarge, an XLSX (a zip) whose parts would
// expand past max: first by the sizes its central directory declares,
// before anything is unzipped; then, in case the directory understates
// them, by reading every part through what is left of the bound.
func CheckXLSXSize(b []byte, max int64) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return invalid("the XLSX file cannot be read: %v", err)
	}
	var declared uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(max)-declared {
			return expandsTooFar(max)
		}
		declared += f.UncompressedSize64
	}
	left := max
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return invalid("the XLSX file cannot be read: %v", err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, left+1))
		rc.Close()
		if n > left {
			return expandsTooFar(max)
		}
		if err != nil { // archive/zip: a part longer than declared, or a bad checksum
			return invalid("the XLSX file cannot be read: %v", err)
		}
		left -= n
	}
	return nil
}

func expandsTooFar(max int64) *Error {
	return &Error{TooLarge: true, Message: fmt.Sprintf("the XLSX file expands to more than %d MiB; an upload is far smaller, so it was not opened", max>>20)}
}
