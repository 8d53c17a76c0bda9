package node

import (
	"errors"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/esdb"
)

// errTwoStores refuses a configuration naming two external stores: a
// ledger's log must live in exactly one place.
var errTwoStores = errors.New("node: --nats-url and --esdb-url name two stores; give one (or neither, for the embedded store)")

// openExternal opens the store an external URL names: EventStoreDB for
// ESDBURL. It answers nil for NATSURL alone, which Open opens as before.
func openExternal(cfg Config) (eventstore.Store, error) {
	switch {
	case cfg.ESDBURL != "" && cfg.NATSURL != "":
		return nil, errTwoStores
	case cfg.ESDBURL != "":
		st, err := esdb.Open(cfg.ESDBURL)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	return nil, nil
}
