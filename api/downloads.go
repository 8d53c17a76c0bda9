package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/internal/report"
	"github.com/fundledger/fundledger/projections"
)

// Files out (Excel out): a payout batch's bank file (代发文件, full names
// and card numbers: finance or auditor, every download logged without the
// numbers) and publicity list (公示清册, masked; XLSX or CSV), the fund and
// household traces as XLSX (format=xlsx on their JSON routes), and the
// audit workbook (审计底稿). Each reflects the ledger as of the request's
// as_of and names the sequence in its file name.

// download is a file built from the model.
type download struct {
	name   string // file name, ASCII
	csv    bool
	tables []report.Table
}

// sendFile writes a download. The tables are built under the model's
// lock; the file is written after it, so a large workbook never holds the
// projections up. Nothing is cached: these files hold names.
func sendFile(c echo.Context, d download) error {
	var buf bytes.Buffer
	contentType := mimeXLSX
	if d.csv {
		contentType = "text/csv; charset=utf-8"
		if err := report.WriteCSV(&buf, d.tables[0]); err != nil {
			return err
		}
	} else if err := report.WriteXLSX(&buf, d.tables); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+d.name+`"`)
	h.Set("Cache-Control", "private, no-store")
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.Blob(http.StatusOK, contentType, buf.Bytes())
}

// fileFormat reads format: xlsx (the default) or, where allowed, csv.
func fileFormat(c echo.Context, csvAllowed bool) (csv bool, err error) {
	switch f := c.QueryParam("format"); {
	case f == "" || f == "xlsx":
		return false, nil
	case f == "csv" && csvAllowed:
		return true, nil
	default:
		want := "xlsx"
		if csvAllowed {
			want = "xlsx or csv"
		}
		return false, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "format", Message: "format must be " + want + ", got " + strconv.Quote(f)}
	}
}

func batchNotFound(c echo.Context) error {
	return newError(http.StatusNotFound, "not_found", "payout batch %q is not in ledger %s", c.Param("id"), c.Param("ledger"))
}

// bankFile answers a batch's 代发文件 with full names, ID and card numbers
// (the household's card at the cut). Each download is logged with its
// actor, batch and line count, never a number from it.
func (s *Server) bankFile(c echo.Context) error {
	if _, err := fileFormat(c, false); err != nil {
		return err
	}
	var d download
	var lines int
	var seq uint64
	err := s.readWith(c, func(m *projections.Model) error {
		p, ok := m.BankFile(c.Param("id"))
		if !ok {
			return batchNotFound(c)
		}
		lines, seq = len(p.Lines), p.Seq
		d = download{name: report.FileName(m.Ledger(), "bank-file", p.Batch, p.Seq, "xlsx"), tables: []report.Table{report.BankFile(p)}}
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("bank file downloaded", "ledger", c.Param("ledger"), "batch", c.Param("id"), "lines", lines, "seq", seq,
		"actor", actor(c), "request_id", requestID(c))
	return sendFile(c, d)
}

// publicity answers a batch's 公示清册, masked: XLSX, or format=csv.
func (s *Server) publicity(c echo.Context) error {
	csv, err := fileFormat(c, true)
	if err != nil {
		return err
	}
	var d download
	err = s.readWith(c, func(m *projections.Model) error {
		p, ok := m.Publicity(c.Param("id"))
		if !ok {
			return batchNotFound(c)
		}
		ext := "xlsx"
		if csv {
			ext = "csv"
		}
		d = download{name: report.FileName(m.Ledger(), "publicity", p.Batch, p.Seq, ext), csv: csv, tables: []report.Table{report.Publicity(p)}}
		return nil
	})
	if err != nil {
		return err
	}
	return sendFile(c, d)
}

// traceFundFile answers a fund's trace as a workbook (format=xlsx).
func (s *Server) traceFundFile(c echo.Context) error {
	var d download
	err := s.readWith(c, func(m *projections.Model) error {
		t, ok := m.TraceFund(c.Param("id"))
		if !ok {
			return newError(http.StatusNotFound, "not_found", "fund %q is not in ledger %s", c.Param("id"), c.Param("ledger"))
		}
		d = download{name: report.FileName(m.Ledger(), "trace-fund", t.Fund, t.Seq, "xlsx"), tables: []report.Table{report.FundTrace(t)}}
		return nil
	})
	if err != nil {
		return err
	}
	return sendFile(c, d)
}

// traceHouseholdFile answers a household's trace as a workbook (format=xlsx).
func (s *Server) traceHouseholdFile(c echo.Context) error {
	var d download
	err := s.readWith(c, func(m *projections.Model) error {
		t, ok := m.TraceHousehold(c.Param("id"))
		if !ok {
			return newError(http.StatusNotFound, "not_found", "household %q is not in ledger %s", c.Param("id"), c.Param("ledger"))
		}
		d = download{name: report.FileName(m.Ledger(), "trace-household", t.Household, t.Seq, "xlsx"), tables: []report.Table{report.HouseholdTrace(t)}}
		return nil
	})
	if err != nil {
		return err
	}
	return sendFile(c, d)
}

// wantsFile reports whether a trace is asked for as a file: format=xlsx
// (format=json or none is the JSON answer).
func wantsFile(c echo.Context) (bool, error) {
	switch f := c.QueryParam("format"); f {
	case "", "json":
		return false, nil
	case "xlsx":
		return true, nil
	default:
		return false, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "format", Message: "format must be json or xlsx, got " + strconv.Quote(f)}
	}
}

// audit answers the audit workbook at as_of: 汇总, 资金, 审计发现 and 资金溯源.
func (s *Server) audit(c echo.Context) error {
	if _, err := fileFormat(c, false); err != nil {
		return err
	}
	var d download
	err := s.readWith(c, func(m *projections.Model) error {
		d = download{name: report.FileName(m.Ledger(), "audit", "", m.Seq(), "xlsx"), tables: report.Audit(m, c.QueryParam("as_of"))}
		return nil
	})
	if err != nil {
		return err
	}
	return sendFile(c, d)
}

// downloadRoutes are the Excel downloads (auditor or above: finance too).
func (s *Server) downloadRoutes(r func(path, op, summary string, h echo.HandlerFunc) Route) []Route {
	const L = "/v1/ledgers/:ledger"
	file := func(rt Route, query ...string) Route {
		rt.Answer, rt.Query = "Binary", append(append([]string(nil), readQuery...), query...)
		return rt
	}
	return []Route{
		file(r(L+"/payout-batches/:id/bank-file", "bank_file", "A payout batch's bank file (代发文件) as XLSX: 序号, 户编号, 户主姓名, 身份证号, 开户银行, 银行卡号 (in full: the card at the cut), 金额, 摘要, "+
			"one row per line that stands (not reversed). Finance or auditor; each download is logged with actor, batch and line count, never the numbers.", s.bankFile)),
		file(r(L+"/payout-batches/:id/publicity", "publicity", "A payout batch's publicity list (公示清册) as XLSX, or CSV (UTF-8 with BOM) with format=csv: 村, 户编号, 户主姓名, "+
			"身份证号 and 银行卡号 masked as on the notice board, 人口数, 发放项目, 期间, 金额, 状态.", s.publicity), "format"),
		file(r(L+"/audit", "audit_workbook", "The audit workbook (审计底稿) as XLSX at as_of: sheets 汇总 (summary, seq and head_hash), 资金 (every fund), 审计发现 (findings with evidence) "+
			"and 资金溯源 (every fund's trace; its 金额 column sums, per fund, to the fund).", s.audit)),
	}
}
