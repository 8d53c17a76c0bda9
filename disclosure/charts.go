package disclosure

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/fundledger/fundledger/domain"
	"github.com/shopspring/decimal"
	qrcode "github.com/skip2/go-qrcode"
)

// Bar is one labelled bar of a chart: Value of Max.
type Bar struct {
	Label string
	Value domain.Money
	Max   domain.Money // the bar's full length; 0 means the chart's largest value
	Note  string       // text written after the bar
}

// BarChart draws horizontal bars as inline SVG, server-side, so a notice
// needs no JavaScript and prints as drawn. Labels are escaped.
func BarChart(title string, bars []Bar) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	const width, labelW, rowH, barH = 640, 190, 30, 18
	largest := domain.Zero
	for _, b := range bars {
		if b.Value.Cmp(largest) > 0 {
			largest = b.Value
		}
		if b.Max.Cmp(largest) > 0 {
			largest = b.Max
		}
	}
	height := rowH*len(bars) + 10
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		width, height, template.HTMLEscapeString(title))
	fmt.Fprintf(&sb, `<title>%s</title>`, template.HTMLEscapeString(title))
	span := width - labelW - 150
	for i, b := range bars {
		y := 5 + i*rowH
		full := b.Max
		if full.IsZero() {
			full = largest
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="14">%s</text>`,
			labelW-8, y+barH-4, template.HTMLEscapeString(shorten(b.Label, 12)))
		if !b.Max.IsZero() {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#e6e6e6"/>`, labelW, y, scale(full, largest, span), barH)
		}
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#b22222"/>`, labelW, y, scale(b.Value, largest, span), barH)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13">%s</text>`,
			labelW+scale(full, largest, span)+6, y+barH-4, template.HTMLEscapeString(b.Note))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func scale(v, largest domain.Money, span int) int {
	if largest.IsZero() || v.IsNegative() {
		return 0
	}
	w := v.Decimal().Mul(decimal.NewFromInt(int64(span))).Div(largest.Decimal()).IntPart()
	if w == 0 && v.IsPositive() {
		w = 1
	}
	return int(w)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// QRCode draws a QR code of text as inline SVG (one rect per dark module),
// so a phone can open the verify link from a printed notice.
func QRCode(text string) template.HTML {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return ""
	}
	bits := q.Bitmap()
	n := len(bits)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="qr" viewBox="0 0 %d %d" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"><title>核验二维码</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&sb, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	sb.WriteString(`"/></svg>`)
	return template.HTML(sb.String())
}
