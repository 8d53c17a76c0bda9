package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/scenario"
)

// seedDataDir writes a small version of seed 001 to an embedded store.
func seedDataDir(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	store, err := nats.Open(ctx, nats.Options{DataDir: dir, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := scenario.Load(filepath.Join("..", "..", "testdata", "seed001.json"))
	if err != nil {
		t.Fatal(err)
	}
	spec.Households = 40
	plan, err := scenario.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := scenario.Run(ctx, store, plan); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, plan.Ledger
}

func TestReplayWritesSummaryAndBalances(t *testing.T) {
	dir, code := seedDataDir(t)
	out := filepath.Join(t.TempDir(), "seed.csv")
	if err := runReplay([]string{"--data-dir", dir, "--ledger", code, "--out", out}); err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(csv), "\ufeffkind,id,received,spent,balance") || !strings.Contains(string(csv), "\nprojects,P001,") {
		t.Fatalf("csv: %v\n%.300s", err, csv)
	}
	var got struct {
		Seq     uint64 `json:"seq"`
		Summary struct {
			Integration struct{ Ratio string } `json:"integration"`
			Projects    struct {
				IndustryShare string `json:"industry_share"`
			} `json:"projects"`
		} `json:"summary"`
		Balances map[string]map[string]json.RawMessage `json:"balances"`
	}
	b, err := os.ReadFile(strings.TrimSuffix(out, ".csv") + ".json")
	if err != nil || json.Unmarshal(b, &got) != nil {
		t.Fatalf("json: %v", err)
	}
	if got.Summary.Integration.Ratio != "0.5224" || got.Summary.Projects.IndustryShare != "0.7580" || len(got.Balances["projects"]) != 81 {
		t.Fatalf("replay summary: %+v, %d projects", got.Summary, len(got.Balances["projects"]))
	}

	// As of a sequence: the answer says which.
	out2 := filepath.Join(t.TempDir(), "early.json")
	if err := runReplay([]string{"--data-dir", dir, "--ledger", code, "--seq", "10", "--out", out2}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(out2)
	if err := json.Unmarshal(b, &got); err != nil || got.Seq != 10 {
		t.Fatalf("as of seq 10 answered seq %d (%v)", got.Seq, err)
	}
	// Before the first allocation, as of a date (a business cut, known at
	// the head): the households are there, no money is.
	if err := runReplay([]string{"--data-dir", dir, "--ledger", code, "--as-of", "2019-01-01", "--out", out2}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(out2)
	got.Balances = nil
	if err := json.Unmarshal(b, &got); err != nil || got.Seq == 0 || len(got.Balances["households"]) == 0 || len(got.Balances["funds"]) != 0 {
		t.Fatalf("as of 2019-01-01 answered seq %d, %d households, %d funds (%v)", got.Seq, len(got.Balances["households"]), len(got.Balances["funds"]), err)
	}
}

func TestRebuildWritesCheckpoint(t *testing.T) {
	dir, code := seedDataDir(t)
	if err := runRebuild([]string{"--data-dir", dir, "--ledger", code}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "projections", code, "checkpoint.json")); err != nil {
		t.Fatal(err)
	}
}
