package node

import (
	"context"
	"net"
	"os"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/owner"
)

// openOwners answers who writes each ledger: with an external NATS
// cluster, leases in its key-value bucket, taking a ledger over reloading
// its writer from the store first; with the embedded store, this node.
func (n *Node) openOwners(ctx context.Context, cfg Config) (owner.Owners, error) {
	self := owner.Node{Name: cfg.NodeName, URL: cfg.AdvertiseURL}
	if self.Name == "" {
		self.Name, _ = os.Hostname()
	}
	if cfg.NATSURL == "" {
		return owner.Local{Node: self}, nil
	}
	copts, err := cfg.NATSAuth.ConnectOptions()
	if err != nil {
		return nil, err
	}
	kv, err := owner.Open(ctx, owner.Options{URL: cfg.NATSURL, Self: self, Logger: cfg.Logger, OnAcquire: n.Manager.Reload, ConnectOptions: copts})
	if err != nil {
		return nil, err
	}
	n.leases = kv
	return kv, nil
}

// fence lets the writers write a ledger only while this node holds its
// lease, taking it when no live owner does. The API forwards writes to
// the owner before they get here; this is the guard of every other way
// in (the console, the demo loader) and of a lease lost meanwhile.
func (n *Node) fence(ctx context.Context, ledger string) error {
	c, err := n.Owners.Claim(ctx, ledger)
	if err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Code: "no_owner", Message: err.Error()}
	}
	if !c.Self {
		return &domain.Error{Kind: domain.KindUnavailable, Code: "not_owner",
			Message: "ledger " + ledger + " is written by server " + c.Owner.Name + " (" + c.Owner.URL + "); send the write there"}
	}
	return nil
}

// advertised answers the URL other servers reach a listener at: its
// address, or the host name when it listens on every interface.
func advertised(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Kill stops the node as a crash would, for tests of failover: its HTTP
// listener and connections close at once and its leases stop being
// renewed without being released, so other servers take its ledgers only
// once the leases expire. The writers, projections and store are then
// closed so the test leaves nothing running.
func (n *Node) Kill() {
	if n.leases != nil {
		n.leases.Abandon()
	}
	if n.hs != nil {
		_ = n.hs.Close()
	}
	_ = n.Close()
}

// DefaultName names a server listening on addr when --node-name is not
// given: the host name and the port, stable across restarts and distinct
// for several servers on one host.
func DefaultName(addr string) string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "fundledger"
	}
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" {
		return h + ":" + port
	}
	return h
}
