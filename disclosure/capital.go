package disclosure

import (
	"strings"

	"github.com/fundledger/fundledger/domain"
)

var (
	capitalDigits = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	placeUnits    = []string{"", "拾", "佰", "仟"}
	sectionUnits  = []string{"", "万", "亿", "万亿"}
)

// Capital writes an amount in the capital-number form (大写) that notices,
// vouchers and cheques use, following the People's Bank rules for amounts:
// 16000.00 → 壹万陆仟元整, 1013.05 → 壹仟零壹拾叁元零伍分, 0.50 → 伍角整.
// "整" closes an amount that ends at 元 or 角; a zero between 元 and a
// non-zero 分 is written as 零; 10 is 壹拾, never 拾.
func Capital(m domain.Money) string {
	var b strings.Builder
	if m.IsNegative() {
		b.WriteString("负")
		m = m.Neg()
	}
	fen := m.Decimal().Shift(2).Round(0).BigInt()
	total := fen.Uint64() // MaxAmount (10^12 yuan) is 10^14 fen: fits
	yuan, jiao, f := total/100, (total/10)%10, total%10
	if yuan > 0 {
		b.WriteString(integerCapital(yuan))
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && f == 0:
		if yuan == 0 {
			b.WriteString("零元")
		}
		b.WriteString("整")
	default:
		if jiao > 0 {
			b.WriteString(capitalDigits[jiao] + "角")
		} else if yuan > 0 {
			b.WriteString("零")
		}
		if f > 0 {
			b.WriteString(capitalDigits[f] + "分")
		} else {
			b.WriteString("整")
		}
	}
	return b.String()
}

// integerCapital writes a positive whole number in groups of four digits
// (个, 万, 亿, 万亿), with one 零 wherever zeros separate written digits.
func integerCapital(n uint64) string {
	var groups []uint64
	for ; n > 0; n /= 10000 {
		groups = append(groups, n%10000)
	}
	var b strings.Builder
	gap := false // zeros were skipped since the last written digit
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			gap = b.Len() > 0
			continue
		}
		if b.Len() > 0 && (gap || g < 1000) {
			b.WriteString("零")
		}
		b.WriteString(groupCapital(g))
		b.WriteString(sectionUnits[i])
		gap = false
	}
	return b.String()
}

// groupCapital writes 1..9999 without leading or trailing zeros.
func groupCapital(g uint64) string {
	var b strings.Builder
	zero := false
	for place := 3; place >= 0; place-- {
		d := (g / pow10[place]) % 10
		switch {
		case d == 0:
			zero = b.Len() > 0
		default:
			if zero {
				b.WriteString("零")
				zero = false
			}
			b.WriteString(capitalDigits[d] + placeUnits[place])
		}
	}
	return b.String()
}

var pow10 = []uint64{1, 10, 100, 1000}
