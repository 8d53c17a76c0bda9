package csvsafe

import (
	"bytes"
	"testing"
)

func TestCellNeutralisesFormulaStarts(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://x","点我")`: `'=HYPERLINK("http://x","点我")`,
		`=cmd|' /C calc'!A0`:          `'=cmd|' /C calc'!A0`,
		"+1+2":                        "'+1+2",
		"-1+2":                        "'-1+2",
		"@SUM(A1)":                    "'@SUM(A1)",
		"\tx":                         "'\tx",
		"\rx":                         "'\rx",
		"-":                           "'-",
		"-.5":                         "'-.5",
		"1.":                          "1.",
		"罗田村":                         "罗田村",
		"-100.00":                     "-100.00",
		"349.50":                      "349.50",
		"":                            "",
		"A2019-001":                   "A2019-001",
	}
	for in, want := range cases {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterPrefixesBOMAndNeutralisesEveryCell(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, true)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write([]string{"=1+1", "-3.00"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "\ufeff'=1+1,-3.00\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
