package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/internal/testutil"
)

// runTokenOut runs `fundledger token args…` and answers what it printed.
func runTokenOut(t *testing.T, args ...string) string {
	t.Helper()
	stdout := os.Stdout
	r, w, _ := os.Pipe()
	os.Stdout = w
	err := runToken(args)
	w.Close()
	os.Stdout = stdout
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatalf("token %v: %v", args, err)
	}
	return string(out)
}

// TestTokenCreateAndRevokeInTheClusterBucket: `token create --nats-url`
// writes into the cluster's bucket without a server or an admin token; a
// server on that cluster accepts the token for a read and a write within
// a second, and refuses it within a second of `token revoke --nats-url`.
func TestTokenCreateAndRevokeInTheClusterBucket(t *testing.T) {
	t.Setenv("FUNDLEDGER_ADMIN_TOKEN", "")
	srv, _ := testutil.StartJetStream(t)
	url := srv.ClientURL()
	const adm = "token-cli-admin"
	// Streams R1: the test's NATS is a single server.
	st, err := nats.Open(context.Background(), nats.Options{URL: url, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(context.Background(), node.Config{DataDir: t.TempDir(), Store: st, NATSURL: url, NodeName: "a", AdminToken: adm,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.Serve(ln)
	defer n.Close()
	base := "http://" + ln.Addr().String()
	do := func(method, path, token, body string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := do("POST", "/v1/ledgers", adm, `{"code":"341504","name":"县"}`); s != 201 {
		t.Fatalf("open ledger: %d", s)
	}

	out := runTokenOut(t, "create", "--nats-url", url, "--role", "finance", "--ledger", "341504", "--label", "cli")
	var issued struct {
		ID, Token, Role string
		Ledger          *string
	}
	if err := json.Unmarshal([]byte(out), &issued); err != nil || issued.Token == "" || issued.Role != "finance" ||
		issued.Ledger == nil || *issued.Ledger != "341504" || !strings.HasPrefix(out, `{"id":`) {
		t.Fatalf("create printed %q: %v", out, err)
	}
	wait := func(what string, want int) {
		start := time.Now()
		for do("GET", "/v1/ledgers/341504/summary", issued.Token, "") != want {
			if time.Since(start) > time.Second {
				t.Fatalf("%s: not within 1 s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait("the server accepts the token the CLI wrote", 200)
	alloc := `{"id":"A1","source_level":"central","programme":"p","fiscal_year":2019,"document_no":"d","amount":"1.00"}`
	if s := do("POST", "/v1/ledgers/341504/allocations", issued.Token, alloc); s != 201 {
		t.Fatalf("write with the CLI's token: %d", s)
	}

	if out := runTokenOut(t, "revoke", "--nats-url", url, "--id", issued.ID); !strings.Contains(out, "revoked") {
		t.Fatalf("revoke printed %q", out)
	}
	wait("the server refuses the token the CLI revoked", 401)
	if err := runToken([]string{"revoke", "--nats-url", url, "--id", "tok_none"}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("not found")) {
		t.Fatalf("revoke of an unknown id: %v", err)
	}
}
