package ledger

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/internal/gen"
	"pgregory.net/rapid"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestRandomHistoriesReplayToTheSameStateAndHead writes random command
// sequences through the writer, then rebuilds the ledger from the store
// alone: balances, registers and head hash must be the same, every
// non-source balance ≥ 0 and the balances sum to zero.
func TestRandomHistoriesReplayToTheSameStateAndHead(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memory.New()
		m := NewManager(store, Options{Logger: quiet})
		defer m.Close()
		ctx := context.Background()
		for _, c := range gen.Genesis() {
			if _, err := m.Submit(ctx, code, Request{Command: c, Actor: "t"}); err != nil {
				t.Fatalf("%s: %v", c.CommandName(), err)
			}
		}
		steps := rapid.IntRange(1, 80).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			_, _ = m.Submit(ctx, code, Request{Command: gen.Draw(t, i), Actor: "t"})
		}
		live := m.stateOf(t, code)
		seq, hash, _ := m.Head(ctx, code)

		replayed := NewManager(store, Options{Logger: quiet})
		defer replayed.Close()
		rseq, rhash, err := replayed.Head(ctx, code)
		if err != nil || rseq != seq || rhash != hash {
			t.Fatalf("replayed head %d %s (%v), live %d %s", rseq, rhash, err, seq, hash)
		}
		again := replayed.stateOf(t, code)
		total := domain.Zero
		for a, bal := range live.Balances {
			if !again.Balances[a].Equal(bal) {
				t.Fatalf("%s: live %s, replayed %s", a, bal, again.Balances[a])
			}
			if a.Kind() != domain.KindSource && bal.IsNegative() {
				t.Fatalf("%s below zero: %s", a, bal)
			}
			total = total.Add(bal)
		}
		if !total.IsZero() || len(again.Balances) != len(live.Balances) || len(again.Writes) != len(live.Writes) {
			t.Fatalf("books differ or do not balance: sum %s", total)
		}
		for id, p := range live.Projects {
			q := again.Projects[id]
			if q == nil || q.Status != p.Status || !q.Appropriated.Equal(p.Appropriated) || !q.Recovered.Equal(p.Recovered) {
				t.Fatalf("project %s differs after replay", id)
			}
		}
	})
}

// TestRandomHistoriesSnapshotStateDecidesAsReplayed: the state of a random
// history encodes stably (encode → decode → encode gives the same bytes),
// and the decoded state decides every further random command exactly as
// the state replayed from the store does: same events, same rejections.
func TestRandomHistoriesSnapshotStateDecidesAsReplayed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memory.New()
		m := NewManager(store, Options{Logger: quiet})
		defer m.Close()
		ctx := context.Background()
		for _, c := range gen.Genesis() {
			if _, err := m.Submit(ctx, code, Request{Command: c, Actor: "t"}); err != nil {
				t.Fatalf("%s: %v", c.CommandName(), err)
			}
		}
		for i := range rapid.IntRange(1, 60).Draw(t, "steps") {
			_, _ = m.Submit(ctx, code, Request{Command: gen.Draw(t, i), Actor: "t"})
		}
		var first, second bytes.Buffer
		if err := domain.EncodeState(&first, m.stateOf(t, code)); err != nil {
			t.Fatal(err)
		}
		decoded, err := domain.DecodeState(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := domain.EncodeState(&second, decoded); err != nil || !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("encode → decode → encode differs (%v):\n%s\n%s", err, first.String(), second.String())
		}
		replayed := NewManager(store, Options{Logger: quiet})
		defer replayed.Close()
		again := replayed.stateOf(t, code)
		day := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)
		for i := range rapid.IntRange(1, 40).Draw(t, "more") {
			cmd, _, err := domain.DateCommand(gen.Draw(t, 1000+i), day)
			if err != nil {
				continue
			}
			a, aerr := domain.Decide(decoded, cmd)
			b, berr := domain.Decide(again, cmd)
			ae, _ := domain.EncodeEvents(a)
			be, _ := domain.EncodeEvents(b)
			if fmt.Sprint(aerr) != fmt.Sprint(berr) || fmt.Sprint(ae) != fmt.Sprint(be) {
				t.Fatalf("%s: decoded state decided %v %v, replayed %v %v", cmd.CommandName(), ae, aerr, be, berr)
			}
			for _, e := range a {
				decoded.Apply(e)
			}
			for _, e := range b {
				again.Apply(e)
			}
		}
	})
}
