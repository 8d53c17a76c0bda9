package api

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// uploadQuery are the batch fields a file upload takes from the query string.
var uploadQuery = []string{"id", "fund", "item", "standard", "period", "control_count", "control_amount", "date"}

// payoutBatch accepts a batch as JSON (domain.PayoutBatch), or as a file:
// text/csv or XLSX as the body, or multipart/form-data with the file in the
// part named "file". A file's first row is a header naming the columns
// household and amount; the batch fields come from the query string.
func (s *Server) payoutBatch(c echo.Context) error {
	r := c.Request()
	mt := mediaType(r)
	if mt == echo.MIMEApplicationJSON {
		d, _ := domain.CommandOf(domain.PayoutBatch{})
		return s.write(d)(c)
	}
	if mt != "text/csv" && mt != mimeXLSX && mt != echo.MIMEMultipartForm {
		return unsupported(c, echo.MIMEApplicationJSON, "text/csv", mimeXLSX, echo.MIMEMultipartForm)
	}
	body, err := readBody(c, MaxUpload)
	if err != nil {
		return err
	}
	cmd, err := batchHeader(r.URL.Query())
	if err != nil {
		return err
	}
	file, kind := body, mt
	if mt == echo.MIMEMultipartForm {
		if file, kind, err = multipartFile(r, body); err != nil {
			return err
		}
	}
	var rows [][]string
	if kind == mimeXLSX {
		rows, err = xlsxRows(file)
	} else {
		rows, err = csvRows(file)
	}
	if err != nil {
		return err
	}
	if cmd.Lines, err = batchLines(rows); err != nil {
		return err
	}
	return s.submit(c, c.Param("ledger"), cmd, body)
}

func batchHeader(q url.Values) (domain.PayoutBatch, error) {
	allowed := map[string]bool{}
	for _, k := range uploadQuery {
		allowed[k] = true
	}
	for k := range q {
		if !allowed[k] {
			return domain.PayoutBatch{}, &Error{Status: http.StatusBadRequest, Code: "unknown_field", Field: k,
				Message: fmt.Sprintf("query parameter %q is not a batch field; use %s", k, strings.Join(uploadQuery, ", "))}
		}
	}
	cmd := domain.PayoutBatch{Date: q.Get("date"), ID: q.Get("id"), Fund: q.Get("fund"), Item: q.Get("item"), Period: q.Get("period"),
		Standard: domain.AmountText(q.Get("standard")), Control: domain.ControlRequest{Amount: domain.AmountText(q.Get("control_amount"))}}
	if v := q.Get("control_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return cmd, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "control_count", Message: "control_count must be a whole number of lines"}
		}
		cmd.Control.Count = n
	}
	return cmd, nil
}

func multipartFile(r *http.Request, body []byte) ([]byte, string, error) {
	_, params, _ := strings.Cut(r.Header.Get(echo.HeaderContentType), ";")
	boundary := ""
	for _, p := range strings.Split(params, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "boundary") {
			boundary = strings.Trim(v, `"`)
		}
	}
	if boundary == "" {
		return nil, "", newError(http.StatusBadRequest, "invalid_request", "multipart body has no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "file", Message: "the multipart body has no part named \"file\""}
		}
		if err != nil {
			return nil, "", newError(http.StatusBadRequest, "invalid_request", "the multipart body cannot be read: %v", err)
		}
		if part.FormName() != "file" {
			continue
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, "", newError(http.StatusBadRequest, "invalid_request", "the uploaded file cannot be read: %v", err)
		}
		kind := "text/csv"
		if strings.HasSuffix(strings.ToLower(part.FileName()), ".xlsx") || part.Header.Get("Content-Type") == mimeXLSX {
			kind = mimeXLSX
		}
		return b, kind, nil
	}
}

// csvRows reads a CSV file a row at a time, refusing more than
// MaxUploadRows rows without reading further.
func csvRows(b []byte) ([][]string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // Excel writes a BOM
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var rows [][]string
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, newError(http.StatusBadRequest, "invalid_file", "the CSV file cannot be read: %v", err)
		}
		if len(rows) == MaxUploadRows {
			return nil, tooManyRows()
		}
		rows = append(rows, row)
	}
}

func tooManyRows() *Error {
	return newError(http.StatusRequestEntityTooLarge, "too_large",
		"the file has more than %d rows (a header and %d lines, the most one batch may hold); split it", MaxUploadRows, MaxUploadRows-1)
}

// xlsxRows reads the first sheet of an XLSX file, once checkXLSXSize has
// bounded what it expands to, a row at a time up to MaxUploadRows.
func xlsxRows(b []byte) ([][]string, error) {
	if err := checkXLSXSize(b); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		UnzipSizeLimit: MaxXLSXExpanded, UnzipXMLSizeLimit: MaxXLSXExpanded, // in memory, no temporary files
	})
	if err != nil {
		return nil, newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, newError(http.StatusBadRequest, "invalid_file", "the XLSX file has no sheet")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		if len(rows) == MaxUploadRows {
			return nil, tooManyRows()
		}
		row, err := it.Columns()
		if err != nil {
			return nil, newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
		}
		rows = append(rows, row)
	}
	if err := it.Error(); err != nil {
		return nil, newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
	}
	return rows, nil
}

// checkXLSXSize refuses, with 413, an XLSX (a zip) whose parts would expand
// past MaxXLSXExpanded: first by the sizes its central directory declares,
// before anything is unzipped; then, in case the directory understates
// them, by reading every part through what is left of the bound.
func checkXLSXSize(b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
	}
	var declared uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > MaxXLSXExpanded-declared {
			return expandsTooFar()
		}
		declared += f.UncompressedSize64
	}
	left := int64(MaxXLSXExpanded)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, left+1))
		rc.Close()
		if n > left {
			return expandsTooFar()
		}
		if err != nil { // archive/zip: a part longer than declared, or a bad checksum
			return newError(http.StatusBadRequest, "invalid_file", "the XLSX file cannot be read: %v", err)
		}
		left -= n
	}
	return nil
}

func expandsTooFar() *Error {
	return newError(http.StatusRequestEntityTooLarge, "too_large",
		"the XLSX file expands to more than %s; a batch file is far smaller, so it was not opened", humanBytes(MaxXLSXExpanded))
}

// batchLines reads rows whose first row names the columns household and
// amount (in any order; other columns are refused so nothing is ignored).
func batchLines(rows [][]string) ([]domain.BatchLineRequest, error) {
	if len(rows) == 0 {
		return nil, newError(http.StatusBadRequest, "invalid_file", "the file is empty; its first row must name the columns household,amount")
	}
	hi, ai := -1, -1
	for i, name := range rows[0] {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "household":
			hi = i
		case "amount":
			ai = i
		default:
			return nil, newError(http.StatusBadRequest, "invalid_file", "column %q is not known; the columns are household,amount", name)
		}
	}
	if hi < 0 || ai < 0 {
		return nil, newError(http.StatusBadRequest, "invalid_file", "the first row must name the columns household,amount")
	}
	lines := make([]domain.BatchLineRequest, 0, len(rows)-1)
	for n, row := range rows[1:] {
		if len(row) == 0 || (len(row) == 1 && strings.TrimSpace(row[0]) == "") {
			continue
		}
		get := func(i int) string {
			if i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		if len(row) > len(rows[0]) {
			return nil, newError(http.StatusBadRequest, "invalid_file", "row %d has more cells than the header", n+2)
		}
		lines = append(lines, domain.BatchLineRequest{Household: get(hi), Amount: domain.AmountText(get(ai))})
	}
	return lines, nil
}
