package console

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
	"github.com/shopspring/decimal"
)

// barChart draws labelled bars as inline SVG, server-side, as the notice
// board does (disclosure.Bar), but laid out for a phone: each bar has its
// label and figure on a line above it, in a drawing 360 units wide, so the
// text stays legible at 360 px and the chart prints as drawn.
func barChart(title string, bars []disclosure.Bar) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	const width, rowH, barH = 360, 38, 12
	largest := domain.Zero
	for _, b := range bars {
		for _, v := range []domain.Money{b.Value, b.Max} {
			if v.Cmp(largest) > 0 {
				largest = v
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		width, rowH*len(bars)+4, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for i, b := range bars {
		y := i * rowH
		fmt.Fprintf(&sb, `<text x="0" y="%d" font-size="13">%s</text>`, y+15, template.HTMLEscapeString(shorten(b.Label, 14)))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#555">%s</text>`, width, y+15, template.HTMLEscapeString(b.Note))
		if !b.Max.IsZero() {
			fmt.Fprintf(&sb, `<rect x="0" y="%d" width="%d" height="%d" fill="#e6e6e6"/>`, y+21, scaled(b.Max, largest, width), barH)
		}
		fmt.Fprintf(&sb, `<rect x="0" y="%d" width="%d" height="%d" fill="#b22222"/>`, y+21, scaled(b.Value, largest, width), barH)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func scaled(v, largest domain.Money, span int) int {
	if largest.IsZero() || !v.IsPositive() {
		return 0
	}
	return max(int(v.Decimal().Mul(decimal.NewFromInt(int64(span))).Div(largest.Decimal()).IntPart()), 1)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
