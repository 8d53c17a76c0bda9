package esdb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/fundledger/fundledger/eventstore"
)

// This file is the whole mapping between the eventstore port and
// EventStoreDB, as pure functions, so that it is tested without a server:
// stream names, revisions, event data, read positions and errors.

const (
	streamPrefix = "fundledger-"
	eventType    = "fundledger-commit"
)

// StreamName is the ESDB stream of a ledger: fundledger-<code>.
func StreamName(ledger string) string { return streamPrefix + ledger }

// LedgerOfStream answers the ledger a stream holds, for a fundledger
// stream with a valid code.
func LedgerOfStream(stream string) (string, bool) {
	code, ok := strings.CutPrefix(stream, streamPrefix)
	if !ok || !eventstore.ValidLedgerCode(code) {
		return "", false
	}
	return code, true
}

// LedgerOfLink answers the ledger named by a $streams link event, whose
// data is "<revision>@<stream>".
func LedgerOfLink(data []byte) (string, bool) {
	_, stream, ok := strings.Cut(string(data), "@")
	if !ok {
		return "", false
	}
	return LedgerOfStream(stream)
}

// ExpectedRevision turns the port's expected head (the number of records
// the ledger holds) into ESDB's: NoStream for an empty ledger, else the
// revision of the last record, as revisions count from 0.
func ExpectedRevision(expected uint64) esdb.ExpectedRevision {
	if expected == 0 {
		return esdb.NoStream{}
	}
	return esdb.Revision(expected - 1)
}

// Seq is the port's sequence of the event at revision rev.
func Seq(rev uint64) uint64 { return rev + 1 }

// ReadFrom is where a read of records from seq from (1-based) starts.
func ReadFrom(from uint64) esdb.StreamPosition { return esdb.Revision(max(from, 1) - 1) }

// SubscribeFrom is where a catch-up subscription delivering seq from
// onward starts: ESDB starts a subscription after the revision given.
func SubscribeFrom(from uint64) esdb.StreamPosition {
	if from <= 1 {
		return esdb.Start{}
	}
	return esdb.Revision(from - 2)
}

// idSpace is the namespace of the events' ids (UUID v5).
var idSpace = uuid.MustParse("6f1d1c8e-4c2b-5a57-9b8e-2d1f0c6a1b7e")

// Events are the ESDB events of records appended after expected: the
// record's bytes as binary data, exactly as the port stores them, and an
// id derived from (ledger, seq, bytes). The same append sent again (a
// retry after a lost answer) carries the same ids, so the server's
// idempotent-append check can recognise it.
func Events(ledger string, expected uint64, records [][]byte) []esdb.EventData {
	out := make([]esdb.EventData, len(records))
	for i, r := range records {
		out[i] = esdb.EventData{EventID: eventID(ledger, expected+uint64(i)+1, r), EventType: eventType,
			ContentType: esdb.ContentTypeBinary, Data: r}
	}
	return out
}

func eventID(ledger string, seq uint64, data []byte) uuid.UUID {
	name := make([]byte, 0, len(ledger)+9+len(data))
	name = append(name, ledger...)
	name = append(name, 0)
	name = binary.BigEndian.AppendUint64(name, seq)
	return uuid.NewSHA1(idSpace, append(name, data...))
}

// Record is the port's record of an event read back from a ledger's stream.
func Record(ledger string, e *esdb.RecordedEvent) eventstore.Record {
	return eventstore.Record{Ledger: ledger, Seq: Seq(e.EventNumber), Data: e.Data}
}

// NotFound reports an error that means the stream does not exist yet: an
// empty ledger, not a failure.
func NotFound(err error) bool { return code(err) == esdb.ErrorCodeResourceNotFound }

// MapError turns an ESDB error of op on ledger into the port's (see
// mapCode). nil stays nil.
func MapError(op, ledger string, err error) error {
	if err == nil {
		return nil
	}
	return mapCode(op, ledger, code(err), err)
}

// mapCode maps by the error's ESDB code: a wrong expected version is
// eventstore.ErrConflict (another writer appended first), a deleted stream
// a *eventstore.DamagedError (its history is gone, from record 1), a
// closed connection eventstore.ErrClosed, a deadline
// context.DeadlineExceeded; the rest are wrapped as they are.
func mapCode(op, ledger string, c esdb.ErrorCode, err error) error {
	switch c {
	case esdb.ErrorCodeWrongExpectedVersion:
		return fmt.Errorf("esdb: %s ledger %s: %w", op, ledger, eventstore.ErrConflict)
	case esdb.ErrorCodeStreamDeleted:
		return &eventstore.DamagedError{Ledger: ledger, Seq: 1, Reason: "its EventStoreDB stream " + StreamName(ledger) + " was deleted"}
	case esdb.ErrorCodeConnectionClosed:
		return fmt.Errorf("esdb: %s ledger %s: %w", op, ledger, eventstore.ErrClosed)
	case esdb.ErrorCodeDeadlineExceeded:
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("esdb: %s ledger %s: %w (%v)", op, ledger, context.DeadlineExceeded, err)
		}
	}
	return fmt.Errorf("esdb: %s ledger %s: %w", op, ledger, err)
}

// code answers the ESDB error code within err, or ErrorCodeUnknown.
func code(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return esdb.ErrorCodeUnknown
}
