package failover

import (
	"os"
	"testing"
)

// TestMain lets the test binary be started again as a cluster node (see
// RunNodeIfAsked): the failover test kills one with SIGKILL.
func TestMain(m *testing.M) {
	RunNodeIfAsked()
	os.Exit(m.Run())
}
