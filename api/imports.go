package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/sheet"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// Files in (Excel in): a household registry, a payout batch's lines and a
// bank's result file, each as CSV (UTF-8 or GBK, detected) or XLSX, in the
// body with its Content-Type or as multipart part "file". A file is one
// command, so one commit: all of it is written or none. Every refused row
// is listed (422 invalid_rows), numbered as Excel numbers it; dry_run=true
// answers what would be written and writes nothing.

// invalidRows answers a file with refused rows, 422:
// {"error":{"code":"invalid_rows","message","rows":[{"row","column","reason"}]}}.
func invalidRows(rows []sheet.RowProblem) *Error {
	seen := map[int]bool{}
	for _, r := range rows {
		seen[r.Row] = true
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_rows", Rows: rows,
		Message: strconv.Itoa(len(seen)) + " rows were refused (行有误), each listed with its column and reason; fix them and send the whole file again: nothing was written"}
}

// DryRun is the answer to dry_run=true: what the file would write, on the
// head it was judged against.
type DryRun struct {
	DryRun   bool              `json:"dry_run"`
	Command  string            `json:"command"`
	Count    int               `json:"count"` // rows the file holds, all of which would be written
	Seq      uint64            `json:"seq"`
	HeadHash string            `json:"head_hash"`
	Events   []domain.RawEvent `json:"events"`
}

// importSummary and bankResultsSummary are what the import and bank-result
// routes add to their commands' summaries.
const (
	importSummary = "JSON {\"households\":[…]}, or a registry file (16 MiB; XLSX expanding past 64 MiB or more than 20,001 rows: 413): " +
		"CSV in UTF-8 (BOM optional) or GBK/GB18030 (detected), or XLSX (first sheet), as the body or multipart part \"file\"; header row " +
		"户编号,村,户主姓名,身份证号,人口数,类别,状态,开户银行,银行卡号 (or the field names; 状态 optional; 序号 and 备注 ignored); 村 is a village id or a name " +
		"only one village has; 类别 一般户/低保户/五保户 or ordinary/dibao/wubao, 状态 贫困户/已脱贫/返贫 or poor/exited/returned. " +
		"All or nothing in one commit: refused rows answer 422 invalid_rows {row (as Excel numbers it, header = 1), column (the header as written), reason}; " +
		"dry_run=true answers 200 {dry_run, command, count, seq, head_hash, events} and writes nothing; date is the registration's business date."
	bankResultsSummary = "Also a bank's result file (CSV UTF-8/GBK or XLSX, as for payout batches) with columns 户编号, 状态 (成功/失败/退回 or paid/failed/returned), " +
		"银行流水号, 原因 (or household, status, bank_ref, reason); refused rows answer 422 invalid_rows; dry_run=true writes nothing."
)

// uploadLimits are an upload's bounds: rows, and what an XLSX may expand to.
var uploadLimits = sheet.Limits{MaxRows: MaxUploadRows, MaxExpanded: MaxXLSXExpanded}

// dryRun reads the dry_run query parameter.
func dryRun(c echo.Context) (bool, error) {
	switch v := c.QueryParam("dry_run"); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "dry_run", Message: "dry_run must be true or false, got " + strconv.Quote(v)}
	}
}

// readTable reads an uploaded file (the body, or multipart part "file")
// into a table of the given columns. body is the raw request body, which
// the idempotency hash covers.
func readTable(c echo.Context, cols []sheet.Column) (t *sheet.Table, body []byte, err error) {
	r := c.Request()
	mt := mediaType(r)
	if mt != "text/csv" && mt != mimeXLSX && mt != echo.MIMEMultipartForm {
		return nil, nil, unsupported(c, echo.MIMEApplicationJSON, "text/csv", mimeXLSX, echo.MIMEMultipartForm)
	}
	if body, err = readBody(c, MaxUpload); err != nil {
		return nil, nil, err
	}
	file, kind := body, mt
	if mt == echo.MIMEMultipartForm {
		if file, kind, err = multipartFile(r, body); err != nil {
			return nil, nil, err
		}
	}
	var rows []sheet.Row
	if kind == mimeXLSX {
		rows, err = sheet.ReadXLSX(file, uploadLimits)
	} else {
		rows, err = sheet.ReadCSV(file, uploadLimits)
	}
	if err == nil {
		t, err = sheet.NewTable(rows, cols)
	}
	if err == nil {
		if n, msg := t.Overflow(); n > 0 {
			err = &sheet.Error{Message: msg}
		}
	}
	if err != nil {
		return nil, nil, fileError(err)
	}
	return t, body, nil
}

// fileError answers a file that cannot be read: 413 if too large, else 400.
func fileError(err error) error {
	se, ok := err.(*sheet.Error)
	if !ok {
		return err
	}
	if se.TooLarge {
		return newError(http.StatusRequestEntityTooLarge, "too_large", "%s", se.Message)
	}
	return newError(http.StatusBadRequest, "invalid_file", "%s", se.Message)
}

