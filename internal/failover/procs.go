package failover

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A hard kill needs a process of its own: nats-server's in-process
// Shutdown first steps down every Raft leader it holds (stepdownRaftNodes),
// so the peers take over within ~0.1 s, which says nothing about a node
// that dies (power, OOM killer, kill -9), where the followers wait out their
// election timeout (4–9 s) first. So each node of the cluster Run kills is
// this program started again as one nats-server (RunNodeIfAsked), and the
// leader is killed with SIGKILL.

const nodeEnv = "FUNDLEDGER_FAILOVER_NODE"

// nodeSpec is one node's configuration, passed to the child in nodeEnv.
type nodeSpec struct {
	Name        string
	Dir         string
	Port        int
	ClusterPort int
	Routes      []string
}

// RunNodeIfAsked turns this process into a cluster node when it was
// started as one, and never returns then; otherwise it returns at once.
// Programs that call Run (the script, the benchmark, the test's TestMain)
// call it first thing.
func RunNodeIfAsked() {
	v := os.Getenv(nodeEnv)
	if v == "" {
		return
	}
	var spec nodeSpec
	if err := json.Unmarshal([]byte(v), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "failover node:", err)
		os.Exit(2)
	}
	o := &server.Options{
		ServerName: spec.Name, Host: "127.0.0.1", Port: spec.Port,
		JetStream: true, StoreDir: spec.Dir, SyncAlways: true, MaxPayload: 16 << 20,
		NoSigs: true, NoLog: true,
	}
	o.Cluster.Name, o.Cluster.Host, o.Cluster.Port = "fundledger-failover", "127.0.0.1", spec.ClusterPort
	for _, r := range spec.Routes {
		o.Routes = append(o.Routes, server.RoutesFromStr(r)...)
	}
	srv, err := server.NewServer(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "failover node:", err)
		os.Exit(2)
	}
	srv.Start()
	// Outlive nothing: a node whose parent died stops too.
	parent := os.Getppid()
	for os.Getppid() == parent {
		time.Sleep(200 * time.Millisecond)
	}
	os.Exit(0)
}

// procCluster is a 3-node cluster of child processes.
type procCluster struct {
	names []string
	procs map[string]*exec.Cmd
	urls  []string
}

func startProcCluster(ctx context.Context, dir string, n int) (*procCluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[n+i]))
	}
	c := &procCluster{procs: map[string]*exec.Cmd{}}
	for i := range n {
		spec := nodeSpec{Name: fmt.Sprintf("node%d", i+1), Dir: filepath.Join(dir, fmt.Sprintf("node%d", i+1)),
			Port: ports[i], ClusterPort: ports[n+i], Routes: routes}
		b, _ := json.Marshal(spec)
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), nodeEnv+"="+string(b))
		if err := cmd.Start(); err != nil {
			c.Close()
			return nil, err
		}
		c.names = append(c.names, spec.Name)
		c.procs[spec.Name] = cmd
		c.urls = append(c.urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	// Ready when JetStream answers with a meta leader through every node.
	deadline := time.Now().Add(60 * time.Second)
	for _, u := range c.urls {
		for {
			if err := jetStreamReady(ctx, u); err == nil {
				break
			} else if time.Now().After(deadline) {
				c.Close()
				return nil, fmt.Errorf("cluster node %s not ready within 60s: %w", u, err)
			}
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				c.Close()
				return nil, err
			}
		}
	}
	return c, nil
}

func jetStreamReady(ctx context.Context, url string) error {
	nc, err := natsgo.Connect(url, natsgo.Timeout(time.Second))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}

func (c *procCluster) URL() string { return strings.Join(c.urls, ",") }

// killLeader sends SIGKILL to the node leading stream.
func (c *procCluster) killLeader(ctx context.Context, stream string) (killed, error) {
	nc, err := natsgo.Connect(c.URL())
	if err != nil {
		return killed{}, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return killed{}, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		s, err := js.Stream(actx, stream)
		cancel()
		if err == nil && s.CachedInfo().Cluster != nil {
			if p := c.procs[s.CachedInfo().Cluster.Leader]; p != nil {
				k := killed{name: s.CachedInfo().Cluster.Leader, at: time.Now()}
				if err := p.Process.Kill(); err != nil {
					return killed{}, err
				}
				_ = p.Wait()
				delete(c.procs, k.name)
				return k, nil
			}
		}
		if time.Now().After(deadline) {
			return killed{}, fmt.Errorf("stream %s has no leader (%v)", stream, err)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return killed{}, err
		}
	}
}

// Close kills every node still running and waits for it.
func (c *procCluster) Close() {
	for name, p := range c.procs {
		_ = p.Process.Kill()
		_ = p.Wait()
		delete(c.procs, name)
	}
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}
