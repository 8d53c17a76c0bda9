package eventstore

import "fmt"

// DamagedError means the store cannot give back a ledger's history whole: a
// record is missing (a gap, a lost tail the caller knows of) or a stored
// message cannot be decoded (JetStream dropped or a disk changed it). It
// names the first record that is gone, so the operator knows what to restore;
// a ledger in this state must never be written again until it is restored.
type DamagedError struct {
	Ledger string
	Seq    uint64 // the first missing or unreadable record
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("ledger %s is damaged at record %d: %s", e.Ledger, e.Seq, e.Reason)
}
