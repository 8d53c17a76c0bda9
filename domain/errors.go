package domain

import "fmt"

// Kind is the class of a rejection; it decides the HTTP status.
type Kind string

// The kinds of rejection: a closed, append-only list.
const (
	KindInvalid   Kind = "invalid"   // the request itself is malformed (400)
	KindNotFound  Kind = "not_found" // it names something the ledger does not hold (404)
	KindDuplicate Kind = "duplicate" // it reuses an id (409)
	KindRule      Kind = "rule"      // well formed, but a ledger rule forbids it (422)
	// KindUnavailable: the ledger cannot take it now, whatever the request
	// says (503): its stored history is damaged and it is quarantined.
	KindUnavailable Kind = "unavailable"
)

// Error is a typed rejection: nothing was written. Code is stable and
// machine-readable; Message is written for the clerk who must fix the request.
type Error struct {
	Kind    Kind
	Code    string
	Field   string // the request field at fault, if one is
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is matches rejections by code, so errors.Is(err, ErrInsufficientFunds) works
// whatever the message says.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is. Their messages are generic; the errors Decide
// returns carry the particulars.
var (
	ErrInvalid           = &Error{Kind: KindInvalid, Code: "invalid_request", Message: "invalid request"}
	ErrNotFound          = &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"}
	ErrDuplicate         = &Error{Kind: KindDuplicate, Code: "duplicate", Message: "duplicate id"}
	ErrInsufficientFunds = &Error{Kind: KindRule, Code: "insufficient_funds", Message: "insufficient funds"}
	ErrControlMismatch   = &Error{Kind: KindRule, Code: "control_mismatch", Message: "control totals disagree with the lines"}
	ErrHouseholdRemoved  = &Error{Kind: KindRule, Code: "household_removed", Message: "household was removed"}
	ErrAlreadyReversed   = &Error{Kind: KindRule, Code: "already_reversed", Message: "write was already reversed"}
	ErrNotReversible     = &Error{Kind: KindRule, Code: "not_reversible", Message: "write cannot be reversed"}
	ErrOverBudget        = &Error{Kind: KindRule, Code: "over_budget", Message: "appropriation above the project budget"}
	ErrStatusChange      = &Error{Kind: KindRule, Code: "invalid_status_change", Message: "status change not allowed"}
	ErrProjectClosed     = &Error{Kind: KindRule, Code: "project_closed", Message: "project is cancelled"}
	ErrLedgerNotOpen     = &Error{Kind: KindNotFound, Code: "ledger_not_open", Message: "ledger is not open"}
	ErrDuplicateLine     = &Error{Kind: KindRule, Code: "duplicate_line", Message: "household appears twice"}
	ErrBankResult        = &Error{Kind: KindRule, Code: "invalid_bank_result", Message: "bank result not allowed"}
	ErrHouseholdState    = &Error{Kind: KindRule, Code: "invalid_household_change", Message: "household change not allowed"}
	ErrDuplicateIDNumber = &Error{Kind: KindRule, Code: "duplicate_id_number", Message: "ID number already registered"}
	ErrSameCard          = &Error{Kind: KindRule, Code: "same_card", Message: "re-issue to the card that failed"}
	ErrNotReissuable     = &Error{Kind: KindRule, Code: "not_reissuable", Message: "line cannot be re-issued"}
)

func reject(base *Error, field, format string, args ...any) *Error {
	return &Error{Kind: base.Kind, Code: base.Code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func invalid(field, format string, args ...any) *Error {
	return reject(ErrInvalid, field, format, args...)
}

func notFound(field, what, id string) *Error {
	return reject(ErrNotFound, field, "%s %q is not registered in this ledger", what, id)
}

func duplicate(field, what, id string) *Error {
	return reject(ErrDuplicate, field, "%s id %q is already used in this ledger; choose a new id", what, id)
}
