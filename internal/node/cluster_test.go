package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/internal/testutil"
	"github.com/fundledger/fundledger/ledger"
)

const admin = "cluster-admin-token-1"

// server is one `serve` of a cluster test, reached over real HTTP.
type server struct {
	name string
	n    *node.Node
	url  string
}

// slowFollow delays what the projections follow, as a loaded server's
// projections lag: a read that does not wait for the writes acknowledged
// elsewhere answers from behind them.
type slowFollow struct {
	eventstore.Store
	delay time.Duration
}

func (s slowFollow) Follow(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	return s.Store.Follow(ctx, ledger, from, func(r eventstore.Record) error {
		time.Sleep(s.delay)
		return fn(r)
	})
}

func startServer(t *testing.T, natsURL, name string, followDelay time.Duration) *server {
	t.Helper()
	st, err := nats.Open(context.Background(), nats.Options{URL: natsURL, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	var store eventstore.Store = st
	if followDelay > 0 {
		store = slowFollow{st, followDelay}
	}
	n, err := node.Open(context.Background(), node.Config{DataDir: t.TempDir(), Store: store, NATSURL: natsURL,
		NodeName: name, AdminToken: admin, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.Serve(ln)
	t.Cleanup(func() { _ = n.Close() })
	return &server{name: name, n: n, url: "http://" + ln.Addr().String()}
}

type answer struct {
	status int
	node   string
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) seq() uint64 { f, _ := a.body["seq"].(float64); return uint64(f) }
func (a answer) str(k string) string {
	s, _ := a.body[k].(string)
	return s
}

// client does not follow redirects: the test sees the 307 itself.
var client = &http.Client{Timeout: 15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func call(t *testing.T, s *server, method, path string, body any, key string) answer {
	t.Helper()
	return callWith(t, s, method, path, body, "Idempotency-Key", key)
}

// callWith sends a request as the admin with one more header (if its
// value is not empty).
func callWith(t *testing.T, s *server, method, path string, body any, header, value string) answer {
	t.Helper()
	return send(t, s, admin, method, path, body, header, value)
}

// send sends a request with a bearer token and one more header (if its
// value is not empty), answering what came back.
func send(t *testing.T, s *server, token, method, path string, body any, header, value string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if value != "" {
		req.Header.Set(header, value)
	}
	res, err := client.Do(req)
	if err != nil {
		return answer{raw: err.Error()}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, node: res.Header.Get(api.HeaderNode), header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func allocation(id string) map[string]any {
	return map[string]any{"id": id, "source_level": "central", "programme": "中央财政专项扶贫资金", "fiscal_year": 2019,
		"document_no": "财农〔2019〕1号", "amount": "100.00"}
}

// acked is one acknowledged write.
type acked struct {
	ledger, key, hash string
	seq               uint64
	body              map[string]any
}

// TestServersShareOneClusterAndTakeOverADeadOnesLedgers: two servers on
// one NATS. Each ledger is written by one owner; a write sent to the other
// is forwarded and answered by the owner (Fundledger-Node), never 409; a
// write acknowledged through one server is readable through the other at
// once, even with that server's projections lagging. One server dies
// (listener and lease renewals stop, nothing released): the other takes
// its ledgers within 10 s, every acknowledged write is in the stream once,
// and a key acknowledged by the dead server answers the original on the
// survivor.
func TestServersShareOneClusterAndTakeOverADeadOnesLedgers(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	a := startServer(t, srv.ClientURL(), "a", 0)
	b := startServer(t, srv.ClientURL(), "b", 30*time.Millisecond)
	servers := map[string]*server{"a": a, "b": b}
	other := map[string]*server{"a": b, "b": a}
	owners := map[string]*server{"341501": a, "341502": a, "341503": b, "341504": b}
	var all []acked

	for _, code := range []string{"341501", "341502", "341503", "341504"} {
		o := owners[code]
		r := call(t, o, "POST", "/v1/ledgers", map[string]any{"code": code, "name": "县" + code}, "open-"+code)
		if r.status != 201 || r.node != o.name {
			t.Fatalf("open %s through %s: %d %s node %q", code, o.name, r.status, r.raw, r.node)
		}
		all = append(all, acked{code, "open-" + code, r.str("hash"), r.seq(), nil})
	}
	forwarded := 0
	for i := range 6 {
		for _, code := range []string{"341501", "341502", "341503", "341504"} {
			via := a
			if i%2 == 1 {
				via = b
			}
			id := fmt.Sprintf("A%d", i)
			key := fmt.Sprintf("%s-%d", code, i)
			r := call(t, via, "POST", "/v1/ledgers/"+code+"/allocations", allocation(id), key)
			if r.status != 201 {
				t.Fatalf("write %s through %s: %d %s", key, via.name, r.status, r.raw)
			}
			if r.node != owners[code].name {
				t.Fatalf("write %s through %s answered by %q, want the owner %s", key, via.name, r.node, owners[code].name)
			}
			if via != owners[code] {
				forwarded++
			}
			all = append(all, acked{code, key, r.str("hash"), r.seq(), allocation(id)})
			// Read your writes through the server that did not write it.
			reader := other[r.node]
			got := call(t, reader, "GET", "/v1/ledgers/"+code+"/balances/funds/"+id, nil, "")
			if got.status != 200 || got.seq() < r.seq() || got.node != reader.name {
				t.Fatalf("read of %s through %s at once after its ack at seq %d: %d seq %d node %q %s",
					key, reader.name, r.seq(), got.status, got.seq(), got.node, got.raw)
			}
		}
	}
	t.Logf("%d writes, %d of them forwarded to their owner; every one readable at once through the other server", len(all), forwarded)

	// How fast a non-owner's projections follow writes made elsewhere (a's
	// are not slowed): from b's acknowledgement to a's model holding it.
	var lag time.Duration
	for i := range 5 {
		r := call(t, b, "POST", "/v1/ledgers/341503/allocations", allocation(fmt.Sprintf("L%d", i)), fmt.Sprintf("lag-%d", i))
		acks := time.Now()
		for a.n.Projector.Seq("341503") < r.seq() {
			if time.Since(acks) > 5*time.Second {
				t.Fatalf("a's projection of 341503 did not reach seq %d within 5 s", r.seq())
			}
			time.Sleep(100 * time.Microsecond)
		}
		lag = max(lag, time.Since(acks))
		all = append(all, acked{"341503", fmt.Sprintf("lag-%d", i), r.str("hash"), r.seq(), nil})
	}
	t.Logf("a non-owner's projection reached a write made elsewhere at most %v after the client had its acknowledgement", lag)

	// A forwarded write that reaches a server not owning the ledger is not
	// forwarded again: 307 to the owner, the client makes the hop.
	r := callWith(t, b, "POST", "/v1/ledgers/341501/allocations", allocation("X1"), api.HeaderForwarded, "c")
	if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != a.url+"/v1/ledgers/341501/allocations" || r.node != "b" {
		t.Fatalf("forwarded write at a non-owner: %d Location %q node %q %s", r.status, r.header.Get("Location"), r.node, r.raw)
	}

	// a dies: its listener closes and its leases are no longer renewed,
	// nor released.
	a.n.Kill()
	died := time.Now()
	took := map[string]time.Duration{}
	for len(took) < 2 {
		if time.Since(died) > 10*time.Second {
			t.Fatalf("b took %v of a's ledgers within 10 s", took)
		}
		for _, code := range []string{"341501", "341502"} {
			if _, ok := took[code]; ok {
				continue
			}
			key := "after-" + code
			r := call(t, b, "POST", "/v1/ledgers/"+code+"/allocations", allocation("B1"), key)
			switch {
			case r.status == 201 && r.node == "b":
				took[code] = time.Since(died)
				all = append(all, acked{code, key, r.str("hash"), r.seq(), allocation("B1")})
			case r.status == 503 && r.header.Get("Retry-After") != "":
			default:
				t.Fatalf("write to %s through b while a is dead: %d node %q %s", code, r.status, r.node, r.raw)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	for code, d := range took {
		t.Logf("ledger %s taken over by b %.2f s after a died", code, d.Seconds())
		fmt.Printf("figure name=takeover_%s value=%.2f unit=s\n", code, d.Seconds())
	}

	// A key a acknowledged, retried on b: the original, same seq and hash.
	for _, w := range all {
		if w.ledger != "341501" || w.body == nil || servers[owners[w.ledger].name] != a || w.key == "after-341501" {
			continue
		}
		r := call(t, b, "POST", "/v1/ledgers/"+w.ledger+"/allocations", w.body, w.key)
		if r.status != 201 || r.seq() != w.seq || r.str("hash") != w.hash || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry of %s (acknowledged by a at seq %d) on b: %d seq %d %s", w.key, w.seq, r.status, r.seq(), r.raw)
		}
	}

	// Every acknowledged write is in the stream, once.
	store := b.n.Store
	for _, code := range []string{"341501", "341502", "341503", "341504"} {
		hashes, keys := map[uint64]string{}, map[string]int{}
		err := store.Read(context.Background(), code, 1, func(rec eventstore.Record) error {
			c, err := domain.UnmarshalCommit(rec.Data)
			if err != nil {
				return err
			}
			hashes[c.Seq] = c.Hash
			keys[c.IdempotencyKey]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := ledger.Verify(context.Background(), store, code); err != nil || !v.Valid {
			t.Fatalf("chain of %s: %+v %v", code, v, err)
		}
		for _, w := range all {
			if w.ledger != code {
				continue
			}
			if hashes[w.seq] != w.hash || keys[w.key] != 1 {
				t.Fatalf("acknowledged %s at seq %d: the stream holds %q there and the key %d times", w.key, w.seq, hashes[w.seq], keys[w.key])
			}
		}
	}
	t.Logf("%d acknowledged writes, all in the streams once", len(all))
}
