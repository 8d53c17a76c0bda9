package export_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/export"
	"github.com/fundledger/fundledger/internal/scenario"
	"github.com/fundledger/fundledger/projections"
)

var (
	seedOnce  sync.Once
	seedStore *memory.Store
	seedCode  string
	seedErr   error
)

// seeded answers a memory store holding a small version of seed 001.
func seeded(t *testing.T) (*memory.Store, string) {
	t.Helper()
	seedOnce.Do(func() {
		spec, err := scenario.Load(filepath.Join("..", "testdata", "seed001.json"))
		if err != nil {
			seedErr = err
			return
		}
		spec.Households = 30
		plan, err := scenario.Build(spec)
		if err != nil {
			seedErr = err
			return
		}
		seedStore, seedCode = memory.New(), plan.Ledger
		seedErr = scenario.Run(context.Background(), seedStore, plan)
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedStore, seedCode
}

func ndjson(t *testing.T, store eventstore.Store, code string) []string {
	t.Helper()
	f, _ := export.Lookup("ndjson")
	var buf bytes.Buffer
	if _, err := export.Write(context.Background(), store, code, 0, f, &buf); err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

// TestNDJSONLinesAreTheStoredRecords: each line is the record byte for
// byte, and re-hashes to its own hash.
func TestNDJSONLinesAreTheStoredRecords(t *testing.T) {
	store, code := seeded(t)
	lines := ndjson(t, store, code)
	n := 0
	err := store.Read(context.Background(), code, 1, func(r eventstore.Record) error {
		n++
		if got := strings.TrimSuffix(lines[r.Seq-1], "\n"); got != string(r.Data) {
			t.Fatalf("line %d differs from the stored record", r.Seq)
		}
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil || c.ComputeHash() != c.Hash {
			t.Fatalf("line %d does not re-hash: %v", r.Seq, err)
		}
		return nil
	})
	if err != nil || n != len(lines) || n < 50 {
		t.Fatalf("%d records, %d lines: %v", n, len(lines), err)
	}
}

// TestReadNDJSONNamesEveryTampering: whatever is done to an export, the
// reader names the line and the commit where the chain stops.
func TestReadNDJSONNamesEveryTampering(t *testing.T) {
	store, code := seeded(t)
	lines := ndjson(t, store, code)
	// k is a money commit well inside the file.
	k := 0
	for i := 20; i < len(lines); i++ {
		if strings.Contains(lines[i], `"amount":"`) {
			k = i + 1
			break
		}
	}
	if k == 0 {
		t.Fatal("no money commit after line 20")
	}
	edit := func(f func(l []string) []string) string {
		return strings.Join(f(append([]string(nil), lines...)), "")
	}
	reseal := func(line string, change func(*domain.Commit)) string {
		c, err := domain.UnmarshalCommit([]byte(strings.TrimSuffix(line, "\n")))
		if err != nil {
			t.Fatal(err)
		}
		change(c)
		c.Seal()
		b, _ := c.Marshal()
		return string(b) + "\n"
	}
	cases := []struct {
		name   string
		file   string
		line   int
		seq    uint64
		reason string
	}{
		{"changed amount", edit(func(l []string) []string {
			i := strings.Index(l[k-1], `"amount":"`) + len(`"amount":"`)
			l[k-1] = l[k-1][:i] + "9" + l[k-1][i:]
			return l
		}), k, uint64(k), "hash does not match"},
		{"removed line", edit(func(l []string) []string { return append(l[:k-1], l[k:]...) }), k, uint64(k), "holds commit"},
		{"reordered lines", edit(func(l []string) []string { l[k-1], l[k] = l[k], l[k-1]; return l }), k, uint64(k), "holds commit"},
		{"repeated line", edit(func(l []string) []string { return append(l[:k], l[k-1:]...) }), k + 1, uint64(k + 1), "holds commit"},
		{"bad hash", edit(func(l []string) []string {
			c, _ := domain.UnmarshalCommit([]byte(strings.TrimSuffix(l[k-1], "\n")))
			l[k-1] = strings.Replace(l[k-1], c.Hash, strings.Repeat("0", 64), 1)
			return l
		}), k, uint64(k), "hash does not match"},
		{"changed and re-hashed", edit(func(l []string) []string {
			l[k-1] = reseal(l[k-1], func(c *domain.Commit) { c.Actor = "mallory" })
			return l
		}), k + 1, uint64(k + 1), "prev_hash"},
		{"cut mid-line", edit(func(l []string) []string {
			l[len(l)-1] = l[len(l)-1][:40]
			return l
		}), len(lines), uint64(len(lines)), "not a commit"},
		{"blank line", edit(func(l []string) []string { return append(l[:k-1], append([]string{"\n"}, l[k-1:]...)...) }), k, uint64(k), "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			applied := 0
			_, _, err := export.ReadNDJSON(strings.NewReader(tc.file), "", projections.Cut{}, func(export.Line) error { applied++; return nil })
			var fe *export.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("answered %v, want a FileError", err)
			}
			if fe.Line != tc.line || fe.Seq != tc.seq || !strings.Contains(fe.Reason, tc.reason) {
				t.Fatalf("%v; want line %d commit %d, reason with %q", fe, tc.line, tc.seq, tc.reason)
			}
			if applied != tc.line-1 {
				t.Fatalf("%d commits handed on before the bad line %d", applied, tc.line)
			}
		})
	}
	// The untouched file, with CRLF line ends, proves itself.
	_, res, err := export.ReadNDJSON(strings.NewReader(strings.ReplaceAll(strings.Join(lines, ""), "\n", "\r\n")), code, projections.Cut{}, func(export.Line) error { return nil })
	if err != nil || res.Seq != uint64(len(lines)) {
		t.Fatalf("untouched file: %v, %+v", err, res)
	}
	// A file of another ledger is refused when one is asked for.
	if _, _, err := export.ReadNDJSON(strings.NewReader(strings.Join(lines, "")), "110101", projections.Cut{}, func(export.Line) error { return nil }); err == nil {
		t.Fatal("a file of another ledger was accepted")
	}
}

// TestCutsAgreeBetweenStoreAndFile: Resolve's time cut, found by binary
// search in the store, ends where reading the file with the same cut
// ends, and where a plain scan of commit times says.
func TestCutsAgreeBetweenStoreAndFile(t *testing.T) {
	store, code := seeded(t)
	lines := ndjson(t, store, code)
	file := strings.Join(lines, "")
	var times []time.Time
	for _, l := range lines {
		c, _ := domain.UnmarshalCommit([]byte(strings.TrimSuffix(l, "\n")))
		times = append(times, c.Time)
	}
	for _, i := range []int{0, 1, len(times) / 3, len(times) / 2, len(times) - 1} {
		for _, at := range []time.Time{times[i], times[i].Add(-time.Nanosecond)} {
			want := uint64(0)
			for j, t0 := range times {
				if !t0.After(at) {
					want = uint64(j + 1)
				}
			}
			cut := projections.Cut{Time: at}
			got, err := export.Resolve(context.Background(), store, code, cut)
			if want == 0 {
				if !errors.Is(err, export.ErrBeforeFirst) {
					t.Errorf("before the first commit: %d, %v", got, err)
				}
			} else if err != nil || got != want {
				t.Errorf("as of %s: resolved %d (%v), want %d", at, got, err, want)
			}
			_, res, err := export.ReadNDJSON(strings.NewReader(file), code, cut, func(export.Line) error { return nil })
			if err != nil || res.Seq != want {
				t.Errorf("file as of %s: %d (%v), want %d", at, res.Seq, err, want)
			}
		}
	}
	if _, err := export.Resolve(context.Background(), store, code, projections.Cut{Seq: uint64(len(lines)) + 1}); !errors.Is(err, export.ErrBeyondHead) {
		t.Errorf("past the head: %v", err)
	}
	if _, err := export.Resolve(context.Background(), store, "110101", projections.Cut{}); !errors.Is(err, export.ErrUnknownLedger) {
		t.Errorf("unknown ledger: %v", err)
	}
	_, res, err := export.ReadNDJSON(strings.NewReader(file), code, projections.Cut{Seq: 7}, func(export.Line) error { return nil })
	if err != nil || res.Seq != 7 {
		t.Errorf("file to seq 7: %+v, %v", res, err)
	}
	if _, _, err := export.ReadNDJSON(strings.NewReader(file), code, projections.Cut{Seq: uint64(len(lines)) + 1}, func(export.Line) error { return nil }); err == nil {
		t.Errorf("a cut past the file's end was accepted")
	}
}
