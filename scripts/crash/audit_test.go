package main

import (
	"fmt"
	"strings"
	"testing"
)

// fakeLog makes a chained log of commits for keys (a key of "" means a
// commit without one), each commit's write id being "id-"+key.
func fakeLog(keys ...string) []logCommit {
	log := make([]logCommit, len(keys))
	prev := strings.Repeat("0", 64)
	for i, k := range keys {
		c := logCommit{Seq: uint64(i + 1), Hash: fmt.Sprintf("%064d", i+1), PrevHash: prev, Key: k}
		c.Events = make([]logEvent, 1)
		c.Events[0].Data.ID = "id-" + k
		log[i], prev = c, c.Hash
	}
	return log
}

// acksFor acknowledges each key at its position in log.
func acksFor(log []logCommit, keys ...string) []*ack {
	var out []*ack
	for _, k := range keys {
		for _, c := range log {
			if c.Key == k {
				out = append(out, &ack{op: &op{key: k, id: "id-" + k, kind: "allocation"}, seq: c.Seq, hash: c.Hash})
				break
			}
		}
	}
	return out
}

func TestAuditLogPassesAnExactLog(t *testing.T) {
	log := fakeLog("a", "b", "c")
	if a := auditLog(acksFor(log, "a", "b", "c"), log); !a.ok() {
		t.Fatalf("exact log: %s", a)
	}
}

func TestAuditLogCountsWhatWentWrong(t *testing.T) {
	full := fakeLog("a", "b", "c", "d")
	acked := acksFor(full, "a", "b", "c", "d")
	cases := []struct {
		name string
		log  []logCommit
		want audit
	}{
		{"a lost tail", full[:3], audit{lost: 1}},
		{"a write twice by key", append(fakeLog("a", "b", "c", "d"), fakeLog("a", "b", "c", "d", "b")[4]), audit{duplicated: 1}},
		{"a commit never sent", fakeLog("a", "b", "c", "d", "x"), audit{unexpected: 1}},
		{"a write at another seq", fakeLog("a", "c", "b", "d"), audit{lost: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := auditLog(acked, tc.log)
			if got.lost != tc.want.lost || got.duplicated != tc.want.duplicated || got.unexpected != tc.want.unexpected {
				t.Fatalf("got %s", got)
			}
		})
	}
}

func TestAuditLogFindsADuplicateByWriteID(t *testing.T) {
	log := fakeLog("a", "b", "c")
	log[2].Events[0].Data.ID = "id-a" // the same write under another key
	acked := acksFor(log, "a", "b", "c")
	acked[2].op.id = "id-c"
	a := auditLog(acked, log)
	if a.duplicated != 1 || a.lost != 1 {
		t.Fatalf("got %s", a)
	}
}

func TestAuditLogFindsABrokenChain(t *testing.T) {
	log := fakeLog("a", "b", "c")
	log[1].PrevHash = strings.Repeat("f", 64)
	if a := auditLog(acksFor(log, "a", "b", "c"), log); a.broken != 1 {
		t.Fatalf("got %s", a)
	}
	gap := append(fakeLog("a", "b")[:1:1], fakeLog("a", "b", "c")[2])
	if a := auditLog(acksFor(gap, "a", "c"), gap); a.broken != 1 {
		t.Fatalf("gap: got %s", a)
	}
}
