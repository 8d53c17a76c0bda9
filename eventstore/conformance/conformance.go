// Package conformance is the one contract test suite that every
// eventstore.Store adapter runs from its own _test.go, so that the writer and
// the projections can rely on the port and not on an adapter's quirks.
//
// Every subtest writes to ledgers with fresh random codes, so a suite may run
// against a shared server or cluster whose other ledgers it never touches.
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore"
)

// Features declares what an adapter can do. A missing feature shows as a
// skipped subtest with the reason, never as a silent pass.
type Features struct {
	// Restart: a store closed and opened again on the same dir still holds
	// everything acknowledged before Close (a durable, local store).
	Restart bool
	// MaxAppendBytes, when > 0, is the adapter's limit on the bytes of one
	// Append; an append well over it must answer eventstore.ErrTooLarge and
	// store nothing.
	MaxAppendBytes int
	// Racers is the number of goroutines that race on one ledger head
	// (default 16); Rounds how often they race (default 5).
	Racers, Rounds int
}

// Opener opens a store on dir. The suite closes every store it opens (and
// may close one twice: the second Close must be harmless). With
// Features.Restart, opening again on the same dir must find the same data.
type Opener func(t *testing.T, dir string) eventstore.Store

// Run runs the suite against the adapter that open returns.
func Run(t *testing.T, open Opener, f Features) {
	if f.Racers == 0 {
		f.Racers = 16
	}
	if f.Rounds == 0 {
		f.Rounds = 5
	}
	s := &suite{open: open, f: f}
	t.Run("OrderAndGapFreeSequences", s.orderAndGapFree)
	t.Run("ReadFromAnyPosition", s.readFromAnyPosition)
	t.Run("ReadStopsOnCallbackError", s.readStopsOnCallbackError)
	t.Run("StaleExpectedConflictsAndStoresNothing", s.staleExpectedConflicts)
	t.Run("RacingAppendersExactlyOneWins", s.racingAppenders)
	t.Run("LargeCommitIsAtomic", s.largeCommitAtomic)
	t.Run("OneLargeRecord", s.oneLargeRecord)
	t.Run("TooLargeAppendStoresNothing", s.tooLarge)
	t.Run("FollowSeesLaterAppendsInOrder", s.follow)
	t.Run("FollowFromMiddle", s.followFromMiddle)
	t.Run("PersistsAcrossRestart", s.restart)
	t.Run("LedgersAreIndependent", s.independentLedgers)
	t.Run("LedgersListsNonEmptyLedgers", s.ledgersList)
	t.Run("CallsAfterCloseFail", s.afterClose)
}

type suite struct {
	open Opener
	f    Features
}

// store opens a fresh store on a temporary dir and closes it at the end.
func (s *suite) store(t *testing.T) eventstore.Store {
	t.Helper()
	st := s.open(t, t.TempDir())
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// ledgerCode answers a fresh ledger code no other test uses.
func ledgerCode(t *testing.T) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "t" + hex.EncodeToString(b[:])
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
