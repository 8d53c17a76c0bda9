package domain

import (
	"encoding/json"
	"testing"
)

func TestParseAmountAcceptsPlainYuan(t *testing.T) {
	for in, want := range map[string]string{
		"1": "1.00", "1.5": "1.50", "1013.70": "1013.70", "0.01": "0.01",
		"1000000000000": "1000000000000.00", "1000000000000.00": "1000000000000.00",
	} {
		got, err := ParseAmount(in)
		if err != nil {
			t.Errorf("ParseAmount(%q): %v", in, err)
			continue
		}
		if got.String() != want {
			t.Errorf("ParseAmount(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseAmountRejectsWhatIsNotAYuanFigure(t *testing.T) {
	for _, in := range []string{
		"", "1.001", "-5", "+5", "1e3", "1E3", "NaN", "Inf", "0", "0.00", " 1", "1 ", "1,000", ".5", "5.",
		"0x10", "1000000000000.01", "99999999999999999", "１２", "1.0.0", "١",
	} {
		if m, err := ParseAmount(in); err == nil {
			t.Errorf("ParseAmount(%q) = %s, want an error", in, m)
		}
	}
}

func TestAmountTextKeepsJSONNumbersExact(t *testing.T) {
	var v struct{ A, B, C AmountText }
	if err := json.Unmarshal([]byte(`{"A":"12.50","B":12.5,"C":1e3}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "12.50" || v.B != "12.5" || v.C != "1e3" {
		t.Fatalf("got %+v", v)
	}
	if _, err := amount("c", v.C); err == nil {
		t.Fatal("an exponent must be refused, not read as 1000")
	}
}

func TestMoneyJSONRoundTripHasTwoDecimals(t *testing.T) {
	b, _ := json.Marshal(struct{ M Money }{MustParse("80000")})
	if string(b) != `{"M":"80000.00"}` {
		t.Fatalf("got %s", b)
	}
	var back struct{ M Money }
	if err := json.Unmarshal([]byte(`{"M":"-349.5"}`), &back); err != nil || back.M.String() != "-349.50" {
		t.Fatalf("got %v %v", back.M, err)
	}
}

func TestRatioRoundsHalfUpToFourPlaces(t *testing.T) {
	// In fen; a ratio of non-fen decimals is the same ratio of fen scaled
	// alike (1918.6 ÷ 2531.239 = 191860 ÷ 253123.9 = 1918600 ÷ 2531239).
	cases := []struct {
		a, b int64
		want string
	}{
		{152900, 292700, "0.5224"},
		{1918600, 2531239, "0.7580"},
		{1, 3, "0.3333"},
		{2, 3, "0.6667"},
		{5, 100000, "0.0001"}, // half-up at the fifth place
		{500, 0, "0.0000"},
	}
	for _, c := range cases {
		if got := Ratio(Fen(c.a), Fen(c.b)); got != c.want {
			t.Errorf("Ratio(%d, %d fen) = %s, want %s", c.a, c.b, got, c.want)
		}
	}
}

func TestValidIDNumberChecksGB11643(t *testing.T) {
	if !ValidIDNumber("11010519491231002X") {
		t.Error("the standard's example must pass")
	}
	for _, bad := range []string{"110105194912310021", "11010519491231002", "1101051949123100XX", "A1010519491231002X"} {
		if ValidIDNumber(bad) {
			t.Errorf("%q must fail", bad)
		}
	}
}
