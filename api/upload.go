package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/sheet"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// uploadQuery are the batch fields a file upload takes from the query string.
var uploadQuery = []string{"id", "fund", "item", "standard", "period", "control_count", "control_amount", "dry_run", "date"}

// payoutBatch accepts a batch as JSON (domain.PayoutBatch), or as a file:
// text/csv or XLSX as the body, or multipart/form-data with the file in the
// part named "file". A file's first row is a header naming the columns
// household and amount (or 户编号, 金额); the batch fields come from the
// query string. A file's refused lines answer 422 invalid_rows, numbered
// as Excel numbers them; dry_run=true writes nothing.
func (s *Server) payoutBatch(c echo.Context) error {
	r := c.Request()
	if mediaType(r) == echo.MIMEApplicationJSON {
		d, _ := domain.CommandOf(domain.PayoutBatch{})
		if c.QueryParam("dry_run") != "" {
			dry, err := dryRun(c)
			if err != nil {
				return err
			}
			return s.jsonRows(c, d, "lines", dry)
		}
		return s.write(d)(c)
	}
	dry, err := dryRun(c)
	if err != nil {
		return err
	}
	cmd, err := batchHeader(r.URL.Query())
	if err != nil {
		return err
	}
	t, body, err := readTable(c, sheet.BatchColumns)
	if err != nil {
		return err
	}
	cmd.Lines = sheet.BatchLines(t)
	return s.submitFile(c, cmd, t, "lines", nil, body, dry)
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
