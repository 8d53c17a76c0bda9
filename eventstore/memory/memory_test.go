package memory_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/conformance"
	"github.com/fundledger/fundledger/eventstore/memory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T, dir string) eventstore.Store {
		return memory.New()
	}, conformance.Features{})
}

func TestConformanceWithLimit(t *testing.T) {
	conformance.Run(t, func(t *testing.T, dir string) eventstore.Store {
		return memory.NewWithLimit(16 << 20)
	}, conformance.Features{MaxAppendBytes: 16 << 20})
}
