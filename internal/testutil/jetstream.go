// Package testutil starts throwaway JetStream servers for tests: one node or
// a loopback cluster, on 127.0.0.1 only, in t.TempDir(), shut down (and
// waited for) before the directory is removed.
package testutil

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// MaxPayload matches the adapter's embedded server, so that tests against
// a test server accept the same appends.
const MaxPayload = 16 << 20

func baseOptions(dir string) *server.Options {
	return &server.Options{
		Host:       "127.0.0.1",
		Port:       -1, // a free port
		JetStream:  true,
		StoreDir:   dir,
		SyncAlways: true, // as in production: fsync before ack
		MaxPayload: MaxPayload,
		NoSigs:     true,
		NoLog:      true,
	}
}

func start(t testing.TB, o *server.Options) *server.Server {
	t.Helper()
	srv, err := server.NewServer(o)
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	srv.Start()
	// Cleanups run last-in first-out: this one runs before t.TempDir's
	// removal, so the store's files are closed when the directory goes.
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	if !srv.ReadyForConnections(20 * time.Second) {
		t.Fatalf("nats-server %s not ready within 20s", o.ServerName)
	}
	return srv
}

// StartJetStream runs one JetStream server on a random loopback port with a
// file store in a fresh temporary directory, and answers both.
func StartJetStream(t testing.TB) (*server.Server, string) {
	t.Helper()
	dir := t.TempDir()
	o := baseOptions(dir)
	o.ServerName = "test"
	return start(t, o), dir
}

// StartCluster runs an n-node JetStream cluster on loopback, each node with
// its own store, and waits until it has a meta leader.
func StartCluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	ports := freePorts(t, n)
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	servers := make([]*server.Server, n)
	for i := range n {
		o := baseOptions(t.TempDir())
		o.ServerName = fmt.Sprintf("node%d", i+1)
		o.Cluster.Name = "fundledger-test"
		o.Cluster.Host = "127.0.0.1"
		o.Cluster.Port = ports[i]
		o.Routes = routes
		servers[i] = start(t, o)
	}
	deadline := time.Now().Add(60 * time.Second) // generous: CI runs other packages beside it on 2 cores
	for {
		ready := 0
		for _, s := range servers {
			if s.JetStreamIsClustered() && s.JetStreamIsCurrent() {
				ready++
			}
		}
		leader := false
		for _, s := range servers {
			leader = leader || s.JetStreamIsLeader()
		}
		if ready == n && leader {
			return servers
		}
		if time.Now().After(deadline) {
			t.Fatalf("JetStream cluster of %d had no meta leader within 60s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ClientURL answers a comma-separated list of the servers' client URLs.
func ClientURL(servers ...*server.Server) string {
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	return strings.Join(urls, ",")
}

// freePorts reserves n loopback ports by listening and closing. Another
// process could take one in between; on loopback in a test that is rare.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	var ls []net.Listener
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("reserve a port: %v", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
