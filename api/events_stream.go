package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
)

// keepAliveEvery is how often an idle event stream sends a comment, so that
// proxies do not close it and a client that went away is noticed.
const keepAliveEvery = 15 * time.Second

// liveDrain bounds how many buffered commits one flush carries.
const liveDrain = 64

// follow streams commits from from as Server-Sent Events ("event: commit",
// "id: <seq>", data the commit), then new ones as they become durable, with
// a comment every 15 s. A client that reconnects sends Last-Event-ID and
// continues after it. The stream reads its backlog in bounded chunks, then
// joins the ledger's shared feed (follow.go); it ends when the client goes
// away, when it falls too far behind, or at shutdown. head is the durable
// head when the request arrived.
func (s *Server) follow(c echo.Context, code string, from, head uint64, f eventFilter) error {
	if id := c.Request().Header.Get("Last-Event-ID"); id != "" {
		if n, err := strconv.ParseUint(id, 10, 64); err == nil {
			from = n + 1
		}
	}
	res := c.Response()
	rc := http.NewResponseController(res.Writer)
	// A stream reads nothing more from its client: a body deadline left on
	// the connection would cancel the stream's context when it passed.
	_ = rc.SetReadDeadline(time.Time{})
	res.Header().Set(echo.HeaderContentType, "text/event-stream")
	res.Header().Set("Cache-Control", "no-cache")
	res.Header().Set("X-Accel-Buffering", "no")
	res.WriteHeader(http.StatusOK)
	_ = rc.Flush()

	sw, _ := res.Writer.(*stallWriter)
	// Shutdown ends streams at once; a write blocked on a client that does
	// not read is cut shortly after.
	ctx, cancel := s.untilShutdown(c.Request().Context(), func() {
		if sw != nil {
			sw.cutAfter(ShutdownGrace)
		}
	})
	defer cancel()

	st := &stream{w: res, rc: rc, f: f, last: from - 1}
	err := s.streamEvents(ctx, code, head, st)
	switch {
	case errors.Is(err, errFollowerTooSlow):
		s.log.Warn("event stream dropped: the client does not keep up", "request_id", requestID(c), "ledger", code, "seq", st.last)
		if sw != nil {
			sw.cutAfter(0) // close the connection rather than wait on it
		}
	case err != nil && ctx.Err() == nil && !errors.Is(err, errFollowShutdown):
		s.log.Warn("event stream ended", "request_id", requestID(c), "ledger", code, "seq", st.last, "err", err)
	}
	return nil
}

// streamEvents catches st up to the head, joins the ledger's feed, and
// writes what the feed brings until ctx ends or the hub ends the follower.
func (s *Server) streamEvents(ctx context.Context, code string, head uint64, st *stream) error {
	if err := s.catchUp(ctx, code, st); err != nil {
		return err
	}
	// The feed, if this follower starts it, begins at the live point (or
	// where this follower stands, if that is earlier), never past a commit
	// another follower may still need.
	fl := s.follows.join(code, min(st.last, head)+1)
	if fl == nil {
		return errFollowShutdown
	}
	defer s.follows.part(code, fl)
	// Commits that became durable between the backlog and the join reached
	// the feed before this follower did: read them from the store.
	if err := s.catchUp(ctx, code, st); err != nil {
		return err
	}
	tick := time.NewTicker(keepAliveEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if _, err := fmt.Fprint(st.w, ": keep-alive\n\n"); err != nil {
				return err
			}
			if err := st.rc.Flush(); err != nil {
				return err
			}
		case lc, ok := <-fl.ch:
			if !ok {
				return fl.err
			}
			if err := s.deliver(ctx, code, st, lc); err != nil {
				return err
			}
			// Only this goroutine receives: what len reports is there.
			for i := 0; i < liveDrain && len(fl.ch) > 0; i++ {
				if lc, ok = <-fl.ch; !ok {
					return fl.err
				}
				if err := s.deliver(ctx, code, st, lc); err != nil {
					return err
				}
			}
			if err := st.rc.Flush(); err != nil {
				return err
			}
		}
	}
}

// deliver writes one commit from the feed unless the stream already has it;
// a gap (the feed ahead of the stream) is filled from the store first.
func (s *Server) deliver(ctx context.Context, code string, st *stream, lc *liveCommit) error {
	seq := lc.commit.Seq
	if seq > st.last+1 {
		if err := s.catchUp(ctx, code, st); err != nil {
			return err
		}
	}
	if seq <= st.last {
		return nil
	}
	return st.write(lc.commit, lc.full)
}

// catchUp writes the ledger's commits after st.last up to the head, in
// bounded chunks read from the store.
func (s *Server) catchUp(ctx context.Context, code string, st *stream) error {
	for {
		chunk, full, err := s.follows.readBacklog(ctx, code, st.last+1)
		if err != nil {
			return err
		}
		for _, cm := range chunk {
			if err := st.write(cm, nil); err != nil {
				return err
			}
		}
		if len(chunk) > 0 {
			if err := st.rc.Flush(); err != nil {
				return err
			}
		}
		if !full {
			return nil
		}
	}
}

// stream is one follower's connection and how far it has got.
type stream struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	f    eventFilter
	last uint64 // the last commit written or filtered out
}

// write sends one commit as an event if the filter keeps it; full, when
// known, is the commit's unfiltered JSON.
func (st *stream) write(cm *domain.Commit, full []byte) error {
	if cm.Seq != st.last+1 {
		return fmt.Errorf("event stream: commit %d after %d", cm.Seq, st.last)
	}
	st.last = cm.Seq
	b := full
	if b == nil || len(st.f.types) > 0 || st.f.actor != "" {
		v, ok := st.f.view(cm)
		if !ok {
			return nil
		}
		var err error
		if b, err = json.Marshal(v); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(st.w, "id: %d\nevent: commit\ndata: %s\n\n", cm.Seq, b)
	return err
}
