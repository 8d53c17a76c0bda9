package sheet

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fundledger/fundledger/domain"
)

// Column is one column a kind of file may have: the command field it
// fills and the headers clerks write for it (Chinese first, the English
// field name always accepted).
type Column struct {
	Field    string
	Headers  []string
	Required bool
}

// ignored are headers whose columns carry nothing the ledger keeps: a row
// counter (序号) and a remark (备注) are in most county spreadsheets.
var ignored = map[string]bool{"序号": true, "备注": true, "no.": true, "remark": true}

// Table is a file read for a command: its data rows, and where each of the
// command's rows and fields came from, so a rejection names the row and
// column the clerk sees.
type Table struct {
	Rows    []Row          // data rows, in file order: row i of the command is Rows[i]
	header  []string       // the header's cells as written
	columns map[string]int // field → cell index
}

// normal is a header as compared: trimmed (also of full-width spaces and
// the '*' that marks a required column), lower case.
func normal(h string) string {
	h = strings.Trim(h, " \t\u3000\ufeff*＊")
	return strings.ToLower(h)
}

// NewTable reads the header (the first row) against a kind's columns: every
// column must be known (or one of the ignored), none twice, the required
// ones present.
func NewTable(rows []Row, cols []Column) (*Table, error) {
	names := make([]string, 0, len(cols))
	for _, c := range cols {
		names = append(names, c.Headers[0])
	}
	if len(rows) == 0 {
		return nil, invalid("the file is empty; its first row must name the columns %s", strings.Join(names, ", "))
	}
	t := &Table{Rows: rows[1:], header: rows[0].Cells, columns: map[string]int{}}
	for i, h := range t.header {
		n := normal(h)
		if n == "" || ignored[n] {
			continue
		}
		field := ""
		for _, c := range cols {
			for _, alias := range append(c.Headers, c.Field) {
				if normal(alias) == n {
					field = c.Field
				}
			}
		}
		if field == "" {
			return nil, invalid("column %q (row 1) is not known; the columns are %s", h, strings.Join(names, ", "))
		}
		if _, dup := t.columns[field]; dup {
			return nil, invalid("column %q (row 1) appears twice", h)
		}
		t.columns[field] = i
	}
	var missing []string
	for _, c := range cols {
		if _, ok := t.columns[c.Field]; !ok && c.Required {
			missing = append(missing, c.Headers[0])
		}
	}
	if len(missing) > 0 {
		return nil, invalid("the first row lacks the columns %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// Cell answers row i's cell of field, trimmed; "" if the row has no such cell.
func (t *Table) Cell(i int, field string) string {
	j, ok := t.columns[field]
	cells := t.Rows[i].Cells
	if !ok || j >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[j])
}

// Has reports whether the file has a column for field.
func (t *Table) Has(field string) bool {
	_, ok := t.columns[field]
	return ok
}

// Overflow answers the first data row with more cells than the header
// holds, with a text; 0 if none (a cell past the header would be ignored).
func (t *Table) Overflow() (int, string) {
	for _, r := range t.Rows {
		for j := len(t.header); j < len(r.Cells); j++ {
			if strings.TrimSpace(r.Cells[j]) != "" {
				return r.Num, fmt.Sprintf("row %d has a cell past the last column of the header", r.Num)
			}
		}
	}
	return 0, ""
}

// RowProblem is one rejected row as the clerk sees it: its number in the
// file (the header is row 1), the column's header as written ("" for the
// row as a whole), and why.
type RowProblem struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// Locate answers where row i's field came from.
func (t *Table) Locate(i int, field string) (row int, column string) {
	if i < 0 || i >= len(t.Rows) {
		return 0, ""
	}
	if j, ok := t.columns[field]; ok && j < len(t.header) {
		column = strings.Trim(t.header[j], " \t\u3000\ufeff")
	}
	return t.Rows[i].Num, column
}

// Problems turns a domain rejection into the rows of the file at fault:
// a *domain.RowsError row by row, a single rejection naming a row's field
// ("lines[3].amount", as Check names it) as that row. ok is false for a
// rejection of the file as a whole (a fund that does not exist, control
// totals that disagree), which the caller answers as it is.
func (t *Table) Problems(err error, list string) (out []RowProblem, ok bool) {
	var re *domain.RowsError
	if errors.As(err, &re) {
		for _, r := range re.Rows {
			out = append(out, t.problem(r.Index, r.Field, r.Code, r.Message))
		}
		return out, true
	}
	var de *domain.Error
	if errors.As(err, &de) {
		if i, field, isRow := rowField(de.Field, list); isRow && i < len(t.Rows) {
			return []RowProblem{t.problem(i, field, de.Code, de.Message)}, true
		}
	}
	return nil, false
}

func (t *Table) problem(i int, field, code, message string) RowProblem {
	row, col := t.Locate(i, field)
	return RowProblem{Row: row, Column: col, Reason: Reason(field, code, message)}
}

// rowField splits "lines[3].amount" into 3 and "amount".
func rowField(path, list string) (int, string, bool) {
	rest, ok := strings.CutPrefix(path, list+"[")
	if !ok {
		return 0, "", false
	}
	num, field, _ := strings.Cut(rest, "]")
	i := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		i = i*10 + int(c-'0')
	}
	return i, strings.TrimPrefix(field, "."), num != ""
}

// Merge puts two lists of problems together in row order, dropping a
// second problem for the same row and column.
func Merge(a, b []RowProblem) []RowProblem {
	type key struct {
		row int
		col string
	}
	seen := map[key]bool{}
	var out []RowProblem
	for _, p := range append(append([]RowProblem(nil), a...), b...) {
		if seen[key{p.Row, p.Column}] {
			continue
		}
		seen[key{p.Row, p.Column}] = true
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}
