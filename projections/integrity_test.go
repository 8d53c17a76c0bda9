package projections

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/internal/safefile"
	"github.com/fundledger/fundledger/internal/scenario"
)

// editVisibleFigure edits one money figure of a snapshot file, choosing
// one that changes what the public pages would print had the file been
// trusted as it is, and answers the edited bytes.
func editVisibleFigure(t *testing.T, path string, want string) []byte {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for nth := 0; nth < len(amountRE.FindAllIndex(orig, -1)); nth++ {
		b := editFigure(t, path, nth)
		if publicView(t, decodeUnchecked(t, b)) != want {
			return b
		}
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("no figure of %s shows on a public page", path)
	return nil
}

// resign recomputes a snapshot file's digest after an edit, as an attacker
// who knows the format would; with key, the signature too.
func resign(t *testing.T, path string, key []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body := b[:len(b)-trailerLen]
	var tr snapTrailer
	if err := json.Unmarshal(b[len(body):], &tr); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	mac := tr.HMAC
	if key != nil {
		mac = fmt.Sprintf("%x", snapMAC(key, sum[:]))
	}
	out := fmt.Appendf(append([]byte(nil), body...), `{"sha256":"%x","hmac":"%s"}`+"\n", sum, mac)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestEditedSnapshotIsNeverServed edits one figure in two snapshot files
// (the checkpoint and an older one) and restarts the projector on the same
// store: the figure never reaches a read, live or as of either snapshot's
// seq; each file is named in a warning and removed; every answer equals a
// fresh replay of the log.
func TestEditedSnapshotIsNeverServed(t *testing.T) {
	ctx := testCtx(t)
	store := openNATS(t, ctx)
	plan := seedPlan(t, nil)
	if err := scenario.Run(ctx, store, plan); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := snapshotLedger(t, ctx, store, plan.Ledger, dir)
	metas := p.snaps.metas(plan.Ledger)
	edited := []snapMeta{metas[len(metas)-1], metas[len(metas)/2]}
	for _, meta := range edited {
		editVisibleFigure(t, p.snaps.file(meta), publicView(t, freshAt(t, ctx, store, plan.Ledger, Cut{Seq: meta.Seq})))
	}

	logs := &logBuffer{}
	p2 := New(store, Options{Dir: dir, Logger: logs.logger()})
	stop := runProjector(t, p2)
	defer stop()
	head, _ := store.Head(ctx, plan.Ledger)
	if err := p2.WaitFor(ctx, plan.Ledger, head); err != nil {
		t.Fatal(err)
	}
	for _, cut := range []Cut{{}, {Seq: edited[0].Seq}, {Seq: edited[1].Seq}, {Seq: edited[1].Seq + 1}} {
		want := freshAt(t, ctx, store, plan.Ledger, cut)
		err := p2.Read(ctx, plan.Ledger, cut, func(m *Model) error {
			if m.Fingerprint() != want.Fingerprint() || publicView(t, m) != publicView(t, want) {
				t.Errorf("as of %v: the projector serves other figures than a fresh replay of the log", cut)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, meta := range edited {
		file := p.snaps.file(meta)
		if !strings.Contains(logs.String(), "snapshot discarded") || !strings.Contains(logs.String(), file) {
			t.Errorf("no warning names the edited snapshot %s; log:\n%s", file, logs)
		}
		if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the edited snapshot %s is still there (%v)", file, err)
		}
	}
}

// TestResignedSnapshot edits a figure and recomputes the snapshot's digest.
// Without the directory's key the signature gives it away on load; with
// the key (someone who can read the data dir) only a refold does:
// DeepCheck names the file and its seq in both cases, and finds nothing
// wrong in untouched snapshots.
func TestResignedSnapshot(t *testing.T) {
	ctx := testCtx(t)
	store := openNATS(t, ctx)
	plan := seedPlan(t, nil)
	if err := scenario.Run(ctx, store, plan); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := snapshotLedger(t, ctx, store, plan.Ledger, dir)
	metas := p.snaps.metas(plan.Ledger)

	res, err := DeepCheck(ctx, store, dir, plan.Ledger)
	if err != nil || !res.OK() || res.Checked != len(metas) || res.Seq != metas[len(metas)-1].Seq {
		t.Fatalf("deep check of untouched snapshots: %+v, %v; want %d checked, none bad", res, err, len(metas))
	}

	key, err := readKey(dir)
	if err != nil || key == nil {
		t.Fatalf("key: %v", err)
	}
	noKey, withKey := metas[len(metas)-1], metas[len(metas)-2]
	for _, meta := range []snapMeta{noKey, withKey} {
		editVisibleFigure(t, p.snaps.file(meta), publicView(t, freshAt(t, ctx, store, plan.Ledger, Cut{Seq: meta.Seq})))
	}
	resign(t, p.snaps.file(noKey), nil)
	resign(t, p.snaps.file(withKey), key)

	res, err = DeepCheck(ctx, store, dir, plan.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bad) != 2 || res.OK() {
		t.Fatalf("deep check found %+v; want the two edited snapshots", res.Bad)
	}
	for i, c := range []struct {
		meta snapMeta
		says string
	}{{withKey, "content differs from a refold"}, {noKey, "signature"}} {
		b := res.Bad[i]
		if b.File != p.snaps.file(c.meta) || b.Seq != c.meta.Seq || !strings.Contains(b.Problem, c.says) {
			t.Errorf("deep check: %+v; want %s at seq %d: %s", b, p.snaps.file(c.meta), c.meta.Seq, c.says)
		}
	}

	// A restart refuses the snapshot re-signed without the key. (One
	// re-signed with the key would be served: only DeepCheck finds it, so
	// it goes first.)
	if err := os.Remove(p.snaps.file(withKey)); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	p2 := New(store, Options{Dir: dir, Logger: logs.logger()})
	stop := runProjector(t, p2)
	defer stop()
	if err := p2.WaitFor(ctx, plan.Ledger, noKey.Seq); err != nil {
		t.Fatal(err)
	}
	want := freshAt(t, ctx, store, plan.Ledger, Cut{})
	mustRead(t, ctx, p2, plan.Ledger, Cut{}, func(m *Model) {
		if publicView(t, m) != publicView(t, want) {
			t.Error("the projector serves a snapshot re-signed without the key")
		}
	})
	if !strings.Contains(logs.String(), p.snaps.file(noKey)) || !strings.Contains(logs.String(), "signature") {
		t.Errorf("no warning names %s; log:\n%s", p.snaps.file(noKey), logs)
	}
}

// TestSnapshotFilesArePrivate starts from a directory an older version
// left world-readable, with a snapshot of the older format that claims
// other figures: after a run, directories are 0700 and files 0600, no
// temporary file is left, and the old snapshot was removed, not read.
func TestSnapshotFilesArePrivate(t *testing.T) {
	ctx := testCtx(t)
	store := openNATS(t, ctx)
	plan := seedPlan(t, nil)
	if err := scenario.Run(ctx, store, plan); err != nil {
		t.Fatal(err)
	}
	head, _ := store.Head(ctx, plan.Ledger)
	dir := filepath.Join(t.TempDir(), "projections")
	ldir := filepath.Join(dir, plan.Ledger)
	if err := os.MkdirAll(ldir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	old := filepath.Join(ldir, snapName(head))
	oldSnap := fmt.Sprintf(`{"ledger":%q,"seq":%d,"head_hash":"x","format":1}`+"\n", plan.Ledger, head)
	if err := os.WriteFile(old, []byte(oldSnap), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ldir, "checkpoint.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}

	logs := &logBuffer{}
	p := New(store, Options{Dir: dir, Logger: logs.logger()})
	stop := runProjector(t, p)
	if err := p.WaitFor(ctx, plan.Ledger, head); err != nil {
		t.Fatal(err)
	}
	want := freshAt(t, ctx, store, plan.Ledger, Cut{})
	mustRead(t, ctx, p, plan.Ledger, Cut{}, func(m *Model) {
		if m.Fingerprint() != want.Fingerprint() {
			t.Error("the model is not a replay of the log")
		}
	})
	stop() // writes the checkpoint: a snapshot of the new format at the head
	if logs.String() != "" {
		t.Errorf("an upgrade warned, as if a snapshot had been tampered with:\n%s", logs)
	}

	var files int
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		mode := fi.Mode().Perm()
		switch {
		case fi.IsDir() && mode != 0o700:
			t.Errorf("%s: mode %o, want 700", path, mode)
		case !fi.IsDir() && mode != 0o600:
			t.Errorf("%s: mode %o, want 600", path, mode)
		case safefile.IsTemp(fi.Name()):
			t.Errorf("%s: a temporary file is left", path)
		case !fi.IsDir():
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 3 { // the key, the checkpoint and one snapshot
		t.Errorf("%d files under %s, want the key, checkpoint.json and one snapshot", files, dir)
	}
	if _, chk, err := verifyFile(old, mustKey(t, dir), false); err != nil || chk.meta.Format != snapFormat {
		t.Errorf("the snapshot at the head is not of the new format: %v", err)
	}
}

func mustKey(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := readKey(dir)
	if err != nil || key == nil {
		t.Fatalf("key of %s: %v", dir, err)
	}
	return key
}
