package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Chromium finds a headless browser for the browser tests:
// FUNDLEDGER_CHROMIUM, or Debian's chromium. Locally a missing browser
// skips the test with how to install it; in CI (CI set by .ci/run, which
// installs it) it fails, so the browser tests can never be skipped there.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("FUNDLEDGER_CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI must run the browser tests: .ci/run installs chromium and fonts-noto-cjk")
	}
	t.Skip("chromium not found: install Debian's chromium and fonts-noto-cjk (apt-get install chromium fonts-noto-cjk) to run the browser tests")
	return ""
}

// OutputDir is where browser tests put screenshots and PDFs for a person to
// look at: FUNDLEDGER_TEST_OUTPUT, or testoutput/ at the repository root
// (tests run in their package's directory, one level down).
func OutputDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FUNDLEDGER_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join("..", "testoutput")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}
