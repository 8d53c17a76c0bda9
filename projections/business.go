package projections

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Business cuts (as_of=DATE) fold the commits dated on or before a day, in
// record order, as known at a record head R (the head, or known_at).
//
// Fast path. Commits are mostly entered in date order, so the cut is almost
// a prefix of the log: let k be the last commit before the first one dated
// after the day. The cut is the record-cut model at k (the nearest snapshot
// plus a short replay, as any as_of=N read) plus the few commits after k,
// up to R, that are back-dated to the day or before (补录), applied in
// record order. Which commits those are is read from a small index kept in
// every model and snapshot (Days: runs of consecutive commits of one date,
// a few bytes per day of history), so nothing after k is read from the
// store but those commits. The answer is, by construction, the fold of
// exactly the commits the slow path (ReplayBusiness: read everything up to
// R, fold the dated ones, skip the rest) folds, in the same order; a
// property test holds the two equal.

// dayRun is a run of consecutive commits with one business date: the first
// commit's seq and the date as YYYYMMDD (0: a registration, in every cut).
type dayRun [2]uint64

// dayNum answers a business date as the number YYYYMMDD, which orders as
// the dates do.
func dayNum(date string) uint64 {
	n, _ := strconv.ParseUint(strings.ReplaceAll(date, "-", ""), 10, 64)
	return n
}

// index records commit c's business date in the model's run index.
func (m *Model) index(c *domain.Commit) {
	var day uint64
	if !inEveryCut(c.Command) {
		day = dayNum(c.BusinessDate())
	}
	if n := len(m.st.Days); n > 0 && m.st.Days[n-1][1] == day {
		return
	}
	m.st.Days = append(m.st.Days, dayRun{c.Seq, day})
}

// BusinessDate answers the date of the business cut the model is (as
// as_of=DATE asked), or "" for a record cut or the live model.
func (m *Model) BusinessDate() string { return m.date }

// Day answers the day the model describes: its business cut's date, or
// the record day (China time) of its head commit; "" for an empty model.
func (m *Model) Day() string {
	if m.date != "" {
		return m.date
	}
	if m.st.Time.IsZero() {
		return ""
	}
	return domain.ChinaDay(m.st.Time)
}

// seqRange is an inclusive range of sequence numbers.
type seqRange struct{ from, to uint64 }

// planCut answers, for the business date day (YYYYMMDD) known at record
// head r, the prefix k of the log that lies wholly within the cut and the
// ranges after k, up to r, of commits dated on or before day.
func planCut(runs []dayRun, day, r uint64) (k uint64, back []seqRange) {
	k = r
	found := false
	for i, run := range runs {
		first := run[0]
		if first > r {
			break
		}
		last := r
		if i+1 < len(runs) && runs[i+1][0]-1 < last {
			last = runs[i+1][0] - 1
		}
		in := run[1] <= day
		switch {
		case !in && !found:
			k, found = first-1, true
		case in && found:
			if n := len(back); n > 0 && back[n-1].to+1 == first {
				back[n-1].to = last
			} else {
				back = append(back, seqRange{first, last})
			}
		}
	}
	return k, back
}

// lateCommits keeps, per ledger, the commits entered out of date order:
// those dated before a commit recorded earlier (补录). They are the only
// commits after the prefix k that a business cut can need, and they are
// few, so they are kept decoded in memory rather than read from the store
// at each cut (a short store read costs a frame lookup; hundreds of them
// cost more than the whole replay). The set is filled lazily, by the first
// business cut that reaches past what it holds, in one read of the store.
type lateCommits struct {
	mu      sync.Mutex
	upTo    uint64                    // every late commit with seq <= upTo is held
	commits map[uint64]*domain.Commit // by seq
	over    bool                      // past maxLate: business cuts read the store instead
}

// maxLate bounds the late commits held per ledger (about 600 bytes each);
// a variable so that the property test runs both ways.
var maxLate uint64 = 200_000

// lateRanges answers the ranges of late commits in (from, to]: runs dated
// before the latest date of the runs before them.
func lateRanges(runs []dayRun, from, to uint64) []seqRange {
	var out []seqRange
	var maxDay uint64
	for i, run := range runs {
		first := run[0]
		if first > to {
			break
		}
		last := to
		if i+1 < len(runs) && runs[i+1][0]-1 < last {
			last = runs[i+1][0] - 1
		}
		if run[1] < maxDay && last > from {
			out = append(out, seqRange{max(first, from+1), last})
		}
		maxDay = max(maxDay, run[1])
	}
	return out
}

