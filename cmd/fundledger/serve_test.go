package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fundledger/fundledger/internal/testutil"
)

const serveAdmin = "serve-test-admin-token"

// child is a `fundledger serve` process.
type child struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *testutil.SyncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

// startServe runs `fundledger serve` on dir, on a free loopback port, and
// waits until it listens.
func startServe(t *testing.T, dir string) *child {
	t.Helper()
	cmd := fundledger("serve", "--addr", "127.0.0.1:0", "--data-dir", dir) // the last value of a variable wins
	cmd.Env = append(cmd.Env, "FUNDLEDGER_ADMIN_TOKEN="+serveAdmin)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, logs: &testutil.SyncBuffer{}, done: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			c.logs.Write(append(line, '\n'))
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "fundledger serving" {
				addr <- rec.Addr
			}
		}
		c.err = cmd.Wait()
		close(c.done)
	}()
	select {
	case c.url = <-addr:
	case <-c.done:
		t.Fatalf("serve exited before listening: %v\n%s", c.err, c.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen within 60 s\n%s", c.logs)
	}
	return c
}

// stop sends SIGTERM and answers how long the process took to exit.
func (c *child) stop() time.Duration {
	c.t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	select {
	case <-c.done:
		if c.err != nil {
			c.t.Errorf("serve exited with %v", c.err)
		}
	case <-time.After(30 * time.Second):
		c.t.Fatalf("serve still running 30 s after SIGTERM\n%s", c.logs)
	}
	return time.Since(start)
}

// call sends one request and answers status and body.
func (c *child) call(method, path, token, body string) (int, []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, c.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// stalledConn dials the server with a tiny receive buffer and sends raw;
// the test then never reads, like a client that hung.
func stalledConn(t *testing.T, url, raw string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestServeStopsWithinTenSecondsWhateverClientsDo runs `fundledger serve`,
// holds it with event streams whose clients stopped reading (their backlog
// is megabytes, so the server's writes block) and an upload sent a byte at
// a time, then sends SIGTERM: the process must exit within 10 s, and a
// write acknowledged before must be there after a restart.
func TestServeStopsWithinTenSecondsWhateverClientsDo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server twice and waits for its shutdown")
	}
	dir := t.TempDir()
	// A county with a few thousand commits: megabytes of events to stream.
	var jl strings.Builder
	jl.WriteString(`{"kind":"ledger","body":{"code":"341504","name":"某县"}}
{"kind":"village","body":{"id":"V001","name":"罗田村","township":"某镇","poor_village":true}}
{"kind":"household","body":{"id":"H0001","village":"V001","head_name":"张三","id_number":"11010519491231002X","members":4,"category":"ordinary","status":"poor","bank_name":"农商银行","bank_account":"6217000011112222"}}
{"kind":"allocation","body":{"id":"A1","source_level":"central","programme":"中央财政专项扶贫资金","fiscal_year":2019,"document_no":"财农〔2019〕1号","amount":"1000000.00"}}
`)
	const payouts = 6000
	for i := range payouts {
		fmt.Fprintf(&jl, `{"kind":"payout","body":{"id":"PO%05d","household":"H0001","item":"光伏扶贫补助","standard":"3000.00","period":"2019","fund":"A1","amount":"1.00"}}`+"\n", i)
	}
	file := writeImportFile(t, "county.jsonl", jl.String())
	if err := runImport([]string{"--data-dir", dir, "--ledger", "341504", "--file", file}); err != nil {
		t.Fatal(err)
	}

	srv := startServe(t, dir)
	status, body := srv.call("POST", "/v1/tokens", serveAdmin, `{"role":"finance"}`)
	if status != 201 {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok struct{ Token string }
	_ = json.Unmarshal(body, &tok)
	status, body = srv.call("POST", "/v1/ledgers/341504/payouts", tok.Token,
		`{"id":"PO-last","household":"H0001","item":"光伏扶贫补助","standard":"3000.00","period":"2019","fund":"A1","amount":"7.00"}`)
	if status != 201 {
		t.Fatalf("write: %d %s", status, body)
	}
	var acked struct{ Seq uint64 }
	_ = json.Unmarshal(body, &acked)

	host := strings.TrimPrefix(srv.url, "http://")
	for range 3 {
		stalledConn(t, srv.url, "GET /v1/ledgers/341504/events?from_seq=1 HTTP/1.1\r\nHost: "+host+
			"\r\nAccept: text/event-stream\r\nAuthorization: Bearer "+tok.Token+"\r\n\r\n")
	}
	upload := stalledConn(t, srv.url, "POST /v1/ledgers/341504/payout-batches?id=B1&fund=A1&item=x&period=2019 HTTP/1.1\r\nHost: "+host+
		"\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\nAuthorization: Bearer "+tok.Token+"\r\n\r\nhousehold,amount\n")
	trickle := make(chan struct{})
	defer close(trickle)
	go func() { // one byte every 200 ms, for ever
		for {
			select {
			case <-trickle:
				return
			case <-time.After(200 * time.Millisecond):
				if _, err := upload.Write([]byte("1")); err != nil {
					return
				}
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond) // the streams fill their sockets, the upload is being read

	took := srv.stop()
	t.Logf("serve stopped %v after SIGTERM (3 stalled event streams, 1 byte-by-byte upload)", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Fatalf("serve took %v to stop after SIGTERM; the bound is 10 s\n%s", took, srv.logs)
	}
	if !strings.Contains(srv.logs.String(), `"msg":"fundledger stopped"`) {
		t.Errorf("serve did not finish its shutdown (watchdog exit?)\n%s", srv.logs)
	}

	again := startServe(t, dir)
	status, body = again.call("GET", fmt.Sprintf("/v1/ledgers/341504/events?from_seq=%d&limit=1", acked.Seq), tok.Token, "")
	if status != 200 || !strings.Contains(string(body), `"PO-last"`) {
		t.Fatalf("after restart, commit %d: %d %s", acked.Seq, status, body)
	}
	if took := again.stop(); took > 10*time.Second {
		t.Fatalf("idle serve took %v to stop", took)
	} else {
		t.Logf("idle serve stopped %v after SIGTERM", took.Round(time.Millisecond))
	}
}
