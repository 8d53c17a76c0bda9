package disclosure

import (
	"testing"

	"github.com/fundledger/fundledger/domain"
)

func TestCapitalWritesKnownAmounts(t *testing.T) {
	for in, want := range map[string]string{
		"16000.00":      "壹万陆仟元整",
		"1013.05":       "壹仟零壹拾叁元零伍分",
		"80000.00":      "捌万元整",
		"5000":          "伍仟元整",
		"0.00":          "零元整",
		"0.50":          "伍角整",
		"0.05":          "伍分",
		"0.55":          "伍角伍分",
		"10.00":         "壹拾元整",
		"15":            "壹拾伍元整",
		"1001":          "壹仟零壹元整",
		"1010.50":       "壹仟零壹拾元伍角整",
		"100100":        "壹拾万零壹佰元整",
		"1000100":       "壹佰万零壹佰元整",
		"10000000":      "壹仟万元整",
		"100000001":     "壹亿零壹元整",
		"10137000":      "壹仟零壹拾叁万柒仟元整",
		"4400390":       "肆佰肆拾万零叁佰玖拾元整",
		"349.50":        "叁佰肆拾玖元伍角整",
		"120.00":        "壹佰贰拾元整",
		"1000000000000": "壹万亿元整",
		"25312390.07":   "贰仟伍佰叁拾壹万贰仟叁佰玖拾元零柒分",
		"105000.00":     "壹拾万伍仟元整",
		"6000.00":       "陆仟元整",
	} {
		if got := Capital(domain.MustParse(in)); got != want {
			t.Errorf("Capital(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMaskingKeepsOnlyWhatMayBeShown(t *testing.T) {
	if got := MaskID("341504198001011234"); got != "341***********1234" {
		t.Errorf("MaskID = %s", got)
	}
	if got := MaskID("3415041980"); got != "**********" {
		t.Errorf("a malformed ID must be hidden whole, got %s", got)
	}
	if got := MaskCard("6217000011112222"); got != "*2222" {
		t.Errorf("MaskCard = %s", got)
	}
}
