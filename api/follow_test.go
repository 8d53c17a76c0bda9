package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/api"
)

// sseConn is one live follower over a raw TCP connection: the test reads
// only what it checks.
type sseConn struct {
	path string
	conn net.Conn
	res  *http.Response
	rd   *bufio.Reader
}

// openFollower sends GET path with Accept: text/event-stream over a new
// connection and reads the status and headers.
func openFollower(t testing.TB, base, path, token string, extra ...string) (*sseConn, error) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n"
	for i := 0; i+1 < len(extra); i += 2 {
		req += extra[i] + ": " + extra[i+1] + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 4096)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &sseConn{path: path, conn: conn, res: res, rd: bufio.NewReaderSize(res.Body, 4096)}, nil
}

// sseEvent is one commit event of a stream.
type sseEvent struct {
	id  uint64
	seq uint64 // the seq inside the data
}

// next reads the stream up to the next commit event, skipping comments.
func (s *sseConn) next() (sseEvent, error) {
	var ev sseEvent
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "id: "):
			ev.id, _ = strconv.ParseUint(line[4:], 10, 64)
		case strings.HasPrefix(line, "data: "):
			var c struct {
				Seq uint64 `json:"seq"`
			}
			if err := json.Unmarshal([]byte(line[6:]), &c); err != nil {
				return ev, err
			}
			ev.seq = c.Seq
		case line == "" && ev.id != 0:
			return ev, nil
		}
	}
}

// until reads events until one with seq, checking that each is the one
// after *prev (so a stream from from_seq=N starts with *prev = N-1).
func (s *sseConn) until(seq uint64, prev *uint64) error {
	_ = s.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		ev, err := s.next()
		if err != nil {
			return fmt.Errorf("before commit %d (last %d): %w", seq, *prev, err)
		}
		if ev.id != ev.seq {
			return fmt.Errorf("event id %d carries commit %d", ev.id, ev.seq)
		}
		if ev.seq != *prev+1 {
			return fmt.Errorf("commit %d after %d: a gap or a duplicate", ev.seq, *prev)
		}
		*prev = ev.seq
		if ev.seq >= seq {
			return nil
		}
	}
}

