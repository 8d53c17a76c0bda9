package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/testutil"
	"github.com/fundledger/fundledger/ledger"
)

// httpExport downloads the ledger's NDJSON export from a server running on
// dir (over real HTTP), as an operator's backup job does, into a file.
func httpExport(t *testing.T, dir, code string) string {
	t.Helper()
	body := servedReads(t, dir, []string{"/v1/ledgers/" + code + "/export?format=ndjson"})[0]
	out := filepath.Join(t.TempDir(), code+".ndjson")
	if err := os.WriteFile(out, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRestoreFromAnHTTPExport: the backup a running server gives
// (GET …/export?format=ndjson) restores into a fresh data dir at the same
// head hash, and verify passes there.
func TestRestoreFromAnHTTPExport(t *testing.T) {
	dir, code := seedDataDir(t)
	file := httpExport(t, dir, code)
	newDir := filepath.Join(t.TempDir(), "restored")
	if _, err := captureStderr(t, func() error { return runRestore([]string{"--from", file, "--data-dir", newDir}) }); err != nil {
		t.Fatal(err)
	}
	want, got := verifyDir(t, dir, code), verifyDir(t, newDir, code)
	if !got.Valid || got.Seq != want.Seq || got.HeadHash != want.HeadHash || got.Seq < 10 {
		t.Fatalf("restored %+v, original %+v", got, want)
	}
	if err := runVerify([]string{"--data-dir", newDir}); err != nil {
		t.Fatalf("verify of the restored dir: %v", err)
	}
}

// TestRestoreIntoANATSCluster: restore --nats-url writes the ledger into a
// 3-node JetStream cluster (stream R3) at the same head hash, writes the
// head witness of the named data dir, and refuses a second restore.
func TestRestoreIntoANATSCluster(t *testing.T) {
	dir, code := seedDataDir(t)
	file := exportNDJSON(t, dir, code)
	want := verifyDir(t, dir, code)
	url := testutil.ClientURL(testutil.StartCluster(t, 3)...)
	serveDir := filepath.Join(t.TempDir(), "node1")
	if _, err := captureStderr(t, func() error {
		return runRestore([]string{"--from", file, "--nats-url", url, "--data-dir", serveDir})
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := flnats.Open(ctx, flnats.Options{URL: url, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, err := ledger.Verify(ctx, store, code)
	if err != nil || !got.Valid || got.Seq != want.Seq || got.HeadHash != want.HeadHash {
		t.Fatalf("cluster after restore: %+v %v, want %+v", got, err, want)
	}
	w, ok, err := ledger.NewWitnessDir(witnessDir(serveDir)).Read(code)
	if err != nil || !ok || w.Seq != want.Seq || w.Hash != want.HeadHash {
		t.Fatalf("witness %+v %v %v, want the restored head", w, ok, err)
	}
	if _, err := captureStderr(t, func() error { return runRestore([]string{"--from", file, "--nats-url", url}) }); exitStatus(err) != 2 {
		t.Fatalf("a second restore into the cluster answered %v, want exit status 2", err)
	}
}

// TestRestoreAppendsALostTailFromAReplica: a data dir whose tail was cut
// off (each way an outside tester cuts one) is restored in place from an
// export of a replica that holds the whole history: only the missing
// commits are appended, verify passes, the head witness agrees, and a
// server started on it is ready (the ledger is no longer quarantined).
func TestRestoreAppendsALostTailFromAReplica(t *testing.T) {
	for _, dc := range damageClasses {
		if dc.name == "flip a byte inside commit 3" {
			continue // a changed commit is a fork: TestRestoreRefusesAFork
		}
		t.Run(dc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSmallLedger(t, dir)
			replica := t.TempDir()
			if err := os.CopyFS(replica, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			file := exportNDJSON(t, replica, "341504")
			dc.damage(t, dir)
			if _, err := verifyOutput(t, dir); exitStatus(err) != 1 {
				t.Fatalf("verify of the damaged dir answered %v, want exit status 1", err)
			}
			stderr, err := captureStderr(t, func() error { return runRestore([]string{"--from", file, "--data-dir", dir}) })
			if err != nil {
				t.Fatalf("restore: %v\n%s", err, stderr)
			}
			if kept := storeHead(t, replica) - 1; dc.name == "truncate the newest block by 300 bytes" && !strings.Contains(stderr, fmt.Sprintf("commits 1–%d in", kept)) {
				t.Fatalf("restore did not check the kept commits 1–%d against the file:\n%s", kept, stderr)
			}
			v, err := verifyOutput(t, dir)
			want := verifyDir(t, replica, "341504")
			if err != nil || !v.Valid || v.Seq != want.Seq || v.HeadHash != want.HeadHash {
				t.Fatalf("verify after restore: %+v %v, want %+v\n%s", v, err, want, stderr)
			}
			w, ok, _ := ledger.NewWitnessDir(witnessDir(dir)).Read("341504")
			if !ok || w.Seq != want.Seq || w.Hash != want.HeadHash {
				t.Fatalf("witness %+v, want %d %s", w, want.Seq, want.HeadHash)
			}
			servedReads(t, dir, []string{"/readyz", "/v1/ledgers/341504/summary"})
		})
	}
}

// TestRestoreRefusesAFork: a store (or a head witness) that holds another
// commit than the file at some sequence is not restored over: restore
// exits 1 naming the sequence, and nothing is appended.
func TestRestoreRefusesAFork(t *testing.T) {
	other := t.TempDir()
	writeSmallLedger(t, other) // the same writes at other times: other hashes
	otherFile := exportNDJSON(t, other, "341504")

	cases := []struct {
		name, names string
		damage      func(t *testing.T, dir string)
		file        func(t *testing.T, dir string) string
	}{
		{"a commit changed in the store", "commit 3", damageClass(t, "flip a byte inside commit 3"),
			func(t *testing.T, dir string) string { return exportOfCopy(t, dir) }},
		{"another history, witness and snapshots gone", "commit 1 differs", func(t *testing.T, dir string) {
			damageClass(t, "truncate the newest block by 300 bytes")(t, dir) // commits 1–3 kept
			for _, d := range []string{"witness", "writer", "projections"} {
				_ = os.RemoveAll(filepath.Join(dir, d))
			}
		}, func(*testing.T, string) string { return otherFile }},
		{"another history, caught by the witness", "head witness", damageClass(t, "delete the newest block"),
			func(*testing.T, string) string { return otherFile }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSmallLedger(t, dir)
			file := c.file(t, dir)
			c.damage(t, dir)
			before := storeHead(t, dir)
			stderr, err := captureStderr(t, func() error { return runRestore([]string{"--from", file, "--data-dir", dir}) })
			if exitStatus(err) != 1 || !strings.Contains(stderr, c.names) {
				t.Fatalf("restore answered %v, want exit status 1 naming %q:\n%s", err, c.names, stderr)
			}
			if after := storeHead(t, dir); after != before {
				t.Fatalf("a refused restore moved the head %d → %d", before, after)
			}
		})
	}
}

// TestRestoreRefusesAnExportOlderThanTheWitness: a file that ends before
// the commit the data dir's head witness vouches for would forget
// acknowledged writes: refused, nothing appended.
func TestRestoreRefusesAnExportOlderThanTheWitness(t *testing.T) {
	dir := t.TempDir()
	writeSmallLedger(t, dir)
	old := filepath.Join(t.TempDir(), "old.ndjson")
	if err := runExport([]string{"--data-dir", exportOfCopyDir(t, dir), "--ledger", "341504", "--seq", "2", "--out", old}); err != nil {
		t.Fatal(err)
	}
	damageClass(t, "delete the whole stream")(t, dir)
	stderr, err := captureStderr(t, func() error { return runRestore([]string{"--from", old, "--data-dir", dir}) })
	if exitStatus(err) != 1 || !strings.Contains(stderr, "file ends at commit 2") {
		t.Fatalf("restore of an older export answered %v:\n%s", err, stderr)
	}
	if h := storeHead(t, dir); h != 0 {
		t.Fatalf("a refused restore wrote %d commits", h)
	}
}

func damageClass(t *testing.T, name string) func(*testing.T, string) {
	for _, dc := range damageClasses {
		if dc.name == name {
			return dc.damage
		}
	}
	t.Fatalf("no damage class %q", name)
	return nil
}

// exportOfCopyDir answers a copy of dir (a replica taken before damage).
func exportOfCopyDir(t *testing.T, dir string) string {
	t.Helper()
	replica := t.TempDir()
	if err := os.CopyFS(replica, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return replica
}

// exportOfCopy answers an NDJSON export of a copy of dir.
func exportOfCopy(t *testing.T, dir string) string {
	t.Helper()
	return exportNDJSON(t, exportOfCopyDir(t, dir), "341504")
}

// storeHead answers the head the data dir's store reports.
func storeHead(t *testing.T, dir string) uint64 {
	t.Helper()
	store, err := openOffline(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h, err := store.Head(context.Background(), "341504")
	if err != nil {
		t.Fatal(err)
	}
	return h
}
