package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// Errors Resolve answers for a cut that selects nothing to export.
var (
	ErrUnknownLedger = errors.New("export: the ledger has no commits")
	ErrBeyondHead    = errors.New("export: the cut names a sequence past the ledger's head")
	ErrBeforeFirst   = errors.New("export: the cut is before the ledger's first commit")
	errNoCommits     = errors.New("export: no commits to export")
	// ErrDatedLog: the ndjson log of a business cut (a date) was asked
	// for; the log is the whole chain, cut by sequence or time only.
	ErrDatedLog = errors.New("export: the ndjson log is the hash chain itself and is cut by sequence or time, not by a business date; give as_of=N or an RFC 3339 time, or another format")
)

// Result names the last commit an export holds.
type Result struct {
	Seq     uint64
	Hash    string
	Commits uint64
}

// Resolve answers the last sequence an export of ledger code up to cut
// holds, against the store's head now: a sequence cut as it is, a time
// cut the last commit at or before that time (found by binary search, as
// commit times never go backwards), no cut the head. Fixing the sequence
// first lets a running server name the file (and keep it consistent)
// while writes continue.
func Resolve(ctx context.Context, store eventstore.Store, code string, cut projections.Cut) (uint64, error) {
	head, err := store.Head(ctx, code)
	switch {
	case err != nil:
		return 0, err
	case head == 0:
		return 0, ErrUnknownLedger
	case cut.Seq > head:
		return 0, fmt.Errorf("%w (%d)", ErrBeyondHead, head)
	case cut.Seq != 0:
		return cut.Seq, nil
	case cut.Time.IsZero():
		return head, nil
	}
	var ferr error
	// n commits lie at or before the cut: the first n of 1…head.
	n := sort.Search(int(head), func(i int) bool {
		if ferr != nil {
			return true
		}
		t, err := commitTime(ctx, store, code, uint64(i)+1)
		if err != nil {
			ferr = err
			return true
		}
		return t.After(cut.Time)
	})
	if ferr != nil {
		return 0, ferr
	}
	if n == 0 {
		return 0, ErrBeforeFirst
	}
	return uint64(n), nil
}

// commitTime reads the time of one commit. It is not checked against the
// chain: the walk that follows checks every commit it exports.
func commitTime(ctx context.Context, store eventstore.Store, code string, seq uint64) (time.Time, error) {
	var t time.Time
	found := errors.New("found")
	err := store.Read(ctx, code, seq, func(r eventstore.Record) error {
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return &ledger.ChainError{Seq: r.Seq, Reason: "cannot be decoded: " + err.Error()}
		}
		t = c.Time
		return found
	})
	if errors.Is(err, found) {
		return t, nil
	}
	if err == nil {
		err = fmt.Errorf("ledger %s has no commit %d", code, seq)
	}
	return t, err
}

// Write walks ledger code from its first commit up to seq upTo (0: the
// head), checking the hash chain, and writes it in format f to w. A broken
// chain answers the *ledger.ChainError of the first bad commit; a streamed
// format may have written the commits before it.
func Write(ctx context.Context, store eventstore.Store, code string, upTo uint64, f Format, w io.Writer) (Result, error) {
	return WriteDated(ctx, store, code, upTo, "", f, w)
}

// WriteDated is Write of a business cut: of the commits up to upTo (all
// checked against the chain), only those dated on or before date (and the
// registrations, which every business cut holds) are written; "" writes
// every one. The ndjson log is the chain itself and takes no date: a
// filtered log could not verify.
func WriteDated(ctx context.Context, store eventstore.Store, code string, upTo uint64, date string, f Format, w io.Writer) (Result, error) {
	var res Result
	if date != "" && f.Name == "ndjson" {
		return res, ErrDatedLog
	}
	cut := projections.Cut{Date: date}
	out := f.New(code, w)
	err := ledger.WalkRecords(ctx, store, code, upTo, func(c *domain.Commit, r eventstore.Record) error {
		res.Seq, res.Hash = c.Seq, c.Hash
		res.Commits++
		if !cut.Holds(c) {
			return nil
		}
		return out.Commit(c, r.Data)
	})
	if err != nil {
		return res, err
	}
	if res.Commits == 0 {
		return res, errNoCommits
	}
	if upTo != 0 && res.Seq != upTo {
		return res, fmt.Errorf("ledger %s ended at commit %d before %d", code, res.Seq, upTo)
	}
	return res, out.Close()
}
