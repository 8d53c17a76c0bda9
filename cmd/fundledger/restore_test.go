package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
)

// captureStderr runs fn with os.Stderr going to a file, and answers what
// fn wrote there.
func captureStderr(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = f
	err = fn()
	os.Stderr = old
	b, _ := os.ReadFile(f.Name())
	f.Close()
	return string(b), err
}

// exportNDJSON exports the ledger of dir as NDJSON and answers the file.
func exportNDJSON(t *testing.T, dir, code string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), code+".ndjson")
	if err := runExport([]string{"--data-dir", dir, "--ledger", code, "--out", out}); err != nil {
		t.Fatal(err)
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReplayFromFileEqualsReplayFromStore: replaying an NDJSON export
// alone gives the same summary and balances as replaying the store, at
// the head and at cuts, and opens no data dir.
func TestReplayFromFileEqualsReplayFromStore(t *testing.T) {
	dir, code := seedDataDir(t)
	file := exportNDJSON(t, dir, code)
	noDir := filepath.Join(t.TempDir(), "absent")
	for _, cut := range [][]string{nil, {"--seq", "10"}, {"--as-of", "2019-06-30"}, {"--as-of", "2019-01-01"}} {
		fromStore := filepath.Join(t.TempDir(), "store.json")
		fromFile := filepath.Join(t.TempDir(), "file.json")
		if err := runReplay(append([]string{"--data-dir", dir, "--ledger", code, "--out", fromStore}, cut...)); err != nil {
			t.Fatal(err)
		}
		if err := runReplay(append([]string{"--from", file, "--data-dir", noDir, "--out", fromFile}, cut...)); err != nil {
			t.Fatal(err)
		}
		if a, b := readFile(t, fromStore), readFile(t, fromFile); a != b || len(a) < 100 {
			t.Fatalf("cut %v: replay --from differs from the store's replay:\n%.400s\n---\n%.400s", cut, a, b)
		}
	}
	if _, err := os.Stat(noDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("replay --from created or touched a data dir: %v", err)
	}
}

// TestReplayFromTamperedFileNamesLineAndCommit: a changed amount in the
// file is reported by line and commit, with exit status 1.
func TestReplayFromTamperedFileNamesLineAndCommit(t *testing.T) {
	dir, code := seedDataDir(t)
	file := exportNDJSON(t, dir, code)
	lines := strings.SplitAfter(readFile(t, file), "\n")
	k := 0
	for i := 10; i < len(lines) && k == 0; i++ {
		if strings.Contains(lines[i], `"amount":"1`) {
			k = i + 1
		}
	}
	lines[k-1] = strings.Replace(lines[k-1], `"amount":"1`, `"amount":"9`, 1)
	bad := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr, err := captureStderr(t, func() error { return runReplay([]string{"--from", bad}) })
	var ex exitError
	if !errors.As(err, &ex) || ex != 1 {
		t.Fatalf("answered %v, want exit status 1", err)
	}
	if want := "line " + strconv.Itoa(k) + " (commit " + strconv.Itoa(k) + "): hash does not match"; !strings.Contains(stderr, want) {
		t.Fatalf("stderr does not say %q:\n%s", want, stderr)
	}
	// restore refuses it too, before creating anything.
	newDir := filepath.Join(t.TempDir(), "new")
	_, err = captureStderr(t, func() error { return runRestore([]string{"--from", bad, "--data-dir", newDir}) })
	if !errors.As(err, &ex) || ex != 1 {
		t.Fatalf("restore of a tampered file answered %v, want exit status 1", err)
	}
	if _, err := os.Stat(newDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("restore of a tampered file created %s", newDir)
	}
}

// TestRestoreRebuildsTheSameLedger: restoring an export into a new data
// dir gives a ledger that verifies with the same head hash and that a
// server answers exactly as it answered from the original; a second
// restore into the same dir is refused with exit status 2.
func TestRestoreRebuildsTheSameLedger(t *testing.T) {
	dir, code := seedDataDir(t)
	file := exportNDJSON(t, dir, code)
	newDir := filepath.Join(t.TempDir(), "restored")
	if err := runRestore([]string{"--from", file, "--data-dir", newDir, "--ledger", code}); err != nil {
		t.Fatal(err)
	}
	want, got := verifyDir(t, dir, code), verifyDir(t, newDir, code)
	if !got.Valid || got.Seq != want.Seq || got.HeadHash != want.HeadHash {
		t.Fatalf("restored: %+v, original: %+v", got, want)
	}
	if err := runVerify([]string{"--data-dir", newDir}); err != nil {
		t.Fatalf("verify of the restored dir: %v", err)
	}

	L := "/v1/ledgers/" + code
	paths := []string{L + "/summary", L + "/balances/projects/P001", L + "/balances/funds/" + firstFund(t, file), L + "/verify", L + "/export?format=ndjson"}
	orig, restored := servedReads(t, dir, paths), servedReads(t, newDir, paths)
	for i, p := range paths {
		if orig[i] != restored[i] {
			t.Errorf("%s differs after restore:\n%.300s\n---\n%.300s", p, orig[i], restored[i])
		}
	}
	if restored[4] != readFile(t, file) {
		t.Errorf("the restored ledger's export is not the file it was restored from")
	}

	_, err := captureStderr(t, func() error { return runRestore([]string{"--from", file, "--data-dir", newDir}) })
	var ex exitError
	if !errors.As(err, &ex) || ex != 2 {
		t.Fatalf("a second restore answered %v, want exit status 2", err)
	}
	_, err = captureStderr(t, func() error { return runRestore([]string{"--from", file}) })
	if !errors.As(err, &ex) || ex != 2 {
		t.Fatalf("restore without --data-dir answered %v, want exit status 2", err)
	}
	_, err = captureStderr(t, func() error {
		return runRestore([]string{"--from", file, "--data-dir", t.TempDir(), "--ledger", "110101"})
	})
	if err == nil {
		t.Fatal("restore of a file into another ledger code was accepted")
	}
}

// TestExportRefusesMissingDataDir: export never creates a store.
func TestExportRefusesMissingDataDir(t *testing.T) {
	noDir := filepath.Join(t.TempDir(), "absent")
	_, err := captureStderr(t, func() error {
		return runExport([]string{"--data-dir", noDir, "--ledger", "341504", "--format", "ndjson", "--out", filepath.Join(t.TempDir(), "x.ndjson")})
	})
	if exitStatus(err) != 2 {
		t.Fatalf("answered %v, want exit status 2", err)
	}
	if _, err := os.Stat(noDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("export created %s", noDir)
	}
}

// TestRestoreSplitsGroupsTheStoreFindsTooLarge: a group over the store's
// limit for one atomic write is halved until it fits; nothing is lost or
// repeated.
func TestRestoreSplitsGroupsTheStoreFindsTooLarge(t *testing.T) {
	store := memory.NewWithLimit(250)
	var recs [][]byte
	for i := range 10 {
		recs = append(recs, []byte(strings.Repeat(string(rune('a'+i)), 100)))
	}
	n, err := appendSplit(context.Background(), store, "341504", 0, recs)
	if err != nil || n != 10 {
		t.Fatalf("stored %d: %v", n, err)
	}
	if head, _ := store.Head(context.Background(), "341504"); head != 10 {
		t.Fatalf("head %d", head)
	}
}

func verifyDir(t *testing.T, dir, code string) ledger.Verification {
	t.Helper()
	store, err := openOffline(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	v, err := ledger.Verify(context.Background(), store, code)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// firstFund answers the id of the file's first allocation.
func firstFund(t *testing.T, file string) string {
	t.Helper()
	s := readFile(t, file)
	i := strings.Index(s, `"type":"fund.allocated","data":{"id":"`)
	if i < 0 {
		t.Fatal("no allocation in the file")
	}
	s = s[i+len(`"type":"fund.allocated","data":{"id":"`):]
	return s[:strings.IndexByte(s, '"')]
}

// servedReads starts the API on dir, as serve does, answers the bodies of
// paths read with an admin token, and stops it.
func servedReads(t *testing.T, dir string, paths []string) []string {
	t.Helper()
	const admin = "restore-test-admin"
	n, err := node.Open(context.Background(), node.Config{DataDir: dir, AdminToken: admin, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	n.Start()
	hs := httptest.NewServer(n.Server)
	defer hs.Close()
	var out []string
	for _, p := range paths {
		req, _ := http.NewRequest("GET", hs.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v %s", p, res.StatusCode, err, b)
		}
		out = append(out, string(b))
	}
	return out
}
