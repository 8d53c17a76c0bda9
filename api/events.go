package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
)

// Event paging limits.
const (
	defaultPage = 100
	maxPage     = 1000
)

// commitView is one commit as the event log shows it.
type commitView struct {
	Seq            uint64            `json:"seq"`
	Date           string            `json:"date"` // business date (记账日期)
	Time           time.Time         `json:"time"` // record time
	Actor          string            `json:"actor"`
	Command        string            `json:"command"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	PrevHash       string            `json:"prev_hash"`
	Hash           string            `json:"hash"`
	Events         []domain.RawEvent `json:"events"`
}

// eventFilter selects commits for GET …/events.
type eventFilter struct {
	types map[string]bool // commits holding an event of one of these types
	actor string
}

func (f eventFilter) view(c *domain.Commit) (commitView, bool) {
	if f.actor != "" && c.Actor != f.actor {
		return commitView{}, false
	}
	evs := c.Events
	if len(f.types) > 0 {
		evs = nil
		for _, e := range c.Events {
			if f.types[e.Type] {
				evs = append(evs, e)
			}
		}
		if len(evs) == 0 {
			return commitView{}, false
		}
	}
	return commitView{Seq: c.Seq, Date: c.BusinessDate(), Time: c.Time, Actor: c.Actor, Command: c.Command, IdempotencyKey: c.IdempotencyKey,
		PrevHash: c.PrevHash, Hash: c.Hash, Events: evs}, true
}

func parseSeq(v, field string, required bool) (uint64, error) {
	if v == "" && !required {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: field,
			Message: fmt.Sprintf("%s must be a ledger sequence number from 1", field)}
	}
	return n, nil
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

var errPageFull = errors.New("page full")

// events pages the ledger's commits (oldest first) from from_seq, filtered
// by event type (comma-separated) and actor. With Accept: text/event-stream
// or follow=true it streams them as Server-Sent Events and keeps following.
func (s *Server) events(c echo.Context) error {
	code := c.Param("ledger")
	q := c.QueryParams()
	from, err := parseSeq(q.Get("from_seq"), "from_seq", false)
	if err != nil {
		return err
	}
	if from == 0 {
		from = 1
	}
	limit := defaultPage
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxPage {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "limit", Message: fmt.Sprintf("limit must be from 1 to %d", maxPage)}
		}
	}
	f := eventFilter{actor: q.Get("actor")}
	if t := q.Get("type"); t != "" {
		f.types = map[string]bool{}
		for _, typ := range strings.Split(t, ",") {
			f.types[strings.TrimSpace(typ)] = true
		}
	}
	cut, err := asOf(c)
	if err != nil {
		return err
	}
	following := q.Get("follow") == "true" || strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/event-stream")
	if following {
		// Before any store work: a full server refuses at once.
		if err := s.follows.admit(); err != nil {
			return err
		}
		defer s.follows.leave()
	}
	ctx := c.Request().Context()
	head, headHash, err := s.durableHead(ctx, code)
	if err != nil {
		return err
	}
	if following {
		return s.follow(c, code, from, head, f)
	}
	page := []commitView{}
	var next *uint64
	last := uint64(0)
	err = s.store.Read(ctx, code, from, func(r eventstore.Record) error {
		if r.Seq > head {
			return errPageFull // only what was durable when the request arrived
		}
		cm, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			return err
		}
		if (cut.Seq != 0 && cm.Seq > cut.Seq) || (!cut.Time.IsZero() && cm.Time.After(cut.Time)) {
			return errPageFull
		}
		if len(page) == limit {
			n := r.Seq
			next = &n
			return errPageFull
		}
		last = cm.Seq
		if !cut.Holds(cm) { // a business cut: dated after its day
			return nil
		}
		if v, ok := f.view(cm); ok {
			page = append(page, v)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	seq, hash := head, headHash
	if !cut.IsZero() {
		seq, hash = last, ""
		if last > 0 {
			if cm, err := s.manager.Commit(ctx, code, last); err == nil {
				hash = cm.Hash
			}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"seq": seq, "head_hash": hash, "commits": page, "next_from_seq": next})
}
