package domain

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unsafe"
)

// TestCopiedWriteKeepsItsRarePart: a Write is a value whose rare part
// copies share; reversing a write must give the state's copy a new rare
// part, never change the shared one, or a copy taken before (and any
// write sharing it) would change with it.
func TestCopiedWriteKeepsItsRarePart(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	b.must(ApproveProject{ID: "P1", Name: "项目", Village: "V001", Category: "industry", Batch: "1", Budget: "5000.00", ApprovalDoc: "d"})
	b.must(Appropriate{ID: "W1", Project: "P1", Fund: "A1", Amount: "1000.00"})
	b.must(Reverse{ID: "R1", Reverses: "W1", Reason: "冲正"})
	before, rev := b.s.Writes["W1"], b.s.Writes["R1"]
	if before.rare == nil || rev.rare == nil {
		t.Fatal("test needs writes with a rare part")
	}
	b.must(Reverse{ID: "R2", Reverses: "R1", Reason: "冲正"})
	if got := b.s.Writes["R1"].ReversedBy(); got != "R2" {
		t.Fatalf("R1 reversed by %q, want R2", got)
	}
	if rev.ReversedBy() != "" || rev.Reverses() != "W1" {
		t.Fatalf("a copy of R1 taken before its reversal changed: reversed by %q, reverses %q", rev.ReversedBy(), rev.Reverses())
	}
	if before.ReversedBy() != "R1" || before.Project() != "P1" {
		t.Fatalf("a copy of W1 changed: reversed by %q, project %q", before.ReversedBy(), before.Project())
	}
	if b.s.Projects["P1"].Appropriated.String() != "1000.00" {
		t.Fatalf("appropriated %s after a reversal of its reversal, want 1000.00", b.s.Projects["P1"].Appropriated)
	}
}

// TestWriteStaysSmall: a ledger keeps one Write per money write, in a map
// by value; 32 bytes is what issue 14 measured with (an int64 amount, two
// account indexes, the rare part, the kind and two flags).
func TestWriteStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(Write{}); n > 32 {
		t.Fatalf("a Write is %d bytes, want at most 32", n)
	}
}

// TestDecodeStateRefusesAnAccountNumberBeyondTheTable: a write names its
// accounts by number; a number the table does not hold is damage, never
// an index out of range or another account.
func TestDecodeStateRefusesAnAccountNumberBeyondTheTable(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	var buf bytes.Buffer
	if err := EncodeState(&buf, b.s); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	if _, err := DecodeState(strings.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^(A1\t.*\tt\t\d+\t)\d+$`)
	if !re.MatchString(good) {
		t.Fatalf("test needs A1 as a transfer:\n%s", good)
	}
	for _, n := range []string{"99", "-1", "x", "4294967296"} {
		damaged := re.ReplaceAllString(good, "${1}"+n)
		if _, err := DecodeState(strings.NewReader(damaged)); err == nil {
			t.Fatalf("account number %s decoded", n)
		}
	}
}
