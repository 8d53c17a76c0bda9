package main

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// TestEveryCommandIsAnImportKind: an import line of each command's name
// (and of each older kind) reads into that command, with its path
// parameter from the line's top-level field, as the API reads it.
func TestEveryCommandIsAnImportKind(t *testing.T) {
	kinds := map[string]string{}
	for _, d := range domain.Commands() {
		kinds[d.Name] = d.Name
	}
	for alias, name := range importAliases {
		if _, ok := domain.CommandNamed(name); !ok {
			t.Errorf("older kind %q names %q, not a command", alias, name)
		}
		kinds[alias] = name
	}
	for kind, name := range kinds {
		d, _ := domain.CommandNamed(name)
		line := map[string]any{"kind": kind, "body": map[string]any{}}
		if d.Param != "" {
			line[d.Param] = "X1"
		}
		raw, _ := json.Marshal(line)
		_, cmd, err := parseImportLine(raw, "")
		if err != nil {
			t.Errorf("kind %s: %v", kind, err)
			continue
		}
		want, _ := d.Decode([]byte(`{}`), "X1", json.Unmarshal)
		if !reflect.DeepEqual(cmd, want) {
			t.Errorf("kind %s reads as %#v, want %#v", kind, cmd, want)
		}
	}
}

// TestREADMEListsEveryImportKind: README's import section names every
// command and every older kind that import reads.
func TestREADMEListsEveryImportKind(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "`import` reads JSON Lines")
	end := strings.Index(readme[max(start, 0):], "Path parameters")
	if start < 0 || end < 0 {
		t.Fatal("README has no import section listing the kinds")
	}
	section := readme[start : start+end]
	for _, kind := range append(commandNames(), aliasNames()...) {
		if !strings.Contains(section, "`"+kind+"`") {
			t.Errorf("README's import section does not list kind %s", kind)
		}
	}
}
