package projections

import (
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// TestFoldKnowsEveryEventType: the read model folds every event type of the
// domain's catalogue, so a new event cannot be recorded and then silently
// left out of balances, summaries and disclosures.
func TestFoldKnowsEveryEventType(t *testing.T) {
	for _, e := range domain.Events() {
		if !NewModel("341504").apply(&domain.Commit{}, e.Zero) {
			t.Errorf("the projections' fold does not know %q", e.Type)
		}
	}
}
