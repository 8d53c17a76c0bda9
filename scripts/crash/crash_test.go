package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/internal/testutil"
)

// TestCrashCyclesLoseNothing is the harness in small: three SIGKILLs in the
// middle of concurrent writes, each followed by the full check, and the
// offline replay at the end.
func TestCrashCyclesLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills fundledger servers; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	var out bytes.Buffer
	res, err := run(ctx, config{cycles: 3, writers: 16, seed: 42, cycleTimeout: 30 * time.Second,
		maxDelay: 600 * time.Millisecond, sample: 8}, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.cycles != 3 || res.lost != 0 || res.duplicated != 0 {
		t.Fatalf("got %s", res)
	}
	if res.acked <= len(setupOps()) {
		t.Fatalf("only %d writes acknowledged: the cycles wrote nothing", res.acked)
	}
	if !regexp.MustCompile(`^cycles=3 acked=\d+ lost=0 duplicated=0$`).MatchString(res.String()) {
		t.Fatalf("last line %q", res)
	}
	if n := strings.Count(out.String(), "verify ok"); n != 3 {
		t.Fatalf("%d cycles reported a verified chain, want 3", n)
	}
}

// TestCancelledRunLeavesNothingBehind interrupts a run as ^C would, just
// after the first restart became ready (so that no cycle is about to kill
// the server anyway), and checks that no server is left on its data dir and
// that its files are gone.
func TestCancelledRunLeavesNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a fundledger server; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	out := &testutil.SyncBuffer{}
	var dataDir string
	_, err := run(ctx, config{cycles: 3, writers: 4, seed: 1, cycleTimeout: 30 * time.Second,
		maxDelay: 300 * time.Millisecond, sample: 1, started: func(n int) {
			if m := regexp.MustCompile(`data dir (\S+)`).FindStringSubmatch(out.String()); m != nil {
				dataDir = m[1]
			}
			if n == 2 {
				if pids := serversOn(dataDir); len(pids) != 1 {
					t.Errorf("%d servers on the data dir after the restart, want 1: %v", len(pids), pids)
				}
				cancel()
			}
		}}, out)
	if err == nil || ctx.Err() != context.Canceled {
		t.Fatalf("run answered %v, context %v: want it cancelled\n%s", err, ctx.Err(), out.String())
	}
	if dataDir == "" {
		t.Fatalf("no data dir printed:\n%s", out.String())
	}
	if pids := serversOn(dataDir); len(pids) > 0 {
		t.Fatalf("servers still running on %s: %v", dataDir, pids)
	}
	if _, err := os.Stat(filepath.Dir(dataDir)); !os.IsNotExist(err) {
		t.Fatalf("temporary directory %s left behind (%v)", filepath.Dir(dataDir), err)
	}
}

// serversOn lists the pids whose command line names dataDir (Linux /proc).
func serversOn(dataDir string) []string {
	var pids []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(dataDir)) {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}

func TestIDNumbersCarryTheGB11643CheckCharacter(t *testing.T) {
	// The standard's own example, and one whose check character is X.
	for first17, want := range map[string]byte{"11010519491231002": 'X', "44052418800101001": '4'} {
		if got := idCheck(first17); got != want {
			t.Errorf("idCheck(%s) = %c, want %c", first17, got, want)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < 3000; i++ {
		id := idNumber(ledgerCode, i)
		if len(id) != 18 || !strings.HasPrefix(id, ledgerCode) || idCheck(id[:17]) != id[17] || seen[id] {
			t.Fatalf("idNumber(%d) = %s: not a fresh valid number", i, id)
		}
		seen[id] = true
	}
}
