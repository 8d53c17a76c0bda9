package testutil

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cluster is an n-node JetStream cluster on loopback started outside a
// test (scripts, benchmarks, or a test that kills nodes itself). Close
// shuts down every node still running and waits for it.
type Cluster struct {
	Servers []*server.Server
}

// NewCluster starts an n-node cluster on 127.0.0.1 with each node's store
// under dir, fsync always (as in production), and waits until it has a
// meta leader and every node is current.
func NewCluster(dir string, n int) (*Cluster, error) {
	ports := make([]int, n)
	var ls []net.Listener
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, fmt.Errorf("reserve a port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	var routes []*url.URL
	for _, l := range ls {
		routes = append(routes, &url.URL{Scheme: "nats", Host: l.Addr().String()})
		l.Close()
	}
	c := &Cluster{}
	for i := range n {
		o := baseOptions(filepath.Join(dir, fmt.Sprintf("node%d", i+1)))
		o.ServerName = fmt.Sprintf("node%d", i+1)
		o.Cluster.Name = "fundledger-test"
		o.Cluster.Host = "127.0.0.1"
		o.Cluster.Port = ports[i]
		o.Routes = routes
		srv, err := server.NewServer(o)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("nats-server %s: %w", o.ServerName, err)
		}
		srv.Start()
		c.Servers = append(c.Servers, srv)
		if !srv.ReadyForConnections(20 * time.Second) {
			c.Close()
			return nil, fmt.Errorf("nats-server %s not ready within 20s", o.ServerName)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ready, leader := 0, false
		for _, s := range c.Servers {
			if s.JetStreamIsClustered() && s.JetStreamIsCurrent() {
				ready++
			}
			leader = leader || s.JetStreamIsLeader()
		}
		if ready == n && leader {
			return c, nil
		}
		if time.Now().After(deadline) {
			c.Close()
			return nil, fmt.Errorf("JetStream cluster of %d had no meta leader within 60s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL answers the client URLs of the nodes still running, comma-separated.
func (c *Cluster) URL() string {
	var running []*server.Server
	for _, s := range c.Servers {
		if s.Running() {
			running = append(running, s)
		}
	}
	return ClientURL(running...)
}

// StreamLeader answers the node leading stream (in the global account),
// or nil while it has none.
func (c *Cluster) StreamLeader(stream string) *server.Server {
	for _, s := range c.Servers {
		if s.Running() && s.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream) {
			return s
		}
	}
	return nil
}

// Close shuts every node down and waits until its files are closed.
func (c *Cluster) Close() {
	for _, s := range c.Servers {
		s.Shutdown()
	}
	for _, s := range c.Servers {
		s.WaitForShutdown()
	}
}
