package domain

import (
	"encoding/json"
	"fmt"
)

// EventType names a kind of event as every commit stores it.
//
// The names are a public, append-only schema: each commit's hash covers
// them (golden vectors in testdata/), so a name is never renamed or reused;
// a changed shape gets a new "…v2" type and the old one keeps decoding.
type EventType string

// The event types, in the order of Events().
const (
	TypeLedgerOpened         EventType = "ledger.opened"
	TypeVillageRegistered    EventType = "village.registered"
	TypeHouseholdRegistered  EventType = "household.registered"
	TypeHouseholdExited      EventType = "household.exited"
	TypeHouseholdReturned    EventType = "household.returned"
	TypeHouseholdRemoved     EventType = "household.removed"
	TypeHouseholdCardChanged EventType = "household.card_changed"
	TypeFundAllocated        EventType = "fund.allocated"
	TypeFundIntegrated       EventType = "fund.integrated"
	TypeProjectApproved      EventType = "project.approved"
	TypeProjectStatusChanged EventType = "project.status_changed"
	TypeFundsAppropriated    EventType = "project.appropriated"
	TypeProjectPaid          EventType = "project.paid"
	TypeFundsRecovered       EventType = "project.recovered"
	TypePayoutMade           EventType = "payout.made"
	TypePayoutBatchAccepted  EventType = "payout_batch.accepted"
	TypeBankResultsRecorded  EventType = "payout_batch.bank_results"
	TypeWriteReversed        EventType = "write.reversed"
	TypeStandardSet          EventType = "standard.set"
	TypeFindingAcknowledged  EventType = "finding.acknowledged"
)

// EventSpec describes one event type of the catalogue.
type EventSpec struct {
	Type EventType
	// Zero is the zero value of the event's Go type: a consumer's test can
	// ask its fold or export mapping whether it knows the type.
	Zero   Event
	decode func([]byte) (Event, error)
}

func eventSpec[E Event]() EventSpec {
	var zero E
	return EventSpec{Type: zero.EventType(), Zero: zero, decode: func(b []byte) (Event, error) {
		var e E
		err := json.Unmarshal(b, &e)
		return e, err
	}}
}

// events is the catalogue of event types. A new type is added here, with
// its constant above, its struct and its EventType method; the folds
// (State.Apply, projections) and the exports must then know it, which
// their catalogue tests check.
var events = []EventSpec{
	eventSpec[LedgerOpened](),
	eventSpec[VillageRegistered](),
	eventSpec[HouseholdRegistered](),
	eventSpec[HouseholdExited](),
	eventSpec[HouseholdReturned](),
	eventSpec[HouseholdRemoved](),
	eventSpec[HouseholdCardChanged](),
	eventSpec[FundAllocated](),
	eventSpec[FundIntegrated](),
	eventSpec[ProjectApproved](),
	eventSpec[ProjectStatusChanged](),
	eventSpec[FundsAppropriated](),
	eventSpec[ProjectPaid](),
	eventSpec[FundsRecovered](),
	eventSpec[PayoutMade](),
	eventSpec[PayoutBatchAccepted](),
	eventSpec[BankResultsRecorded](),
	eventSpec[WriteReversed](),
	eventSpec[StandardSet](),
	eventSpec[FindingAcknowledged](),
}

var eventsByType = func() map[EventType]EventSpec {
	m := make(map[EventType]EventSpec, len(events))
	for _, e := range events {
		if _, dup := m[e.Type]; dup {
			panic("domain: event type " + string(e.Type) + " registered twice")
		}
		m[e.Type] = e
	}
	return m
}()

// Events answers every event type of the catalogue, in schema order.
func Events() []EventSpec { return append([]EventSpec(nil), events...) }

// DecodeEvent reads an event's data given its stored type name.
func DecodeEvent(typ string, data []byte) (Event, error) {
	spec, ok := eventsByType[EventType(typ)]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
	return spec.decode(data)
}
