package main

import (
	"strings"
	"testing"
)

// TestServeRefusesTwoStores: serve --nats-url with --esdb-url exits 2
// before it locks or opens anything.
func TestServeRefusesTwoStores(t *testing.T) {
	dir := t.TempDir() + "/never"
	stderr, err := captureStderr(t, func() error {
		return runServe([]string{"--data-dir", dir, "--nats-url", "nats://127.0.0.1:1", "--esdb-url", "esdb://127.0.0.1:1?tls=false"})
	})
	if exitStatus(err) != 2 || !strings.Contains(stderr, "--esdb-url") {
		t.Fatalf("answered %v: %s", err, stderr)
	}
}
