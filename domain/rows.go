package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Commands of many rows (a registry file, a payout batch, a bank's report)
// are decided whole: one bad row refuses the whole command, and nothing is
// written. So that a clerk can fix a file in one pass, their deciders do
// not stop at the first bad row: they answer a *RowsError listing every
// row at fault.

// RowError is one rejected row of a command of many rows.
type RowError struct {
	Index   int    // position in the command's list, from 0
	Field   string // the row's field at fault ("id_number"), "" for the row as a whole
	Kind    Kind   // the rejection's kind and code, as for a single command
	Code    string
	Message string // for the clerk who must fix the row
}

// RowsError refuses a command of many rows, listing every row at fault in
// row order. It unwraps to the first row's rejection as an *Error whose
// field is the row's path ("lines[3].amount"), so a caller that knows
// nothing of rows answers as it would for a command that stopped there.
type RowsError struct {
	List string // the command's list: "households", "lines"
	Rows []RowError
}

func (e *RowsError) Error() string {
	if len(e.Rows) == 0 {
		return "no row was rejected"
	}
	msg := e.Rows[0].Message
	if n := len(e.Rows) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more rejected rows)", n)
	}
	return msg
}

// Unwrap answers the first row's rejection.
func (e *RowsError) Unwrap() error {
	if len(e.Rows) == 0 {
		return nil
	}
	r := e.Rows[0]
	return &Error{Kind: r.Kind, Code: r.Code, Field: e.path(r), Message: r.Message}
}

func (e *RowsError) path(r RowError) string {
	p := e.List + "[" + strconv.Itoa(r.Index) + "]"
	if r.Field != "" {
		p += "." + r.Field
	}
	return p
}

// rows gathers the rejected rows of one command.
type rows struct {
	list string
	out  []RowError
}

// reject records row i's rejection. err is what a single command's check
// answered; its field is made relative to the row (a field already named
// "lines[3].amount" becomes "amount").
func (r *rows) reject(i int, err error) {
	var de *Error
	if !errors.As(err, &de) {
		r.out = append(r.out, RowError{Index: i, Kind: KindInvalid, Code: ErrInvalid.Code, Message: err.Error()})
		return
	}
	field := de.Field
	if j := strings.Index(field, "]."); j >= 0 && strings.HasPrefix(field, r.list+"[") {
		field = field[j+2:]
	} else if strings.HasPrefix(field, r.list+"[") {
		field = ""
	}
	r.out = append(r.out, RowError{Index: i, Field: field, Kind: de.Kind, Code: de.Code, Message: de.Message})
}

// err answers the rows' rejection, or nil if no row was rejected.
func (r *rows) err() error {
	if len(r.out) == 0 {
		return nil
	}
	return &RowsError{List: r.list, Rows: r.out}
}
