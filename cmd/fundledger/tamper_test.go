package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/ledger"
)

// streamDir is where the embedded JetStream keeps the ledger's stream.
func streamDir(dir string) string {
	return filepath.Join(dir, "jetstream", "$G", "streams", "FUNDLEDGER_341504")
}

// newestBlock answers the path of the stream's last message block file.
func newestBlock(t *testing.T, dir string) string {
	t.Helper()
	blks, _ := filepath.Glob(filepath.Join(streamDir(dir), "msgs", "*.blk"))
	if len(blks) == 0 {
		t.Fatalf("no block files under %s", streamDir(dir))
	}
	slices.SortFunc(blks, func(a, b string) int {
		ia, _ := os.Stat(a)
		ib, _ := os.Stat(b)
		return ia.ModTime().Compare(ib.ModTime())
	})
	return blks[len(blks)-1]
}

// damageClasses are the ways an outside tester damaged a data dir, each with
// the first sequence verify must name (0: any sequence ≤ the head).
var damageClasses = []struct {
	name     string
	firstBad uint64
	damage   func(t *testing.T, dir string)
}{
	{"truncate the newest block by 300 bytes", 0, func(t *testing.T, dir string) {
		blk := newestBlock(t, dir)
		st, _ := os.Stat(blk)
		if err := os.Truncate(blk, st.Size()-300); err != nil {
			t.Fatal(err)
		}
	}},
	{"delete the newest block", 0, func(t *testing.T, dir string) {
		if err := os.Remove(newestBlock(t, dir)); err != nil {
			t.Fatal(err)
		}
	}},
	{"delete the newest block and the stream index", 0, func(t *testing.T, dir string) {
		if err := os.Remove(newestBlock(t, dir)); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(filepath.Join(streamDir(dir), "msgs", "index.db"))
	}},
	{"flip a byte inside commit 3", 3, func(t *testing.T, dir string) {
		blks, _ := filepath.Glob(filepath.Join(streamDir(dir), "msgs", "*.blk"))
		for _, blk := range blks {
			b, _ := os.ReadFile(blk)
			if i := bytes.Index(b, []byte(`"300.00"`)); i >= 0 {
				b[i+1] = '9'
				if err := os.WriteFile(blk, b, 0o600); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatal("commit 3's amount not found in any block")
	}},
	{"delete the whole stream", 1, func(t *testing.T, dir string) {
		if err := os.RemoveAll(streamDir(dir)); err != nil {
			t.Fatal(err)
		}
	}},
}

// TestEveryDamageClassIsCaughtAndRefusesWrites damages a real data dir each
// way, then checks that verify exits 1 naming a sequence at or before the
// lost head, that a writer (as serve runs it) refuses with ledger_damaged,
// and that no commit ever lands at a lost sequence.
func TestEveryDamageClassIsCaughtAndRefusesWrites(t *testing.T) {
	for _, dc := range damageClasses {
		t.Run(dc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSmallLedger(t, dir)
			dc.damage(t, dir)

			v, err := verifyOutput(t, dir)
			var code exitError
			if !errors.As(err, &code) || code != 1 {
				t.Fatalf("verify returned %v (%+v), want exit status 1", err, v)
			}
			if v.Valid || v.FirstBadSeq == nil || *v.FirstBadSeq == 0 || *v.FirstBadSeq > 4 {
				t.Fatalf("verify answered %+v, want a first_bad_seq within 1..4", v)
			}
			if dc.firstBad != 0 && *v.FirstBadSeq != dc.firstBad {
				t.Fatalf("first_bad_seq %d, want %d (%s)", *v.FirstBadSeq, dc.firstBad, v.Problem)
			}

			// The offline readers refuse too: no figure from a shorter ledger.
			for _, run := range []func() error{
				func() error { return runReplay([]string{"--data-dir", dir, "--ledger", "341504"}) },
				func() error {
					return runExport([]string{"--data-dir", dir, "--ledger", "341504", "--format", "csv", "--out", filepath.Join(t.TempDir(), "x.csv")})
				},
			} {
				if _, err := captureStderr(t, run); exitStatus(err) != 1 {
					t.Fatalf("an offline reader of a damaged ledger answered %v, want exit status 1", err)
				}
			}

			ctx := context.Background()
			store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			m := ledger.NewManager(store, ledger.Options{Logger: quiet, WitnessDir: witnessDir(dir)})
			defer m.Close()
			if err := m.OpenAll(ctx); err != nil {
				t.Fatalf("OpenAll: %v", err)
			}
			if _, ok := m.Damaged("341504"); !ok {
				t.Fatal("the manager did not find the ledger damaged at start")
			}
			before, _ := store.Head(ctx, "341504")
			for _, c := range []domain.Command{
				domain.Allocate{ID: "A9", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"},
				domain.OpenLedger{Code: "341504", Name: "某县"},
			} {
				_, err = m.Submit(ctx, "341504", ledger.Request{Command: c, Actor: "t", IdempotencyKey: "k-" + c.CommandName()})
				if !errors.Is(err, ledger.ErrDamaged) {
					t.Fatalf("%s on a damaged ledger: %v, want ledger_damaged", c.CommandName(), err)
				}
			}
			if after, _ := store.Head(ctx, "341504"); after != before {
				t.Fatalf("store head moved %d → %d on a damaged ledger", before, after)
			}
			// Another ledger of the same data dir keeps working.
			if _, err := m.Submit(ctx, "", ledger.Request{Command: domain.OpenLedger{Code: "341502", Name: "另一县"}, Actor: "t"}); err != nil {
				t.Fatalf("another ledger: %v", err)
			}
		})
	}
}

// TestVerifyCatchesAnEditedSnapshot: a figure edited inside a projection
// snapshot makes verify exit 1 naming the snapshot's sequence, although
// the log itself verifies; the server discards such a snapshot (see
// projections' integrity tests), so it never reaches a page.
func TestVerifyCatchesAnEditedSnapshot(t *testing.T) {
	dir := t.TempDir()
	writeSmallLedger(t, dir)
	if _, err := captureStderr(t, func() error { return runRebuild([]string{"--data-dir", dir}) }); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "projections", "341504", "snap-*.json"))
	if len(snaps) != 1 {
		t.Fatalf("snapshots %v, want one", snaps)
	}
	if v, err := verifyOutput(t, dir); err != nil || !v.Valid {
		t.Fatalf("untouched: %+v %v", v, err)
	}
	b, _ := os.ReadFile(snaps[0])
	edited := bytes.Replace(b, []byte(`"300.00"`), []byte(`"900.00"`), 1)
	if bytes.Equal(edited, b) {
		t.Fatal("no figure 300.00 in the snapshot")
	}
	if err := os.WriteFile(snaps[0], edited, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := verifyOutput(t, dir)
	if exitStatus(err) != 1 || v.Valid || v.FirstBadSeq == nil || *v.FirstBadSeq != 4 {
		t.Fatalf("verify of an edited snapshot: %+v %v, want exit 1 naming seq 4", v, err)
	}
}

// TestSnapshotVouchesWhenTheWitnessIsGoneToo: the stream's newest block and
// the head witness are both deleted; the projection snapshot built at the
// lost head still names what is missing.
func TestSnapshotVouchesWhenTheWitnessIsGoneToo(t *testing.T) {
	dir := t.TempDir()
	writeSmallLedger(t, dir)
	if _, err := captureStderr(t, func() error { return runRebuild([]string{"--data-dir", dir}) }); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if err := os.RemoveAll(witnessDir(dir)); err != nil {
		t.Fatal(err)
	}
	blk := newestBlock(t, dir)
	st, _ := os.Stat(blk)
	if err := os.Truncate(blk, st.Size()-300); err != nil {
		t.Fatal(err)
	}
	v, err := verifyOutput(t, dir)
	if exitStatus(err) != 1 || v.Valid || v.FirstBadSeq == nil || *v.FirstBadSeq != 4 {
		t.Fatalf("verify: %+v %v, want exit 1 naming commit 4", v, err)
	}
}
