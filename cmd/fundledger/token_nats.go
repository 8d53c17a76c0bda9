package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
)

// tokenInBucket issues or revokes a token in the bucket the servers of a
// NATS cluster share (api.TokenBucket): every server watching it accepts
// or refuses the token within a moment, whether it runs or not yet. The
// answer to create is the one POST /v1/tokens gives.
func tokenInBucket(natsURL string, auth nats.Auth, sub, role, ledgerCode, label, id string) error {
	switch {
	case sub == "create" && role != api.RoleFinance && role != api.RoleAuditor:
		return errors.New("--role must be finance or auditor")
	case sub == "create" && ledgerCode != "" && !eventstore.ValidLedgerCode(ledgerCode):
		return fmt.Errorf("--ledger %q is not a county's division code, e.g. 341504", ledgerCode)
	case sub == "create" && len(label) > 128:
		return errors.New("--label is longer than 128 characters")
	case sub == "revoke" && id == "":
		return errors.New("--id is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	copts, err := auth.ConnectOptions()
	if err != nil {
		return err
	}
	tokens, err := api.OpenTokensKV(ctx, api.TokensKVOptions{URL: natsURL, Name: "fundledger token " + sub, ConnectOptions: copts,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer tokens.Close()
	if sub == "revoke" {
		if err := tokens.Revoke(id); err != nil {
			return fmt.Errorf("revoke %s: %w", id, err)
		}
		fmt.Printf("token %s revoked\n", id)
		return nil
	}
	tok, bearer, err := tokens.Issue(role, ledgerCode, label)
	if err != nil {
		return err
	}
	out := struct {
		ID     string  `json:"id"`
		Token  string  `json:"token"`
		Role   string  `json:"role"`
		Ledger *string `json:"ledger"`
	}{ID: tok.ID, Token: bearer, Role: tok.Role}
	if tok.Ledger != "" {
		out.Ledger = &tok.Ledger
	}
	b, _ := json.Marshal(out)
	os.Stdout.Write(b)
	fmt.Println()
	return nil
}
