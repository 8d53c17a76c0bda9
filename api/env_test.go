package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
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

const (
	adminToken = "test-admin-token-7f3a"
	county     = "341504"
)

// env is one running server over the embedded JetStream store in dir,
// wired as serve wires it (node.Open) and reached over real HTTP on
// 127.0.0.1.
type env struct {
	t     testing.TB
	dir   string
	node  *node.Node
	store *nats.Store
	mgr   *ledger.Manager
	srv   *api.Server
	url   string
	logs  *testutil.SyncBuffer
}

type envOptions struct {
	noProjections bool
	readWait      time.Duration
	// clock, when set, is the writers' clock (the commits' record time).
	clock func() time.Time
	// logTo, when set, receives the JSON log lines instead of the
	// in-memory buffer that tests read (e.logs stays empty).
	logTo io.Writer
	// storeFor, when set, wraps the store the HTTP handlers read (the
	// writer and the projections keep the real one).
	storeFor func(eventstore.Store) eventstore.Store
}

func startEnv(t testing.TB, dir string, opts ...envOptions) *env {
	t.Helper()
	var o envOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if dir == "" {
		dir = t.TempDir()
	}
	logs := &testutil.SyncBuffer{}
	var logTo io.Writer = logs
	if o.logTo != nil {
		logTo = o.logTo
	}
	log := slog.New(slog.NewJSONHandler(logTo, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, err := node.Open(context.Background(), node.Config{DataDir: dir, AdminToken: adminToken, ReadWait: o.readWait,
		Logger: log, Clock: o.clock, ServedStore: o.storeFor})
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	if !o.noProjections {
		n.Start()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.Serve(ln)
	e := &env{t: t, dir: dir, node: n, store: n.Store.(*nats.Store), mgr: n.Manager, srv: n.Server,
		url: "http://" + ln.Addr().String(), logs: logs}
	t.Cleanup(e.stop)
	return e
}

// stop shuts down as serve does: HTTP first, then writers, projections, store.
func (e *env) stop() {
	if err := e.node.Close(); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
}

type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r response) errCode() string {
	if e, ok := r.body["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

func (r response) errMessage() string {
	if e, ok := r.body["error"].(map[string]any); ok {
		s, _ := e["message"].(string)
		return s
	}
	return ""
}

func (r response) str(k string) string {
	s, _ := r.body[k].(string)
	return s
}

func (r response) num(k string) float64 {
	n, _ := r.body[k].(float64)
	return n
}

// call sends a request; body may be nil, a string/[]byte (sent as is) or a
// value encoded as JSON. headers are name, value pairs.
func (e *env) call(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	isJSON := false
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		isJSON = true
	case []byte:
		rd = bytes.NewReader(b)
		isJSON = true
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
		isJSON = true
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) response {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// must fails the test unless the response has status want.
func (e *env) must(r response, want int) response {
	e.t.Helper()
	if r.status != want {
		e.t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	return r
}

// token issues a token through the API as the admin.
func (e *env) token(role, ledgerCode string) (id, bearer string) {
	e.t.Helper()
	r := e.must(e.call("POST", "/v1/tokens", adminToken, map[string]string{"role": role, "ledger": ledgerCode}), 201)
	return r.str("id"), r.str("token")
}

// seedCounty opens the ledger with a village, two households (one removed)
// and a fund of amount, and answers a finance token.
func (e *env) seedCounty(fund string) string {
	e.t.Helper()
	_, fin := e.token("finance", "")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", "/v1/ledgers", fin, map[string]any{"code": county, "name": "光州区"}), 201)
	e.must(e.call("POST", L+"/villages", fin, map[string]any{"id": "V001", "name": "罗田村", "township": "城关镇", "poor_village": true}), 201)
	for _, h := range []string{"H0001", "H0002"} {
		e.must(e.call("POST", L+"/households", fin, household(h)), 201)
	}
	e.must(e.call("POST", L+"/households/H0002/removal", fin, map[string]any{"reason": "清退"}), 201)
	e.must(e.call("POST", L+"/allocations", fin, allocation("A1", fund)), 201)
	return fin
}

const (
	testIDNumber = "34150419800101001X" // check digit fixed below
	testBankAcct = "6217001234567890123"
)

func idNumber(first17 string) string { return first17 + string(domain.IDNumberCheck(first17)) }

// household answers a household whose ID number is its own: H0001 has
// idNumber("34150419800101001"), every other id another one.
func household(id string) map[string]any {
	n := 1
	for _, c := range id {
		n = n*31 + int(c)
	}
	first17 := "34150419800101001"
	if id != "H0001" {
		first17 = fmt.Sprintf("3415041980%07d", 1000000+n%9000000)
	}
	return map[string]any{"id": id, "village": "V001", "head_name": "张三", "id_number": idNumber(first17),
		"members": 4, "category": "ordinary", "status": "poor", "bank_name": "农商银行", "bank_account": testBankAcct}
}

func allocation(id, amount string) map[string]any {
	return map[string]any{"id": id, "source_level": "central", "programme": "中央财政专项扶贫资金", "fiscal_year": 2019,
		"document_no": "财农〔2019〕1号", "amount": amount}
}

func payout(id, fund, amount string) map[string]any {
	return map[string]any{"id": id, "household": "H0001", "item": "产业扶持直补", "standard": "5000.00", "period": "2019",
		"fund": fund, "amount": amount}
}

var errTimeout = errors.New("timeout")

// tick answers a clock that reads start + n seconds the nth time it is
// read (from 1): as the writers read it once per commit, commit k of a
// fresh data dir is at start + k seconds.
func tick(start time.Time) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Second) }
}
