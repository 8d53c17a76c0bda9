package failover

import (
	"context"
	"fmt"
	"time"

	"github.com/fundledger/fundledger/internal/testutil"
)

// cluster is a 3-node loopback JetStream cluster whose stream leader can
// be killed.
type cluster interface {
	URL() string
	killLeader(ctx context.Context, stream string) (killed, error)
	Close()
}

type killed struct {
	name string
	at   time.Time
}

func startCluster(ctx context.Context, dir, kill string) (cluster, error) {
	switch kill {
	case "", KillProcess:
		return startProcCluster(ctx, dir, 3)
	case KillShutdown:
		c, err := testutil.NewCluster(dir, 3)
		if err != nil {
			return nil, err
		}
		return inproc{c}, nil
	}
	return nil, fmt.Errorf("failover: unknown kill %q (want %s or %s)", kill, KillProcess, KillShutdown)
}

// inproc kills with nats-server's in-process Shutdown (no lame-duck mode),
// which still steps its Raft leaders down before it stops.
type inproc struct{ *testutil.Cluster }

func (c inproc) killLeader(ctx context.Context, stream string) (killed, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s := c.StreamLeader(stream); s != nil {
			k := killed{name: s.Name(), at: time.Now()}
			s.Shutdown()
			return k, nil
		}
		if time.Now().After(deadline) {
			return killed{}, fmt.Errorf("stream %s has no leader", stream)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return killed{}, err
		}
	}
}
