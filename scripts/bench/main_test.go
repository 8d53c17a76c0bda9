package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

// summaryLine is the format issue 14 fixes for every figure.
var summaryLine = regexp.MustCompile(`^name=[a-z0-9_]+ value=-?[0-9]+(\.[0-9]+)? unit=\S+ baseline=-?[0-9]+(\.[0-9]+)? ratio=-?[0-9]+\.[0-9]{3}$`)

func TestSummaryLines(t *testing.T) {
	var buf bytes.Buffer
	figure.Print(&buf, []figure.Figure{
		{Name: "commits_64", Value: 30351.4, Unit: "commits/s", Baseline: 4448},
		{Name: "latency_p99_ms", Value: 6.1084, Unit: "ms", Baseline: 1.433},
		{Name: "bytes_per_household", Value: 15718, Unit: "bytes per household"}, // no baseline, a unit with spaces
	})
	want := []string{
		"name=commits_64 value=30351 unit=commits/s baseline=4448 ratio=6.824",
		"name=latency_p99_ms value=6.108 unit=ms baseline=1.433 ratio=4.263",
		"name=bytes_per_household value=15718 unit=bytes_per_household baseline=0 ratio=0.000",
	}
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, got[i], want[i])
		}
		if !summaryLine.MatchString(got[i]) {
			t.Errorf("line %d %q does not match name=<id> value=<number> unit=<unit> baseline=<number> ratio=<number>", i, got[i])
		}
	}
}

// TestSizes keeps -quick smaller than the full run in every size that
// makes it slow, and the batch at the domain's cap in both.
func TestSizes(t *testing.T) {
	q, f := quick(), full()
	if q.duration >= f.duration || q.events >= f.events || q.console.Events >= f.console.Events || q.single >= f.single {
		t.Errorf("quick %+v is not smaller than full %+v", q, f)
	}
	if q.batchLines != f.batchLines {
		t.Errorf("batch lines: quick %d, full %d", q.batchLines, f.batchLines)
	}
}
