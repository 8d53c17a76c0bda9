package domain

import (
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata/")

const goldenPath = "../testdata/commit_hash_v1.json"

// goldenCommits are the inputs of the pinned hash vectors: a first commit,
// a chained one with Chinese text and an idempotency key, and an empty one.
func goldenCommits(t *testing.T) []*Commit {
	events, err := EncodeEvents([]Event{
		FundAllocated{ID: "A2019-001", SourceLevel: "central", Programme: "中央财政专项扶贫资金", FiscalYear: 2019,
			DocumentNo: "财农〔2019〕1号", Amount: MustParse("1000000.00"),
			Postings: transfer(SourceAccount("central", "中央财政专项扶贫资金"), FundAccount(PoolPoverty, "A2019-001"), MustParse("1000000"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	first := &Commit{Ledger: "341504", Seq: 1, Time: time.Date(2019, 3, 1, 8, 30, 0, 0, time.UTC), Actor: "admin",
		Command: "open_ledger", Events: []RawEvent{{Type: "ledger.opened", Data: json.RawMessage(`{"code":"341504","name":"某县"}`)}},
		PrevHash: GenesisHash}
	first.Seal()
	second := &Commit{Ledger: "341504", Seq: 2, Time: time.Date(2019, 3, 2, 9, 0, 0, 123456789, time.UTC), Actor: "tok_finance",
		Command: "allocate", IdempotencyKey: "alloc-2019-001", RequestHash: "9f2c", Events: events, PrevHash: first.Hash}
	second.Seal()
	empty := &Commit{Ledger: "x", Seq: 3, Time: time.Unix(0, 0).UTC(), PrevHash: second.Hash}
	empty.Seal()
	return []*Commit{first, second, empty}
}

// TestCommitHashMatchesGoldenVectors pins the canonical encoding: if this
// fails, stored chains would no longer verify. Never update the file to make
// it pass; add a v2 encoding instead.
func TestCommitHashMatchesGoldenVectors(t *testing.T) {
	commits := goldenCommits(t)
	if *updateGolden {
		// One stored commit per line, byte for byte as the store holds it:
		// re-indenting would change the event bytes the hash covers.
		b := []byte("[\n")
		for i, c := range commits {
			line, _ := c.Marshal()
			b = append(b, line...)
			if i < len(commits)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		if err := os.WriteFile(goldenPath, append(b, "]\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var golden []*Commit
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(commits) {
		t.Fatalf("%d golden vectors, want %d", len(golden), len(commits))
	}
	for i, g := range golden {
		if got := g.ComputeHash(); got != g.Hash {
			t.Errorf("vector %d: stored commit hashes to %s, file says %s", i, got, g.Hash)
		}
		if commits[i].Hash != g.Hash {
			t.Errorf("vector %d: building it today hashes to %s, file says %s", i, commits[i].Hash, g.Hash)
		}
	}
}

func TestAnyEditChangesTheHash(t *testing.T) {
	c := goldenCommits(t)[1]
	edits := []func(*Commit){
		func(c *Commit) { c.Ledger = "341505" },
		func(c *Commit) { c.Seq++ },
		func(c *Commit) { c.Time = c.Time.Add(time.Nanosecond) },
		func(c *Commit) { c.Actor = "someone" },
		func(c *Commit) { c.IdempotencyKey = "" },
		func(c *Commit) { c.PrevHash = GenesisHash },
		func(c *Commit) { c.Events[0].Data = json.RawMessage(`{"amount":"1000000.01"}`) },
		func(c *Commit) { c.Events[0].Type = "fund.integrated" },
		func(c *Commit) { c.Events = append(c.Events, c.Events[0]) },
	}
	for i, edit := range edits {
		d := *c
		d.Events = append([]RawEvent(nil), c.Events...)
		edit(&d)
		if d.ComputeHash() == c.Hash {
			t.Errorf("edit %d left the hash unchanged", i)
		}
	}
}

func TestStoredCommitRoundTripsByteForByte(t *testing.T) {
	for _, c := range goldenCommits(t) {
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalCommit(b)
		if err != nil {
			t.Fatal(err)
		}
		if back.ComputeHash() != c.Hash {
			t.Fatalf("commit %d does not verify after a round trip", c.Seq)
		}
		again, _ := back.Marshal()
		if string(again) != string(b) {
			t.Fatalf("re-encoding changed the bytes:\n%s\n%s", b, again)
		}
		events, err := back.Decode()
		if err != nil || len(events) != len(c.Events) {
			t.Fatalf("decode: %v", err)
		}
	}
}
