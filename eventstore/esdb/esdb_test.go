package esdb_test

import (
	"os"
	"testing"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/conformance"
	"github.com/fundledger/fundledger/eventstore/esdb"
)

func TestConformance(t *testing.T) {
	url := os.Getenv("FUNDLEDGER_ESDB_URL")
	if url == "" {
		t.Skip("FUNDLEDGER_ESDB_URL not set: no EventStoreDB server here; to run the conformance suite against one, set it, e.g. FUNDLEDGER_ESDB_URL=\"esdb://127.0.0.1:2113?tls=false\" (the server needs system projections enabled for $streams)")
	}
	conformance.Run(t, func(t *testing.T, dir string) eventstore.Store {
		st, err := esdb.Open(url)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return st
	}, conformance.Features{})
}
