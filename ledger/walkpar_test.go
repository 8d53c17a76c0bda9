package ledger

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// sliceStore reads records from a slice, so a test can alter stored history.
type sliceStore struct {
	eventstore.Store
	recs [][]byte
}

func (s sliceStore) Read(_ context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	for i := from - 1; i < uint64(len(s.recs)); i++ {
		if err := fn(eventstore.Record{Ledger: ledger, Seq: i + 1, Data: s.recs[i]}); err != nil {
			return err
		}
	}
	return nil
}

// chain answers n sealed commits of code, more than a few batches' worth.
func chain(t *testing.T, n int) []*domain.Commit {
	t.Helper()
	prev := domain.GenesisHash
	out := make([]*domain.Commit, n)
	for i := range out {
		c := &domain.Commit{Ledger: code, Seq: uint64(i + 1), Time: time.Date(2019, 1, 1, 0, 0, i, 0, time.UTC), Actor: "test",
			Command: "register_village", PrevHash: prev,
			Events: []domain.RawEvent{{Type: "village.registered", Data: []byte(fmt.Sprintf(`{"id":"V%04d","name":"村","township":"镇"}`, i))}}}
		c.Seal()
		prev, out[i] = c.Hash, c
	}
	return out
}

func records(t *testing.T, cs []*domain.Commit) [][]byte {
	t.Helper()
	out := make([][]byte, len(cs))
	for i, c := range cs {
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// TestWalkDecodedAgreesWithWalk defends the parallel walk: on a good chain
// and on every kind of alteration it visits the same commits in the same
// order and stops with the same ChainError as Walk.
func TestWalkDecodedAgreesWithWalk(t *testing.T) {
	const n = 1000
	cases := map[string]func(recs [][]byte, cs []*domain.Commit){
		"intact":  func([][]byte, []*domain.Commit) {},
		"garbage": func(recs [][]byte, _ []*domain.Commit) { recs[600] = []byte("{") },
		"other ledger": func(recs [][]byte, cs []*domain.Commit) {
			c := *cs[300]
			c.Ledger = "341505"
			c.Seal()
			recs[300], _ = c.Marshal()
		},
		"wrong seq": func(recs [][]byte, cs []*domain.Commit) { recs[700], _ = cs[701].Marshal() },
		"altered": func(recs [][]byte, cs []*domain.Commit) {
			c := *cs[257]
			c.Actor = "mallory"
			recs[257], _ = c.Marshal()
		},
		"resealed": func(recs [][]byte, cs []*domain.Commit) {
			c := *cs[511]
			c.Actor = "mallory"
			c.Seal()
			recs[511], _ = c.Marshal()
		},
		"first altered": func(recs [][]byte, cs []*domain.Commit) { c := *cs[0]; c.Actor = "x"; recs[0], _ = c.Marshal() },
		"last resealed": func(recs [][]byte, cs []*domain.Commit) {
			c := *cs[n-1]
			c.PrevHash = domain.GenesisHash
			c.Seal()
			recs[n-1], _ = c.Marshal()
		},
		"bad event later": func(recs [][]byte, cs []*domain.Commit) {
			c := *cs[900]
			c.Events = []domain.RawEvent{{Type: "nope", Data: []byte("{}")}}
			c.Seal()
			recs[900], _ = c.Marshal()
		},
	}
	for name, alter := range cases {
		t.Run(name, func(t *testing.T) {
			cs := chain(t, n)
			recs := records(t, cs)
			alter(recs, cs)
			store := sliceStore{recs: recs}
			var want []uint64
			wantErr := Walk(context.Background(), store, code, 0, func(c *domain.Commit) error {
				if _, err := c.Decode(); err != nil {
					return err
				}
				want = append(want, c.Seq)
				return nil
			})
			var got []uint64
			gotErr := WalkDecoded(context.Background(), store, code, (*domain.Commit).Decode, func(c *domain.Commit, evs []domain.Event) error {
				if len(evs) != len(c.Events) {
					t.Errorf("commit %d: %d events decoded, %d stored", c.Seq, len(evs), len(c.Events))
				}
				got = append(got, c.Seq)
				return nil
			})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("WalkDecoded visited %d commits, Walk %d", len(got), len(want))
			}
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("WalkDecoded: %v; Walk: %v", gotErr, wantErr)
			}
			var gc, wc *ChainError
			if errors.As(gotErr, &gc) != errors.As(wantErr, &wc) {
				t.Errorf("ChainError: WalkDecoded %v, Walk %v", gotErr, wantErr)
			}
		})
	}
}

// TestWalkDecodedStopsOnTheCallersError defends that fn's error ends the
// walk at once and is answered as it is.
func TestWalkDecodedStopsOnTheCallersError(t *testing.T) {
	store := sliceStore{recs: records(t, chain(t, 1000))}
	stop := errors.New("stop")
	var last uint64
	err := WalkDecoded(context.Background(), store, code, (*domain.Commit).Decode, func(c *domain.Commit, _ []domain.Event) error {
		last = c.Seq
		if c.Seq == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || last != 300 {
		t.Fatalf("err %v after commit %d; want stop after 300", err, last)
	}
}
