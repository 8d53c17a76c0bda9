package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// readSide is what the API answered just before the clean stop: the summary
// and a selection of balances, by kind and id, as plain decoded JSON.
type readSide struct {
	summary  map[string]any
	balances map[string]map[string]map[string]any
}

// balanceSample names the balances compared with the replay: every project
// and village, the first households, the base fund and the first cycle
// funds, each source level that received money, and both pools.
func balanceSample(b *book) map[string][]string {
	s := map[string][]string{"pools": {"poverty", "integrated"}}
	for i := 0; i < projects; i++ {
		s["projects"] = append(s["projects"], projectID(i))
	}
	for i := 0; i < villages; i++ {
		s["villages"] = append(s["villages"], villageID(i))
	}
	for i := 0; i < 10 && i < households; i++ {
		s["households"] = append(s["households"], householdID(i))
	}
	levels := map[string]bool{"central": true}
	var funds []string
	for _, a := range b.sorted() {
		if a.op.kind != "allocation" {
			continue
		}
		if len(funds) < 6 {
			funds = append(funds, a.op.id)
		}
		var body struct {
			Level string `json:"source_level"`
		}
		_ = json.Unmarshal(a.op.body, &body)
		levels[body.Level] = true
	}
	s["funds"] = funds
	for l := range levels {
		s["sources"] = append(s["sources"], l)
	}
	sort.Strings(s["sources"])
	return s
}

// readAPI fetches the summary and the sampled balances from the server.
func readAPI(ctx context.Context, c *client, sample map[string][]string) (readSide, error) {
	r := readSide{balances: map[string]map[string]map[string]any{}}
	if err := c.get(ctx, ledgerPath("/summary"), &r.summary); err != nil {
		return r, err
	}
	for kind, ids := range sample {
		r.balances[kind] = map[string]map[string]any{}
		for _, id := range ids {
			var v map[string]any
			if err := c.get(ctx, ledgerPath("/balances/"+kind+"/"+id), &v); err != nil {
				return r, err
			}
			r.balances[kind][id] = v
		}
	}
	return r, nil
}

// replayOffline runs `fundledger replay` on the stopped server's data dir and
// answers its summary and balances.
func replayOffline(ctx context.Context, bin, dataDir, tmp string) (readSide, error) {
	out := filepath.Join(tmp, "replay.json")
	cmd := exec.CommandContext(ctx, bin, "replay", "--data-dir", dataDir, "--ledger", ledgerCode, "--out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return readSide{}, fmt.Errorf("fundledger replay: %v\n%s", err, msg)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return readSide{}, err
	}
	var x struct {
		Summary  map[string]any                       `json:"summary"`
		Balances map[string]map[string]map[string]any `json:"balances"`
	}
	if err := json.Unmarshal(raw, &x); err != nil {
		return readSide{}, fmt.Errorf("replay output: %w", err)
	}
	return readSide{summary: x.Summary, balances: x.Balances}, nil
}

// compareReplay checks that every field the replay computed has the value
// the API answered: the same summary and the same balances from the same log.
func compareReplay(api, replay readSide) error {
	var diffs []string
	diffs = append(diffs, sameFields("summary", api.summary, replay.summary)...)
	n := 0
	for kind, byID := range api.balances {
		for id, got := range byID {
			want, ok := replay.balances[kind][id]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s %s: answered by the API, absent from the replay", kind, id))
				continue
			}
			diffs = append(diffs, sameFields(kind+" "+id, got, want)...)
			n++
		}
	}
	if n == 0 {
		diffs = append(diffs, "no balance was compared")
	}
	if len(diffs) > 0 {
		if len(diffs) > 12 {
			diffs = append(diffs[:12], fmt.Sprintf("… %d more", len(diffs)-12))
		}
		return fmt.Errorf("API and offline replay disagree: %s", strings.Join(diffs, "; "))
	}
	return nil
}

// sameFields lists the fields of replay whose value differs in api. The
// replay's fields are the reference: the API may answer more.
func sameFields(what string, api, replay map[string]any) []string {
	if len(replay) == 0 {
		return []string{what + ": empty in the replay"}
	}
	var out []string
	for k, want := range replay {
		if got, ok := api[k]; !ok || !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			out = append(out, fmt.Sprintf("%s.%s: API %.80s, replay %.80s", what, k, g, w))
		}
	}
	sort.Strings(out)
	return out
}
