package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// server is the fundledger child process under test. At most one runs at a
// time on the data dir: a killed child is waited for (its lock and files
// released) before the next one starts.
type server struct {
	bin, dataDir, logPath, adminToken string

	cmd  *exec.Cmd
	done chan struct{} // closed once cmd.Wait returned
	base string        // http://127.0.0.1:port of the running child
}

// buildBinary compiles cmd/fundledger once into dir, so that every restart
// starts the same binary without paying for `go run`.
func buildBinary(ctx context.Context, repo, dir string) (string, error) {
	bin := filepath.Join(dir, "fundledger")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/fundledger")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/fundledger: %v\n%s", err, out)
	}
	return bin, nil
}

// start runs `fundledger serve` on a free port and waits until /readyz
// answers 200. A port taken between probing and binding makes the child exit
// at once; start then tries another port.
func (s *server) start(ctx context.Context) error {
	if s.running() {
		return errors.New("a server is already running on the data dir")
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		if err := s.spawn(port); err != nil {
			return err
		}
		if last = s.waitReady(ctx); last == nil {
			return nil
		}
		s.kill()
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("server did not become ready (log: %s): %w", s.logPath, last)
}

func (s *server) spawn(port int) error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(s.bin, "serve", "--data-dir", s.dataDir, "--addr", addr, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "FUNDLEDGER_ADMIN_TOKEN="+s.adminToken)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	s.cmd, s.base, s.done = cmd, "http://"+addr, make(chan struct{})
	go func(done chan struct{}) {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}(s.done)
	return nil
}

// waitReady polls /readyz until it answers 200, the child exits or ctx ends.
func (s *server) waitReady(ctx context.Context) error {
	c := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("server exited before it was ready: %v", s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("waiting for /readyz: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

func (s *server) running() bool {
	if s.done == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// kill ends the child with SIGKILL, as a power cut would, and waits for it
// to be gone. It is safe to call at any time, also when nothing runs.
func (s *server) kill() {
	if !s.running() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop ends the child with SIGTERM, the clean way, and waits at most grace
// before killing it; it answers an error if the child did not stop cleanly.
func (s *server) stop(grace time.Duration) error {
	if !s.running() {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(grace):
		s.kill()
		return fmt.Errorf("server did not stop within %s of SIGTERM", grace)
	}
	if st := s.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("server stopped with %v (log: %s)", st, s.logPath)
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
