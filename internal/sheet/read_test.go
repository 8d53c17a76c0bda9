package sheet

import (
	"fmt"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var lim = Limits{MaxRows: 100, MaxExpanded: 1 << 20}

// TestCSVRowsAreNumberedAsExcelShowsThem: blank lines count as rows, a
// quoted cell spanning lines is one row.
func TestCSVRowsAreNumberedAsExcelShowsThem(t *testing.T) {
	rows, err := ReadCSV([]byte("户编号,原因\r\nH1,a\r\n\r\nH2,\"two\r\nlines\"\r\nH3,c\r\n,\r\nH4,d\r\n"), lim)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d:%s", r.Num, r.Cells[0]))
	}
	if fmt.Sprint(got) != "[1:户编号 2:H1 4:H2 5:H3 7:H4]" {
		t.Fatalf("rows %v", got)
	}
}

// TestDecodeDetectsGBK: valid UTF-8 (BOM or not) is UTF-8, GBK is decoded,
// bytes that are neither are refused.
func TestDecodeDetectsGBK(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("户编号,村\n")
	for in, want := range map[string]Encoding{"\ufeff户编号,村\n": UTF8, "户编号,村\n": UTF8, gbk: GB18030} {
		out, enc, err := Decode([]byte(in))
		if err != nil || enc != want || string(out) != "户编号,村\n" {
			t.Errorf("%q: %q %s %v", in, out, enc, err)
		}
	}
	if _, _, err := Decode([]byte("\x81\x30\xff")); err == nil {
		t.Error("undecodable bytes read")
	}
}

// TestTooManyRowsIsTooLarge: past MaxRows the reader stops with TooLarge.
func TestTooManyRowsIsTooLarge(t *testing.T) {
	b := []byte("household,amount\n")
	for i := 0; i < 100; i++ {
		b = append(b, "H1,1.00\n"...)
	}
	if _, err := ReadCSV(b, lim); err == nil || !err.(*Error).TooLarge {
		t.Fatalf("101 rows: %v", err)
	}
}
