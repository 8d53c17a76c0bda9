// Package figure is what every benchmark answers: one measured figure next
// to a baseline measured in the same run on the same cores, printed as one
// line
//
//	name=<id> value=<number> unit=<unit> baseline=<number> ratio=<number>
//
// so that runs on a noisy shared machine are compared by their ratios.
package figure

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Figure is one measurement and its same-run baseline (0: none).
type Figure struct {
	Name     string
	Value    float64
	Unit     string
	Baseline float64
}

// Ratio answers Value ÷ Baseline, 0 without a baseline.
func (f Figure) Ratio() float64 {
	if f.Baseline == 0 {
		return 0
	}
	return f.Value / f.Baseline
}

// Line answers the figure's summary line (no newline). Spaces in a name or
// unit would break the key=value format, so they become underscores.
func (f Figure) Line() string {
	clean := func(s string) string { return strings.ReplaceAll(s, " ", "_") }
	return fmt.Sprintf("name=%s value=%s unit=%s baseline=%s ratio=%.3f",
		clean(f.Name), Num(f.Value), clean(f.Unit), Num(f.Baseline), f.Ratio())
}

// Num prints a number plainly: whole above 100 or when whole, else to three
// decimals.
func Num(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// Print writes one line per figure.
func Print(w io.Writer, figs []Figure) {
	for _, f := range figs {
		fmt.Fprintln(w, f.Line())
	}
}

// Loadavg answers the first three fields of /proc/loadavg (Linux), or n/a.
func Loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}
