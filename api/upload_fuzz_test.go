package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/sheet"
)

// FuzzUploadFile reads any bytes as a batch file, CSV or XLSX as the first
// byte says, down to batch lines and their text check. Properties: no
// panic; a refusal is an *Error answering 400 or 413; an accepted file
// has at most MaxUploadRows rows and yields lines whose cells are trimmed.
func FuzzUploadFile(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		read := sheet.ReadCSV
		if data[0]%2 == 1 {
			read = sheet.ReadXLSX
		}
		rows, err := read(data[1:], uploadLimits)
		if err == nil && len(rows) > MaxUploadRows {
			t.Fatalf("accepted %d rows, above %d", len(rows), MaxUploadRows)
		}
		var table *sheet.Table
		if err == nil {
			table, err = sheet.NewTable(rows, sheet.BatchColumns)
		}
		if err != nil {
			var ae *Error
			if !errors.As(fileError(err), &ae) || (ae.Status != http.StatusBadRequest && ae.Status != http.StatusRequestEntityTooLarge) || ae.Code == "" {
				t.Fatalf("refusal %#v is not a 400/413 *Error", err)
			}
			return
		}
		lines := sheet.BatchLines(table)
		if len(lines) >= len(rows) && len(rows) > 0 {
			t.Fatalf("%d lines from %d rows (one is the header)", len(lines), len(rows))
		}
		for _, l := range lines {
			if l.Household != strings.TrimSpace(l.Household) || string(l.Amount) != strings.TrimSpace(string(l.Amount)) {
				t.Fatalf("untrimmed line %+v", l)
			}
		}
		cmd := domain.PayoutBatch{ID: "B1", Fund: "A1", Item: "i", Period: "2019", Lines: lines}
		if err := domain.Check(cmd); err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || !strings.HasPrefix(de.Field, "lines[") {
				t.Fatalf("Check refused with %#v; want an invalid line named", err)
			}
		}
	})
}
