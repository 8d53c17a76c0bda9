package node

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestOpenRefusesTwoStores: --nats-url with --esdb-url is a clear error,
// before anything is opened.
func TestOpenRefusesTwoStores(t *testing.T) {
	_, err := Open(context.Background(), Config{DataDir: t.TempDir(), NATSURL: "nats://127.0.0.1:1", ESDBURL: "esdb://127.0.0.1:1?tls=false"})
	if !errors.Is(err, errTwoStores) {
		t.Fatalf("Open with two stores answered %v", err)
	}
}

// TestOpenSelectsEventStoreDB: an --esdb-url goes to the esdb adapter,
// which refuses a malformed connection string without dialling.
func TestOpenSelectsEventStoreDB(t *testing.T) {
	_, err := Open(context.Background(), Config{DataDir: t.TempDir(), ESDBURL: "http://not-an-esdb-url"})
	if err == nil || !strings.Contains(err.Error(), "esdb") {
		t.Fatalf("Open with a malformed esdb URL answered %v", err)
	}
}
