package export

import (
	"io"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// TestIATIMapsEveryEventType: the IATI export says what becomes of every
// event type of the domain's catalogue (a transaction, an activity, or
// nothing, stated), so a new money event cannot be left out of the file
// unnoticed. The csv and xlsx movements need no such list: they take every
// MoneyEvent's postings and WriteID, which the compiler demands.
func TestIATIMapsEveryEventType(t *testing.T) {
	for _, e := range domain.Events() {
		if !newIATIWriter("341504", io.Discard).event(&domain.Commit{}, e.Zero) {
			t.Errorf("the IATI export does not map %q", e.Type)
		}
	}
}
