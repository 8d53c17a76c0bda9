package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as the fundledger command itself:
// with FUNDLEDGER_RUN_MAIN=1 the arguments are fundledger's.
func TestMain(m *testing.M) {
	if os.Getenv("FUNDLEDGER_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fundledger starts this test binary as `fundledger args...`.
func fundledger(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FUNDLEDGER_RUN_MAIN=1", "FUNDLEDGER_ADMIN_TOKEN=")
	return cmd
}

// runExit runs a command to its end (bounded) and answers its exit status and stderr.
func runExit(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), stderr.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, stderr.String()
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("%v did not end within 10 s", cmd.Args)
	}
	return 0, ""
}

// TestSecondProcessOnALiveDataDirExits2 starts serve on a data dir, then
// every other command that opens that dir: each exits 2 within 10 s naming
// serve's pid, and the live server keeps its lock.
func TestSecondProcessOnALiveDataDirExits2(t *testing.T) {
	dir := t.TempDir()
	serve := fundledger("serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = serve.Wait(); close(exited) }()
	defer func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = serve.Process.Kill()
			t.Error("serve did not stop within 10 s of SIGTERM")
		}
	}()
	want := fmt.Sprintf("data dir %s is in use by pid %d", dir, serve.Process.Pid)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "LOCK"))
		if strings.TrimSpace(string(b)) == fmt.Sprint(serve.Process.Pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not take the data dir's lock within 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	jsonl := filepath.Join(t.TempDir(), "x.jsonl")
	_ = os.WriteFile(jsonl, []byte(`{"kind":"ledger","body":{"code":"341504","name":"某县"}}`+"\n"), 0o600)
	for _, args := range [][]string{
		{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"},
		{"verify", "--data-dir", dir},
		{"import", "--data-dir", dir, "--ledger", "341504", "--file", jsonl},
		{"rebuild", "--data-dir", dir},
		{"demo", "--data-dir", dir},
	} {
		code, stderr := runExit(t, fundledger(args...))
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("%s beside a live serve: exit %d, stderr %q; want 2 and %q", args[0], code, stderr, want)
		}
	}
	select {
	case <-exited:
		t.Fatal("the live serve exited")
	default:
	}
}

// TestOfflineToolsNeverCreateADataDir: verify, replay and rebuild on a
// data dir that does not exist exit 2 and create nothing.
func TestOfflineToolsNeverCreateADataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{
		{"verify", "--data-dir", dir},
		{"replay", "--data-dir", dir, "--ledger", "341504"},
		{"rebuild", "--data-dir", dir},
	} {
		code, stderr := runExit(t, fundledger(args...))
		if code != 2 || !strings.Contains(stderr, "does not exist") {
			t.Errorf("%s on a missing data dir: exit %d, stderr %q", args[0], code, stderr)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s created the data dir", args[0])
		}
	}
}
