package api_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestShutdownEndsStreamsAndFinishes: shutdown ends live event streams, so
// waiting for in-flight requests completes, and the store then closes and
// reopens with every acknowledged write.
func TestShutdownEndsStreamsAndFinishes(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	fin := e.seedCounty("10.00")
	req, _ := http.NewRequest("GET", e.url+"/v1/ledgers/"+county+"/events?follow=true", nil)
	req.Header.Set("Authorization", "Bearer "+fin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, res.Body); close(ended) }()
	w := e.must(e.call("POST", "/v1/ledgers/"+county+"/payouts", fin, payout("PO1", "A1", "1.00")), 201)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.node.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with an open event stream: %v", err)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("event stream still open after shutdown")
	}
	e.stop()
	e2 := startEnv(t, dir)
	r := e2.must(e2.call("GET", "/v1/ledgers/"+county+"/balances/funds/A1", fin, nil), 200)
	if r.num("seq") != w.num("seq") || r.str("balance") != "9.00" {
		t.Fatalf("after restart %s", r.raw)
	}
}
