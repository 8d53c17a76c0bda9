package ledger

import (
	"testing"

	"go.uber.org/goleak"
)

// Every writer a test starts must be gone once its Manager is closed. The
// NATS client's ordered consumers delete their server-side consumers from a
// goroutine of their own, which may outlive the test by a moment.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/nats-io/nats.go/jetstream.(*orderedConsumer).reset.func1"),
	)
}
