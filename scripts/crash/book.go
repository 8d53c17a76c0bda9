package main

import (
	"sort"
	"sync"
)

// ack is an acknowledged write: the server answered 201 with seq and hash,
// so the write must be in the log exactly once, at that seq, for good.
type ack struct {
	op   *op
	seq  uint64
	hash string
}

// book is the harness's own record of what it was told, kept apart from
// anything the server says later: the acknowledged writes by key, and the
// writes whose outcome is unknown because the connection broke.
type book struct {
	mu      sync.Mutex
	acked   map[string]*ack
	inDoubt []*op
}

func newBook() *book { return &book{acked: map[string]*ack{}} }

// acknowledge records a 201; it answers false if the key had been
// acknowledged before with another seq or hash (a retry must answer the
// original result).
func (b *book) acknowledge(o *op, a answer) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if prev, ok := b.acked[o.key]; ok {
		return prev.seq == a.seq && prev.hash == a.hash
	}
	b.acked[o.key] = &ack{op: o, seq: a.seq, hash: a.hash}
	return true
}

func (b *book) doubt(o *op) {
	b.mu.Lock()
	b.inDoubt = append(b.inDoubt, o)
	b.mu.Unlock()
}

// takeDoubts answers the writes in doubt and forgets them.
func (b *book) takeDoubts() []*op {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.inDoubt
	b.inDoubt = nil
	return d
}

func (b *book) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.acked)
}

// sorted answers the acknowledged writes in seq order.
func (b *book) sorted() []*ack {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*ack, 0, len(b.acked))
	for _, a := range b.acked {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// totals is what the acknowledged writes add up to: the figures the server's
// summary and balances must show, computed without asking the server.
type totals struct {
	allocated    int64 // every allocation, the base fund included
	appropriated int64
	byProject    map[string]int64
	paidOut      int64
	lines        int
}

func (b *book) totals() totals {
	t := totals{byProject: map[string]int64{}}
	for _, a := range b.sorted() {
		switch a.op.kind {
		case "allocation":
			t.allocated += a.op.fen
		case "appropriation":
			t.appropriated += a.op.fen
			t.byProject[a.op.project] += a.op.fen
		case "batch":
			t.paidOut += a.op.fen
			t.lines += a.op.lines
		}
	}
	return t
}

func (b *book) doubts() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.inDoubt)
}
