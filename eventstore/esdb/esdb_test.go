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
		t.Skip("FUNDLEDGER_ESDB_URL not set: no EventStoreDB server here; set it to run the conformance suite against ESDB")
	}
	conformance.Run(t, func(t *testing.T, dir string) eventstore.Store {
		st, err := esdb.Open(url)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return st
	}, conformance.Features{})
}
