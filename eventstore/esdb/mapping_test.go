package esdb

import (
	"context"
	"errors"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/fundledger/fundledger/eventstore"
)

// These tests need no server: they pin the mapping between the port and
// EventStoreDB that the conformance suite exercises against a real one.

func TestStreamNamesRoundTrip(t *testing.T) {
	if got := StreamName("341504"); got != "fundledger-341504" {
		t.Fatalf("StreamName = %q", got)
	}
	for _, c := range []struct {
		data   string
		ledger string
		ok     bool
	}{
		{"0@fundledger-341504", "341504", true},
		{"12@fundledger-a_b-C", "a_b-C", true},
		{"0@orders-1", "", false},            // another application's stream
		{"0@fundledger-", "", false},         // no code
		{"0@fundledger-34 15", "", false},    // not a valid code
		{"fundledger-341504", "", false},     // not a link
		{"3@$$fundledger-341504", "", false}, // a metadata stream
	} {
		got, ok := LedgerOfLink([]byte(c.data))
		if ok != c.ok || got != c.ledger {
			t.Errorf("LedgerOfLink(%q) = %q, %v; want %q, %v", c.data, got, ok, c.ledger, c.ok)
		}
	}
}

// TestExpectedRevisionCountsFromZero: the port's head N (records held) is
// ESDB's revision N-1; an empty ledger expects no stream at all, so a
// second writer creating it concurrently conflicts.
func TestExpectedRevisionCountsFromZero(t *testing.T) {
	if _, ok := ExpectedRevision(0).(esdb.NoStream); !ok {
		t.Fatalf("ExpectedRevision(0) = %#v, want NoStream", ExpectedRevision(0))
	}
	for _, n := range []uint64{1, 2, 1000} {
		if got := ExpectedRevision(n); got != esdb.Revision(n-1) {
			t.Errorf("ExpectedRevision(%d) = %#v, want Revision(%d)", n, got, n-1)
		}
	}
	if Seq(0) != 1 || Seq(41) != 42 {
		t.Fatalf("Seq: revision 0 is record 1")
	}
}

// TestPositionsDeliverFromTheAskedSeq: a read from seq N starts at
// revision N-1; a subscription starts after the revision given, so it is
// given N-2 (and Start for the first record).
func TestPositionsDeliverFromTheAskedSeq(t *testing.T) {
	for from, want := range map[uint64]esdb.StreamPosition{0: esdb.Revision(0), 1: esdb.Revision(0), 2: esdb.Revision(1), 100: esdb.Revision(99)} {
		if got := ReadFrom(from); got != want {
			t.Errorf("ReadFrom(%d) = %#v, want %#v", from, got, want)
		}
	}
	for from, want := range map[uint64]esdb.StreamPosition{0: esdb.Start{}, 1: esdb.Start{}, 2: esdb.Revision(0), 100: esdb.Revision(98)} {
		if got := SubscribeFrom(from); got != want {
			t.Errorf("SubscribeFrom(%d) = %#v, want %#v", from, got, want)
		}
	}
}

// TestEventsKeepTheBytesAndRepeatTheirIDs: each record is one binary
// event holding its bytes unchanged; ids depend on ledger, sequence and
// bytes only, so a retried append repeats them and anything else differs.
func TestEventsKeepTheBytesAndRepeatTheirIDs(t *testing.T) {
	recs := [][]byte{[]byte(`{"seq":5}`), []byte(`{"seq":6}`)}
	a, b := Events("341504", 4, recs), Events("341504", 4, recs)
	if len(a) != 2 || string(a[0].Data) != `{"seq":5}` || a[1].EventType != "fundledger-commit" || a[0].ContentType != esdb.ContentTypeBinary || a[0].Metadata != nil {
		t.Fatalf("events: %+v", a)
	}
	if a[0].EventID != b[0].EventID || a[1].EventID != b[1].EventID {
		t.Fatal("the same append gave other event ids")
	}
	ids := map[any]string{a[0].EventID: "first", a[1].EventID: "second"}
	for name, ev := range map[string]esdb.EventData{
		"another ledger":   Events("341502", 4, recs)[0],
		"another position": Events("341504", 5, recs)[0],
		"other bytes":      Events("341504", 4, [][]byte{[]byte(`{"seq":7}`)})[0],
	} {
		if was, dup := ids[ev.EventID]; dup {
			t.Errorf("%s repeats the id of the %s event", name, was)
		}
	}
	rec := Record("341504", &esdb.RecordedEvent{EventNumber: 4, Data: recs[0]})
	if rec.Ledger != "341504" || rec.Seq != 5 || string(rec.Data) != `{"seq":5}` {
		t.Fatalf("Record = %+v", rec)
	}
}

// TestErrorsMapToThePortsErrors: callers branch on the port's errors, never
// on ESDB's.
func TestErrorsMapToThePortsErrors(t *testing.T) {
	cause := errors.New("rpc error")
	if MapError("append to", "341504", nil) != nil {
		t.Fatal("nil must stay nil")
	}
	if !errors.Is(mapCode("append to", "341504", esdb.ErrorCodeWrongExpectedVersion, cause), eventstore.ErrConflict) {
		t.Error("wrong expected version is not ErrConflict")
	}
	var d *eventstore.DamagedError
	if err := mapCode("read", "341504", esdb.ErrorCodeStreamDeleted, cause); !errors.As(err, &d) || d.Ledger != "341504" || d.Seq != 1 {
		t.Errorf("a deleted stream: %v, want a DamagedError from record 1", err)
	}
	if !errors.Is(mapCode("read", "341504", esdb.ErrorCodeConnectionClosed, cause), eventstore.ErrClosed) {
		t.Error("a closed connection is not ErrClosed")
	}
	if !errors.Is(mapCode("read", "341504", esdb.ErrorCodeDeadlineExceeded, cause), context.DeadlineExceeded) {
		t.Error("a deadline is not context.DeadlineExceeded")
	}
	err := mapCode("read", "341504", esdb.ErrorCodeAccessDenied, cause)
	if !errors.Is(err, cause) || errors.Is(err, eventstore.ErrConflict) || errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("access denied: %v, want the cause wrapped and nothing else", err)
	}
	if !errors.Is(MapError("read", "341504", context.Canceled), context.Canceled) {
		t.Error("a cancelled context is no longer recognisable")
	}
	if NotFound(cause) {
		t.Error("a plain error is not a missing stream")
	}
}