// streamConsumers answers how many consumers the ledger's stream has.
func streamConsumers(t *testing.T, e *env) int {
	t.Helper()
	nc, err := natsgo.Connect("", natsgo.InProcessServer(e.store.Server()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, "FUNDLEDGER_"+county)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Consumers
}

// metric answers the value of an unlabelled metric from /metrics.
func (e *env) metric(name string) string {
	e.t.Helper()
	r := e.must(e.call("GET", "/metrics", "", nil), 200)
	for _, line := range strings.Split(string(r.raw), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestFollowersShareOneSubscriptionAndAreCapped: 1,100 followers of one
// ledger at once. The first MaxFollowers are served, the rest answered 503
// too_many_followers with Retry-After; the store keeps a handful of
// consumers, so reads that need one (/verify, as_of, an idempotent retry)
// still answer; every follower gets the next commit; when they leave, the
// shared subscription goes too.
func TestFollowersShareOneSubscriptionAndAreCapped(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	// More than a few frames, so that reading the backlog from 1 takes a
	// store consumer (short tail reads fetch messages one by one).
	var w response
	for i := range 12 {
		w = e.must(e.call("POST", L+"/payouts", fin, payout(fmt.Sprintf("PO%d", i), "A1", "1.00"), "Idempotency-Key", fmt.Sprintf("k%d", i)), 201)
	}
	head := uint64(w.num("seq"))

	const n = api.MaxFollowers + 100
	type result struct {
		c   *sseConn
		err error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := L + "/events"
			if i%2 == 1 { // half start at the live point, half read the backlog from 1
				path += "?from_seq=" + strconv.FormatUint(head+1, 10)
			}
			c, err := openFollower(t, e.url, path, fin)
			results[i] = result{c, err}
		}()
	}
	wg.Wait()
	var live []*sseConn
	refused := 0
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Fatalf("follower %d: %v", i, r.err)
		case r.c.res.StatusCode == 200:
			live = append(live, r.c)
		case r.c.res.StatusCode == 503:
			refused++
			body, _ := io.ReadAll(r.c.res.Body)
			if r.c.res.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"code":"too_many_followers"`) {
				t.Fatalf("refused follower: Retry-After %q, body %s", r.c.res.Header.Get("Retry-After"), body)
			}
			r.c.conn.Close()
		default:
			t.Fatalf("follower %d: status %d", i, r.c.res.StatusCode)
		}
	}
	defer func() {
		for _, c := range live {
			c.conn.Close()
		}
	}()
	if len(live) != api.MaxFollowers || refused != n-api.MaxFollowers {
		t.Fatalf("%d followers served, %d refused; want %d and %d", len(live), refused, api.MaxFollowers, n-api.MaxFollowers)
	}
	// Backlog followers see the whole log up to the head, once, in order.
	lasts := make([]uint64, len(live))
	var failed atomic.Value
	readAll := func(upto uint64, which func(i int) bool) {
		t.Helper()
		var wg sync.WaitGroup
		for i, c := range live {
			if !which(i) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.until(upto, &lasts[i]); err != nil {
					failed.Store(err)
				}
			}()
		}
		wg.Wait()
		if err, ok := failed.Load().(error); ok {
			t.Fatalf("follower: %v", err)
		}
	}
	fromOne := func(i int) bool { return !strings.Contains(live[i].path, "from_seq") }
	for i := range live {
		if !fromOne(i) {
			lasts[i] = head
		}
	}
	readAll(head, fromOne)
	for i := range live {
		if fromOne(i) && lasts[i] != head {
			t.Fatalf("follower %d read its backlog to %d, head %d", i, lasts[i], head)
		}
	}

	// With every follower open, reads that need store consumers answer.
	e.must(e.call("GET", L+"/verify", fin, nil), 200)
	e.must(e.call("GET", L+"/balances/funds/A1?as_of="+strconv.FormatUint(head-1, 10), fin, nil), 200)
	e.must(e.call("GET", L+"/events?from_seq=1", fin, nil), 200)
	again := e.must(e.call("POST", L+"/payouts", fin, payout("PO0", "A1", "1.00"), "Idempotency-Key", "k0"), 201)
	if again.num("seq") >= float64(head) {
		t.Fatalf("idempotent retry answered seq %v, not the original", again.num("seq"))
	}
	if c := streamConsumers(t, e); c > 4 {
		t.Fatalf("%d consumers on the stream with %d followers: want one shared subscription", c, len(live))
	}
	if v := e.metric("fundledger_event_followers"); v != strconv.Itoa(api.MaxFollowers) {
		t.Fatalf("fundledger_event_followers = %q", v)
	}
	if v := e.metric("fundledger_event_feeds"); v != "1" {
		t.Fatalf("fundledger_event_feeds = %q", v)
	}

	// Every follower gets the next commit, once and in order.
	next := e.must(e.call("POST", L+"/payouts", fin, payout("PO-next", "A1", "1.00")), 201)
	readAll(uint64(next.num("seq")), func(int) bool { return true })
	for i, l := range lasts {
		if l != uint64(next.num("seq")) {
			t.Fatalf("follower %d stopped at %d", i, l)
		}
	}

	// When the followers leave, their places and the subscription go.
	for _, c := range live {
		c.conn.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.metric("fundledger_event_followers") != "0" || e.metric("fundledger_event_feeds") != "0" {
		if time.Now().After(deadline) {
			t.Fatalf("after the followers left: followers %s, feeds %s", e.metric("fundledger_event_followers"), e.metric("fundledger_event_feeds"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEveryFollowerSeesEveryCommitOnceInOrder: while writes go on, followers
// that were there first and followers that join late with an old from_seq
// (or Last-Event-ID) each see every commit from their start exactly once
// and in order, although they share one subscription that was already
// ahead of them.
func TestEveryFollowerSeesEveryCommitOnceInOrder(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100000.00")
	L := "/v1/ledgers/" + county
	head0 := uint64(e.must(e.call("POST", L+"/payouts", fin, payout("PO-first", "A1", "1.00")), 201).num("seq"))

	type follower struct {
		c    *sseConn
		last uint64 // the commit before the first it must see
	}
	var mu sync.Mutex
	var followers []follower
	join := func(query string, last uint64, headers ...string) {
		c, err := openFollower(t, e.url, L+"/events"+query, fin, headers...)
		if err != nil {
			t.Error(err)
			return
		}
		if c.res.StatusCode != 200 {
			t.Errorf("follower %s: status %d", query, c.res.StatusCode)
			return
		}
		mu.Lock()
		followers = append(followers, follower{c, last})
		mu.Unlock()
	}
	defer func() {
		for _, f := range followers {
			f.c.conn.Close()
		}
	}()
	join("", 0)
	join("?from_seq="+strconv.FormatUint(head0+1, 10), head0)

	const writers, each = 6, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r := e.call("POST", L+"/payouts", fin, payout(fmt.Sprintf("PO-%d-%d", w, i), "A1", "1.00"))
				if r.status != 201 {
					t.Errorf("write: %d %s", r.status, r.raw)
					return
				}
			}
		}()
	}
	// Late joiners, during the writes, from old points.
	for i := range 6 {
		time.Sleep(time.Duration(20+10*i) * time.Millisecond)
		switch i % 3 {
		case 0:
			join("?from_seq=1", 0)
		case 1:
			join("?from_seq=3", 2)
		default:
			join("", 4, "Last-Event-ID", "4")
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	final := uint64(e.must(e.call("GET", L+"/events?limit=1", fin, nil), 200).num("seq"))
	if want := head0 + writers*each; final != want {
		t.Fatalf("head %d, want %d", final, want)
	}
	var rwg sync.WaitGroup
	for _, f := range followers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			last := f.last
			if err := f.c.until(final, &last); err != nil {
				t.Errorf("follower %s from %d: %v", f.c.path, f.last+1, err)
			}
		}()
	}
	rwg.Wait()
	if c := streamConsumers(t, e); c > 3 {
		t.Errorf("%d consumers on the stream", c)
	}
}
