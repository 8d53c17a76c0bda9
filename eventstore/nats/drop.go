package nats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DropLedger deletes the ledger's stream and creates it again, empty. It
// exists for one caller: `fundledger restore`, rebuilding a stream whose
// tail was lost. JetStream keeps counting a stream's sequence past a lost
// block, so no append can follow the last readable record; restore first
// checks every readable commit against the export that replaces them, hash
// for hash. Nothing else may call it: the log is the audit trail.
func (s *Store) DropLedger(ctx context.Context, ledger string) error {
	if err := s.check(ledger); err != nil {
		return err
	}
	if err := s.js.DeleteStream(ctx, streamName(ledger)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return s.closedErr(fmt.Errorf("nats: delete stream of ledger %s: %w", ledger, err))
	}
	s.dropStream(ledger)
	// The server removes a deleted stream's files in the background; a
	// create at once can meet them ("error creating store for stream").
	for attempt := 0; ; attempt++ {
		_, err := s.createStream(ctx, ledger)
		if err == nil {
			return nil
		}
		if attempt == 50 || ctx.Err() != nil {
			return s.closedErr(err)
		}
		s.dropStream(ledger)
		time.Sleep(100 * time.Millisecond)
	}
}
