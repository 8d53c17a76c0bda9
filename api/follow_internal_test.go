package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// appendCommits appends n minimal commits to the ledger from seq from.
func appendCommits(t *testing.T, st *memory.Store, code string, from uint64, n int) {
	t.Helper()
	recs := make([][]byte, n)
	for i := range recs {
		c := &domain.Commit{Ledger: code, Seq: from + uint64(i), Time: time.Unix(0, 0).UTC(), Actor: "t", Command: "test",
			Events: []domain.RawEvent{{Type: "test.event", Data: json.RawMessage(`{}`)}}}
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = b
	}
	if _, err := st.Append(context.Background(), code, from-1, recs); err != nil {
		t.Fatal(err)
	}
}

// TestFollowerThatStopsReadingIsDropped: a follower that does not take its
// commits is ended once its buffer is full, while the feed goes on for a
// follower that reads, which sees every commit; the feed stops when the
// last follower leaves.
func TestFollowerThatStopsReadingIsDropped(t *testing.T) {
	st := memory.New()
	defer st.Close()
	const code = "341504"
	appendCommits(t, st, code, 1, 1)
	h := newFollowHub(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 10)
	stalled := h.join(code, 2)
	reader := h.join(code, 2)
	// Commits arrive in chunks far smaller than a buffer, each read before
	// the next: the reader can never fall a buffer behind, however slowly
	// this goroutine is scheduled, while the stalled follower fills up.
	total := followerBuffer + 50
	const chunk = 100
	for first := uint64(2); first < uint64(2+total); first += chunk {
		n := min(chunk, int(uint64(2+total)-first))
		appendCommits(t, st, code, first, n)
		for want := first; want < first+uint64(n); want++ {
			select {
			case lc := <-reader.ch:
				if lc == nil || lc.commit.Seq != want {
					t.Fatalf("reader got %v, want commit %d", lc, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("reader stuck before commit %d", want)
			}
		}
	}
	n := 0
	for range stalled.ch { // closed by the hub once full
		n++
	}
	if n != followerBuffer || !errors.Is(stalled.err, errFollowerTooSlow) || h.dropped.Load() != 1 {
		t.Fatalf("stalled follower: %d buffered, err %v, dropped %d", n, stalled.err, h.dropped.Load())
	}
	h.part(code, reader)
	if followers, feeds := h.stats(); feeds != 0 {
		t.Fatalf("feeds %d (followers %d) after the last follower left", feeds, followers)
	}
}

// TestBodyDeadlineGrowsWithTheBody: a body gets BodyGrace plus its length at
// MinUploadRate; one of unknown length is judged as the largest upload.
func TestBodyDeadlineGrowsWithTheBody(t *testing.T) {
	for _, c := range []struct {
		length int64
		want   time.Duration
	}{
		{MinUploadRate, BodyGrace + time.Second},
		{MaxBody, BodyGrace + 32*time.Second},
		{MaxUpload, BodyGrace + 512*time.Second},
		{-1, BodyGrace + 512*time.Second},
		{MaxUpload * 4, BodyGrace + 512*time.Second},
	} {
		if got := bodyDeadline(c.length); got != c.want {
			t.Errorf("bodyDeadline(%d) = %v, want %v", c.length, got, c.want)
		}
	}
}