// submitFile writes (or, dry, judges) the command a file asks for. Rows it
// refuses, and cells that could not be read (problems), answer 422
// invalid_rows; a file with such cells is never written.
func (s *Server) submitFile(c echo.Context, cmd domain.Command, t *sheet.Table, list string, problems []sheet.RowProblem, body []byte, dry bool) error {
	dry = dry || len(problems) > 0
	res, err := s.submitRequest(c, c.Param("ledger"), cmd, body, dry)
	if err != nil {
		rows, ok := t.Problems(err, list)
		if !ok {
			if len(problems) > 0 {
				return invalidRows(problems)
			}
			return err
		}
		return invalidRows(sheet.Merge(problems, rows))
	}
	if len(problems) > 0 {
		return invalidRows(problems)
	}
	if dry {
		return answerDryRun(c, cmd, len(t.Rows), res)
	}
	return s.answerWrite(c, c.Param("ledger"), res)
}

func answerDryRun(c echo.Context, cmd domain.Command, count int, res ledger.Result) error {
	if res.Events == nil {
		res.Events = []domain.RawEvent{}
	}
	return c.JSON(http.StatusOK, DryRun{DryRun: true, Command: cmd.CommandName(), Count: count, Seq: res.Seq, HeadHash: res.Hash, Events: res.Events})
}

// importHouseholds answers POST …/households/import: a registry file, or
// the command as JSON ({"households":[…]}, rows numbered from 1 in the
// list and columns named by field).
func (s *Server) importHouseholds(d domain.CommandSpec) echo.HandlerFunc {
	return func(c echo.Context) error {
		dry, err := dryRun(c)
		if err != nil {
			return err
		}
		if mediaType(c.Request()) == echo.MIMEApplicationJSON {
			return s.jsonRows(c, d, "households", dry)
		}
		t, body, err := readTable(c, sheet.HouseholdColumns)
		if err != nil {
			return err
		}
		villages, err := s.villageNames(c)
		if err != nil {
			return err
		}
		cmd, problems := sheet.Households(t, villages)
		cmd.Date = c.QueryParam("date")
		return s.submitFile(c, cmd, t, "households", problems, body, dry)
	}
}

// villageNames answers what a registry's 村 column may hold (ids, and
// names that name one village), from the ledger as it stands now.
func (s *Server) villageNames(c echo.Context) (map[string]string, error) {
	code := c.Param("ledger")
	ctx := c.Request().Context()
	head, _, err := s.durableHead(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := s.waitProjections(ctx, code, head); err != nil {
		return nil, err
	}
	var out map[string]string
	err = s.projector.Read(ctx, code, projections.Cut{}, func(m *projections.Model) error {
		out = m.VillageNames()
		return nil
	})
	return out, err
}

// jsonRows answers a command of many rows sent as JSON, its refused rows
// as invalid_rows numbered from 1 in its list.
func (s *Server) jsonRows(c echo.Context, d domain.CommandSpec, list string, dry bool) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	cmd, err := d.Decode(body, c.Param("id"), decodeStrict)
	if err != nil {
		return err
	}
	res, err := s.submitRequest(c, c.Param("ledger"), cmd, body, dry)
	if err != nil {
		if rows, ok := jsonProblems(err, list); ok {
			return invalidRows(rows)
		}
		return err
	}
	if dry {
		return answerDryRun(c, cmd, -1, res)
	}
	return s.answerWrite(c, c.Param("ledger"), res)
}

// jsonProblems lists a *domain.RowsError's rows by position (from 1) and field.
func jsonProblems(err error, list string) ([]sheet.RowProblem, bool) {
	var re *domain.RowsError
	if !errors.As(err, &re) {
		return nil, false
	}
	out := make([]sheet.RowProblem, len(re.Rows))
	for i, r := range re.Rows {
		out[i] = sheet.RowProblem{Row: r.Index + 1, Column: r.Field, Reason: sheet.Reason(r.Field, r.Code, r.Message)}
	}
	return out, true
}

// bankResults answers POST …/payout-batches/{id}/bank-results: the JSON
// command as before, or the bank's result file (户编号, 状态 成功/失败/退回
// or paid/failed/returned, 银行流水号, 原因).
func (s *Server) bankResults(d domain.CommandSpec) echo.HandlerFunc {
	return func(c echo.Context) error {
		dry, err := dryRun(c)
		if err != nil {
			return err
		}
		if mediaType(c.Request()) == echo.MIMEApplicationJSON {
			if dry {
				return s.jsonRows(c, d, "lines", true)
			}
			return s.write(d)(c)
		}
		t, body, err := readTable(c, sheet.BankResultColumns)
		if err != nil {
			return err
		}
		return s.submitFile(c, sheet.BankResults(t, c.Param("id")), t, "lines", nil, body, dry)
	}
}
