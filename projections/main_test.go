package projections

import (
	"testing"

	"go.uber.org/goleak"
)

// Every projector a test runs must be gone once its context ends. The
// NATS client's ordered consumers delete their server-side consumers from a
// goroutine of their own, which may outlive the test by a moment.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/nats-io/nats.go/jetstream.(*orderedConsumer).reset.func1"),
	)
}
