package main

import (
	"strings"
	"testing"
)

// TestUsageListsEveryCommand: the usage text names every command main
// runs, and the sub-commands and flags that change what a command does
// (token revoke, verify --deep, replay --from), so that `fundledger help`
// never hides one.
func TestUsageListsEveryCommand(t *testing.T) {
	if len(commands) == 0 {
		t.Fatal("no commands registered")
	}
	for name := range commands {
		if !strings.Contains(usage, "\n  fundledger "+name+" ") {
			t.Errorf("usage does not list %q", name)
		}
	}
	for _, want := range []string{"fundledger token   create ", "fundledger token   revoke ", "verify  --data-dir DIR [--ledger CODE] [--deep]",
		"replay  --from FILE.ndjson"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}
