package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// logCommit is what the audit needs of one commit of GET …/events.
type logCommit struct {
	Seq      uint64     `json:"seq"`
	Hash     string     `json:"hash"`
	PrevHash string     `json:"prev_hash"`
	Key      string     `json:"idempotency_key"`
	Events   []logEvent `json:"events"`
}

// logEvent is the part of an event the audit reads: the write's id.
type logEvent struct {
	Data struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	} `json:"data"`
}

// writeID is the id the commit's write was given by its caller (the code
// for the ledger's opening).
func (c logCommit) writeID() string {
	if len(c.Events) == 0 {
		return ""
	}
	if d := c.Events[0].Data; d.ID != "" {
		return d.ID
	}
	return c.Events[0].Data.Code
}

// readLog pages through the whole event log, oldest first.
func readLog(ctx context.Context, c *client) ([]logCommit, error) {
	var all []logCommit
	from := uint64(1)
	for {
		var page struct {
			Commits []logCommit `json:"commits"`
			Next    *uint64     `json:"next_from_seq"`
		}
		if err := c.get(ctx, fmt.Sprintf("%s?from_seq=%d&limit=1000", ledgerPath("/events"), from), &page); err != nil {
			return nil, err
		}
		all = append(all, page.Commits...)
		if page.Next == nil || *page.Next <= from {
			return all, nil
		}
		from = *page.Next
	}
}

// audit is the outcome of matching the acknowledged writes against the log.
type audit struct {
	lost       int // acknowledged, not in the log (or not at its acknowledged seq and hash)
	duplicated int // acknowledged, in the log more than once (by key or by write id)
	unexpected int // in the log, never sent by the harness
	broken     int // chain faults: a gap in seqs or a prev_hash that is not the previous hash
	problems   []string
}

func (a *audit) note(format string, args ...any) {
	if len(a.problems) < 12 {
		a.problems = append(a.problems, fmt.Sprintf(format, args...))
	}
}

func (a audit) ok() bool { return a.lost+a.duplicated+a.unexpected+a.broken == 0 }

func (a audit) String() string {
	return fmt.Sprintf("lost %d, duplicated %d, unexpected %d, chain faults %d: %s",
		a.lost, a.duplicated, a.unexpected, a.broken, strings.Join(a.problems, "; "))
}

// auditLog checks that every acknowledged write is in the log exactly once,
// at the seq and with the hash it was acknowledged with, that its write id
// occurs once, that the log holds nothing the harness did not send, and that
// the log is one unbroken chain from seq 1.
func auditLog(acked []*ack, log []logCommit) audit {
	var a audit
	byKey := map[string][]logCommit{}
	byID := map[string]int{}
	prev := strings.Repeat("0", 64)
	for i, c := range log {
		if c.Seq != uint64(i+1) || c.PrevHash != prev {
			a.broken++
			a.note("commit %d of the log has seq %d and prev_hash %.12s…, want seq %d after %.12s…", i+1, c.Seq, c.PrevHash, i+1, prev)
		}
		prev = c.Hash
		byKey[c.Key] = append(byKey[c.Key], c)
		byID[c.writeID()]++
	}
	known := map[string]bool{}
	for _, k := range acked {
		known[k.op.key] = true
		found := byKey[k.op.key]
		switch {
		case len(found) == 0:
			a.lost++
			a.note("%s %s (key %s, acknowledged at seq %d) is not in the log", k.op.kind, k.op.id, k.op.key, k.seq)
		case len(found) > 1 || byID[k.op.id] > 1:
			a.duplicated++
			a.note("%s %s (key %s) is in the log %d times by key, %d by id", k.op.kind, k.op.id, k.op.key, len(found), byID[k.op.id])
		case found[0].Seq != k.seq || found[0].Hash != k.hash:
			a.lost++
			a.note("%s %s (key %s) was acknowledged as seq %d %.12s…, the log has it as seq %d %.12s…",
				k.op.kind, k.op.id, k.op.key, k.seq, k.hash, found[0].Seq, found[0].Hash)
		case found[0].writeID() != k.op.id:
			a.lost++
			a.note("key %s names write %s in the log, not %s", k.op.key, found[0].writeID(), k.op.id)
		}
	}
	for _, c := range log {
		if !known[c.Key] {
			a.unexpected++
			a.note("seq %d (key %q, write %s) was never sent by the harness", c.Seq, c.Key, c.writeID())
		}
	}
	return a
}

// verifyAnswer is GET …/verify.
type verifyAnswer struct {
	Valid       bool    `json:"valid"`
	Seq         uint64  `json:"seq"`
	HeadHash    string  `json:"head_hash"`
	FirstBadSeq *uint64 `json:"first_bad_seq"`
}

// checkVerify asks the server to walk its chain; it must be valid and end
// at the head the harness read in the log.
func checkVerify(ctx context.Context, c *client, head logCommit) error {
	var v verifyAnswer
	if err := c.get(ctx, ledgerPath("/verify"), &v); err != nil {
		return err
	}
	if !v.Valid || v.FirstBadSeq != nil || v.Seq != head.Seq || v.HeadHash != head.Hash {
		raw, _ := json.Marshal(v)
		return fmt.Errorf("verify answered %s, want valid at seq %d %s", raw, head.Seq, head.Hash)
	}
	return nil
}
