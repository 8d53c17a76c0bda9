package owner

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Node names one fundledger server: its name (Fundledger-Node) and the URL
// other servers reach its HTTP API at.
type Node struct {
	Name string `json:"node"`
	URL  string `json:"url"`
}

// Claim answers who writes a ledger now.
type Claim struct {
	Owner Node
	// Self is true when this node holds the ledger's lease and may write.
	Self bool
	// Expires is when the owner's lease runs out unless renewed (zero for
	// Local, whose ownership never runs out).
	Expires time.Time
}

// ErrNoOwner means no server holds a live lease on the ledger and this one
// could not take it (the bucket did not answer in time).
var ErrNoOwner = errors.New("owner: no server holds the ledger and it could not be taken")

// Owners is who writes each ledger. Local and *KV implement it.
type Owners interface {
	// Self names this node.
	Self() Node
	// Claim answers the ledger's owner, taking the ledger over when no
	// live owner holds it (acquire on demand).
	Claim(ctx context.Context, ledger string) (Claim, error)
	// Holds reports, without a round trip, whether this node may write the
	// ledger now.
	Holds(ledger string) bool
}

// Local is ownership on a single server (the embedded store): this node
// owns every ledger, with no bucket and no leases.
type Local struct{ Node Node }

// Self implements Owners.
func (l Local) Self() Node { return l.Node }

// Claim implements Owners: always this node.
func (l Local) Claim(context.Context, string) (Claim, error) {
	return Claim{Owner: l.Node, Self: true}, nil
}

// Holds implements Owners: always true.
func (Local) Holds(string) bool { return true }

// lease is the value stored under a ledger's key.
type lease struct {
	Node
	Expires time.Time `json:"expires"`
}

func (l lease) encode() []byte {
	b, _ := json.Marshal(l) // a struct of strings and a time: cannot fail
	return b
}

func decodeLease(b []byte) (lease, error) {
	var l lease
	err := json.Unmarshal(b, &l)
	if err == nil && l.Name == "" {
		err = errors.New("owner: lease names no node")
	}
	return l, err
}
