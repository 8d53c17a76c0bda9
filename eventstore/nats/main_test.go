package nats_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every server and connection a test starts must be gone when it ends. The
// client's ordered consumers delete their server-side consumers from a
// goroutine of their own, which may outlive the test by a moment.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/nats-io/nats.go/jetstream.(*orderedConsumer).reset.func1"),
	)
}
