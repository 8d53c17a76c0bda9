package console

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/domain"
)

// previewRows is how many of a file's rows a preview shows.
const previewRows = 100

// preview is a file as read by the console before it is sent: its header,
// its first rows, and its totals beside the control totals typed in. It
// only shows; the API reads the file again and decides.
type preview struct {
	Header        []string
	Rows          [][]string
	Lines         int
	More          int
	AmountSum     string
	HasAmount     bool
	ControlCount  string
	ControlAmount string
	CountAgrees   bool
	AmountAgrees  bool
}

// readPreview reads an XLSX's first sheet or a CSV (UTF-8), within the
// API's own bounds (expanded size, rows).
func readPreview(file []byte, contentType string, q url.Values) (*preview, error) {
	rows, err := previewFileRows(file, contentType)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("文件是空的：第一行应是表头")
	}
	pv := &preview{Header: rows[0], ControlCount: q.Get("control_count"), ControlAmount: q.Get("control_amount")}
	amountCol := -1
	for i, h := range rows[0] {
		if n := strings.ToLower(strings.TrimSpace(h)); n == "amount" || n == "金额" {
			amountCol = i
		}
	}
	sum := domain.Zero
	for _, row := range rows[1:] {
		if blank(row) {
			continue
		}
		pv.Lines++
		if len(pv.Rows) < previewRows {
			pv.Rows = append(pv.Rows, row)
		} else {
			pv.More++
		}
		if amountCol >= 0 && amountCol < len(row) {
			if m, err := domain.ParseAmount(strings.TrimSpace(row[amountCol])); err == nil {
				sum = sum.Add(m)
			}
		}
	}
	if amountCol >= 0 {
		pv.HasAmount, pv.AmountSum = true, sum.String()
		if m, err := domain.ParseAmount(pv.ControlAmount); err == nil {
			pv.AmountAgrees = m.Equal(sum)
		}
	}
	if n, err := strconv.Atoi(pv.ControlCount); err == nil {
		pv.CountAgrees = n == pv.Lines
	}
	return pv, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func previewFileRows(file []byte, contentType string) ([][]string, error) {
	if contentType != mimeXLSX {
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\xef\xbb\xbf"))))
		cr.FieldsPerRecord = -1
		var rows [][]string
		for len(rows) < api.MaxUploadRows {
			row, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("CSV 文件无法读取：%v", err)
			}
			rows = append(rows, row)
		}
		return rows, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(file), excelize.Options{
		UnzipSizeLimit: api.MaxXLSXExpanded, UnzipXMLSizeLimit: api.MaxXLSXExpanded})
	if err != nil {
		return nil, fmt.Errorf("XLSX 文件无法读取：%v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("XLSX 文件没有工作表")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("XLSX 文件无法读取：%v", err)
	}
	defer it.Close()
	var rows [][]string
	for it.Next() && len(rows) < api.MaxUploadRows {
		row, err := it.Columns()
		if err != nil {
			return nil, fmt.Errorf("XLSX 文件无法读取：%v", err)
		}
		rows = append(rows, row)
	}
	return rows, it.Error()
}
