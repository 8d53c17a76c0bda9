package projections

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/scenario"
	"github.com/fundledger/fundledger/internal/testutil"
)

// openNATS opens an embedded JetStream store in a fresh directory.
func openNATS(t *testing.T, ctx context.Context) *nats.Store {
	t.Helper()
	store, err := nats.Open(ctx, nats.Options{DataDir: filepath.Join(t.TempDir(), "nats"), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// seedPlan is the seed scenario kept small (JetStream fsyncs each commit);
// tweak, if not nil, changes the spec first.
func seedPlan(t *testing.T, tweak func(*scenario.Spec)) *scenario.Plan {
	t.Helper()
	spec, err := scenario.Load(filepath.Join("..", "testdata", "seed001.json"))
	if err != nil {
		t.Fatal(err)
	}
	spec.Households = 40
	if tweak != nil {
		tweak(spec)
	}
	plan, err := scenario.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// snapshotLedger follows the store's ledgers with a projector on dir that
// snapshots every few commits, until the ledger's head, and stops it.
func snapshotLedger(t *testing.T, ctx context.Context, store eventstore.Store, ledger, dir string) *Projector {
	t.Helper()
	p := New(store, Options{Dir: dir, SnapshotEvery: 25, Logger: quiet(), eager: true})
	stop := runProjector(t, p)
	head, err := store.Head(ctx, ledger)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(ctx, ledger, head); err != nil {
		t.Fatal(err)
	}
	stop()
	if n := len(p.snaps.metas(ledger)); n < 3 {
		t.Fatalf("%d snapshots written; the test needs several", n)
	}
	return p
}

// publicView is everything the public surfaces print of a model: every
// balance of every kind, the summary and each village's disclosure.
func publicView(t *testing.T, m *Model) string {
	t.Helper()
	view := map[string]any{"summary": m.Summary()}
	for _, kind := range Kinds {
		for _, id := range m.IDs(kind) {
			b, _ := m.Balance(kind, id)
			view[kind+"/"+id] = b
		}
	}
	for _, v := range m.VillageLinks() {
		d, _ := m.Disclosure(v.ID)
		view["disclosure/"+v.ID] = d
	}
	b, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// amountRE finds a money figure in a snapshot: a household's payout line
// amount ("a") or an account's received or spent ("r", "s").
var amountRE = regexp.MustCompile(`"(a|r|s)":"[0-9]+\.[0-9]{2}"`)

// editFigure changes one digit of the nth money figure of a snapshot file
// in place, as a hand with a text editor would, and answers the new bytes.
func editFigure(t *testing.T, path string, nth int) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	locs := amountRE.FindAllIndex(b, -1)
	if len(locs) <= nth {
		t.Fatalf("%s holds %d figures", path, len(locs))
	}
	dot := bytes.IndexByte(b[locs[nth][0]:locs[nth][1]], '.') + locs[nth][0]
	b[dot-1] ^= 1 // 0↔1, 2↔3, …: still a digit, same length
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeUnchecked decodes a snapshot's body the way a version without
// digests did, to show what it would have served.
func decodeUnchecked(t *testing.T, b []byte) *Model {
	t.Helper()
	m, err := decodeModel(bytes.NewReader(b[:len(b)-trailerLen]))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// logBuffer collects log records for a test to look at.
type logBuffer struct{ testutil.SyncBuffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// freshAt replays the store up to cut into a new model.
func freshAt(t *testing.T, ctx context.Context, store eventstore.Store, ledger string, cut Cut) *Model {
	t.Helper()
	m := NewModel(ledger)
	if err := ReplayInto(ctx, store, m, cut); err != nil {
		t.Fatal(err)
	}
	return m
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
