package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fundledger/fundledger/eventstore/nats"
)

func init() { commands["token"] = runToken }

// runToken issues or revokes tokens on a running server, as the admin, or
// with --nats-url in the token bucket of the servers' NATS cluster.
func runToken(args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return fmt.Errorf("usage: fundledger token create --role finance|auditor [--ledger CODE] [--server URL | --nats-url URL]\n       fundledger token revoke --id TOKEN_ID [--server URL | --nats-url URL]")
	}
	sub := args[0]
	fs := newFlags("token "+sub, "fundledger token create --role finance|auditor [--ledger CODE] | token revoke --id ID: issue or revoke a bearer token on a running server (the admin token comes from FUNDLEDGER_ADMIN_TOKEN), or with --nats-url in the bucket every server of that NATS cluster reads")
	server := fs.String("server", "http://127.0.0.1:8080", "URL of the running fundledger server")
	natsURL := fs.String("nats-url", "", "write into the token bucket of the servers sharing this NATS cluster instead of calling a server (no admin token needed: access to the cluster is the authority)")
	var auth nats.Auth
	addNATSAuthFlags(fs, &auth)
	role := fs.String("role", "", "finance or auditor (create)")
	ledgerCode := fs.String("ledger", "", "limit the token to this ledger (create; default every ledger)")
	label := fs.String("label", "", "a note on whom the token is for (create)")
	id := fs.String("id", "", "token id to revoke (revoke)")
	admin := fs.String("admin-token", "", "the admin token (set FUNDLEDGER_ADMIN_TOKEN rather than the flag)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *natsURL != "" {
		return tokenInBucket(*natsURL, auth, sub, *role, *ledgerCode, *label, *id)
	}
	if *admin == "" {
		return fmt.Errorf("set FUNDLEDGER_ADMIN_TOKEN to the server's admin token")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	var req *http.Request
	var err error
	base := strings.TrimRight(*server, "/")
	if sub == "create" {
		if *role != "finance" && *role != "auditor" {
			return fmt.Errorf("--role must be finance or auditor")
		}
		body, _ := json.Marshal(map[string]string{"role": *role, "ledger": *ledgerCode, "label": *label})
		req, err = http.NewRequest(http.MethodPost, base+"/v1/tokens", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	} else {
		if *id == "" {
			return fmt.Errorf("--id is required")
		}
		req, err = http.NewRequest(http.MethodDelete, base+"/v1/tokens/"+*id, nil)
	}
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+*admin)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 300 {
		return fmt.Errorf("server answered %s: %s", res.Status, bytes.TrimSpace(out))
	}
	if sub == "revoke" {
		fmt.Printf("token %s revoked\n", *id)
		return nil
	}
	os.Stdout.Write(out)
	fmt.Println()
	return nil
}