// backDated answers the commits of the back ranges, from the late commits
// it holds (filling them up to r first), or nil when there are too many to
// hold and the caller must read the store.
func (p *Projector) backDated(ctx context.Context, t *tracked, runs []dayRun, back []seqRange, r uint64) ([]*domain.Commit, error) {
	l := &t.late
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.over {
		return nil, nil
	}
	if l.commits == nil {
		l.commits = map[uint64]*domain.Commit{}
	}
	if r > l.upTo {
		fill := lateRanges(runs, l.upTo, r)
		n := uint64(len(l.commits))
		for _, rg := range fill {
			n += rg.to - rg.from + 1
		}
		if n > maxLate {
			l.over, l.commits = true, nil
			return nil, nil
		}
		err := readRanges(ctx, p.store, t.code, fill, 1<<62, func(c *domain.Commit) error {
			l.commits[c.Seq] = c
			return nil
		})
		if err != nil {
			return nil, err
		}
		l.upTo = r
	}
	var out []*domain.Commit
	for _, rg := range back {
		for seq := rg.from; seq <= rg.to; seq++ {
			c := l.commits[seq]
			if c == nil { // not late after all: the index and the set disagree
				return nil, fmt.Errorf("projections: ledger %s: back-dated commit %d not found among the late commits", t.code, seq)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// readBusiness serves a business cut (Read has waited for its record head).
func (p *Projector) readBusiness(ctx context.Context, t *tracked, cut Cut, fn func(*Model) error) error {
	r := t.seq.Load()
	switch {
	case cut.Seq != 0:
		r = cut.Seq
	case !cut.Time.IsZero():
		var err error
		if r, err = seqAtTime(ctx, p.store, t.code, cut.Time, r); err != nil {
			return p.damageIf(t, err)
		}
	}
	t.mu.RLock()
	runs := t.model.st.Days // append-only: the runs up to its length never change
	t.mu.RUnlock()
	k, back := planCut(runs, dayNum(cut.Date), r)
	if len(back) == 0 && k == r {
		done, err := t.readLiveView(r, cut.Date, fn)
		if done {
			return err
		}
	}
	m, err := p.businessModel(ctx, t, cut.Date, k, back, r, runs)
	if err != nil {
		return err
	}
	return fn(m)
}

// readLiveView serves fn a view of the live model, dated, when the live
// model is exactly at seq r.
func (t *tracked) readLiveView(r uint64, date string, fn func(*Model) error) (bool, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := t.damagedErr(); err != nil {
		return true, err
	}
	if t.model.Seq() != r {
		return false, nil
	}
	v := *t.model                 // shares the maps, read-only under the lock
	v.date, v.st.Days = date, nil // as every business model: no date index
	return true, fn(&v)
}

// businessModel builds the business cut: the model at k, the back-dated
// ranges applied in order, the head set to r.
func (p *Projector) businessModel(ctx context.Context, t *tracked, date string, k uint64, back []seqRange, r uint64, runs []dayRun) (*Model, error) {
	m := NewModel(t.code)
	if k > 0 {
		var err error
		if m, err = p.replay(ctx, t, Cut{Seq: k}); err != nil {
			return nil, err
		}
	}
	late, err := p.backDated(ctx, t, runs, back, r)
	if err != nil {
		return nil, p.damageIf(t, err)
	}
	if late != nil || len(back) == 0 {
		for _, c := range late {
			if err := m.applyLoose(c); err != nil {
				return nil, err
			}
		}
	} else if err := readRanges(ctx, p.store, t.code, back, mergeGap, m.applyLoose); err != nil {
		return nil, p.damageIf(t, err)
	}
	if err := p.setHead(ctx, t, m, r); err != nil {
		return nil, p.damageIf(t, err)
	}
	m.date = date
	return m, nil
}

// mergeGap is how many commits outside the cut one store read may pass
// over rather than open another read. A read of a few commits costs a few
// gets of the store's frames (up to a thousand commits each), not a
// consumer, so only ranges that nearly touch are merged: the 1M benchmark
// read 1,024 apart spent more passing over the commits between than the
// reads would have cost.
const mergeGap = 64

// applyLoose folds commit c into m without the link check (a back-dated
// commit is not the next one); the head is set once all are applied.
func (m *Model) applyLoose(c *domain.Commit) error {
	events, err := c.Decode()
	if err != nil {
		return err
	}
	for _, e := range events {
		m.apply(c, e)
	}
	m.st.Events += uint64(len(events))
	return nil
}

// readRanges reads the commits of the ranges from the store, in order,
// calling fn for each: one store read per group of ranges less than gap
// apart.
func readRanges(ctx context.Context, store eventstore.Store, ledger string, ranges []seqRange, gap uint64, fn func(*domain.Commit) error) error {
	for i := 0; i < len(ranges); {
		j := i
		for j+1 < len(ranges) && ranges[j+1].from-ranges[j].to <= gap {
			j++
		}
		group, cur := ranges[i:j+1], 0
		end := group[len(group)-1].to
		err := store.Read(ctx, ledger, group[0].from, func(r eventstore.Record) error {
			if r.Seq > end {
				return errStop
			}
			for cur < len(group) && r.Seq > group[cur].to {
				cur++
			}
			if r.Seq < group[cur].from {
				return nil
			}
			c, err := domain.UnmarshalCommit(r.Data)
			if err != nil {
				return err
			}
			if c.Seq != r.Seq || c.Ledger != ledger {
				return &LinkError{ledger, r.Seq, "the stored commit does not carry its own sequence"}
			}
			if err := fn(c); err != nil {
				return err
			}
			if r.Seq == end {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
		i = j + 1
	}
	return nil
}

// setHead makes m answer the record head r it was cut at: seq, hash and
// time of commit r (from the live model when it is there, else the
// store). A business model keeps no date index.
func (p *Projector) setHead(ctx context.Context, t *tracked, m *Model, r uint64) error {
	m.st.Days = nil
	if r == 0 {
		return nil
	}
	t.mu.RLock()
	live := t.model
	if live.Seq() == r {
		m.st.Seq, m.st.Hash, m.st.Time = r, live.HeadHash(), live.Time()
	}
	t.mu.RUnlock()
	if m.st.Seq == r {
		return nil
	}
	c, err := readCommit(ctx, p.store, m.Ledger(), r)
	if err != nil {
		return err
	}
	m.st.Seq, m.st.Hash, m.st.Time = c.Seq, c.Hash, c.Time
	return nil
}

// readCommit answers the commit at seq.
func readCommit(ctx context.Context, store eventstore.Store, ledger string, seq uint64) (*domain.Commit, error) {
	var c *domain.Commit
	err := store.Read(ctx, ledger, seq, func(r eventstore.Record) error {
		var err error
		if c, err = domain.UnmarshalCommit(r.Data); err != nil {
			return err
		}
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	if c == nil || c.Seq != seq {
		return nil, fmt.Errorf("projections: ledger %s holds no commit %d", ledger, seq)
	}
	return c, nil
}

// seqAtTime answers the last commit recorded at or before at (0 if none),
// among 1..head: a binary search, as commit times never go backwards.
func seqAtTime(ctx context.Context, store eventstore.Store, ledger string, at time.Time, head uint64) (uint64, error) {
	var err error
	n := sort.Search(int(head), func(i int) bool { // first index whose commit is after at
		if err != nil {
			return true
		}
		var c *domain.Commit
		c, err = readCommit(ctx, store, ledger, uint64(i)+1)
		return err == nil && c.Time.After(at)
	})
	return uint64(n), err
}

// ReplayBusiness folds a business cut the slow, obvious way: every commit
// within the cut's record part, in order, folding those the cut holds and
// passing over the rest. It is the reference the fast path is tested
// against, and what the offline replay of a log file uses.
func ReplayBusiness(ctx context.Context, store eventstore.Store, ledger string, cut Cut) (*Model, error) {
	m := NewModel(ledger)
	err := store.Read(ctx, ledger, 1, func(r eventstore.Record) error {
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return err
		}
		if !cut.includes(c.Seq, c.Time) {
			return errStop
		}
		return m.ApplyCut(c, cut)
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	m.st.Days = nil
	m.date = cut.Date
	return m, nil
}

// MarkBusinessCut records that m, folded with ApplyCut, is the business
// cut of date ("" leaves it a record cut) and drops its date index.
func (m *Model) MarkBusinessCut(date string) {
	if date != "" {
		m.date, m.st.Days = date, nil
	}
}

// ApplyCut folds the next commit c into m if cut holds it; otherwise it
// only moves m's head past c (checking that c follows it), so the model
// answers the seq and hash it was read at.
func (m *Model) ApplyCut(c *domain.Commit, cut Cut) error {
	if cut.Holds(c) {
		return m.Apply(c)
	}
	return m.applyDecoded(c, nil)
}
