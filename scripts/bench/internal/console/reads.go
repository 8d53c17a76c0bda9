package console

import (
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"

	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"
	"time"
)

// readPhase builds the big ledger, waits for the projections, then loads
// /healthz (the baseline) and the console's reads one after another.
func (b *bench) readPhase(ctx context.Context) error {
	start := time.Now()
	events, err := buildLedger(ctx, b.n.Manager, b.cfg)
	if err != nil {
		return err
	}
	head, _, err := b.n.Manager.Head(ctx, code)
	if err != nil {
		return err
	}
	built := time.Since(start)
	wctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	if err := b.n.Projector.WaitFor(wctx, code, head); err != nil {
		return fmt.Errorf("projections did not reach the head: %w", err)
	}
	fmt.Fprintf(b.cfg.Log, "# ledger %s: %d events in %d commits (%d households, %d funds, %d batches), written through ledger.Manager in %s (%.0f events/s); projections at the head %s later; load average %s\n",
		code, events, head, b.cfg.Households, b.cfg.Funds, b.cfg.Batches, built.Round(time.Millisecond), float64(events)/built.Seconds(),
		(time.Since(start) - built).Round(time.Millisecond), figure.Loadavg())

	L := b.base + "/v1/ledgers/" + code
	deep, seen, err := b.deepToken(L)
	if err != nil {
		return err
	}
	if seen != b.cfg.Households {
		return fmt.Errorf("paging through the households listed %d, want %d", seen, b.cfg.Households)
	}
	busiest := fundID(0) // the batches' first fund: its share of payouts and 1/5 of the batches
	routes := []struct {
		name, doc string
		url       func(i int) string
	}{
		{"healthz", "GET /healthz (baseline)", func(int) string { return b.base + "/healthz" }},
		{"households_page_first", "GET …/households?page_size=100", func(int) string { return L + "/households?page_size=100" }},
		{"households_page_deep", "GET …/households?page_size=100&page_token=<at 90%>", func(int) string {
			return L + "/households?page_size=100&page_token=" + url.QueryEscape(deep)
		}},
		{"trace_fund", "GET …/trace/funds/" + busiest, func(int) string { return L + "/trace/funds/" + busiest }},
		{"trace_household", "GET …/trace/households/{a different one each time}", func(i int) string {
			return L + "/trace/households/" + householdID(int((uint64(i)*40503)%uint64(b.cfg.Households)))
		}},
	}
	for _, r := range routes { // warm every route once (render paths, connections)
		if st, body, err := b.get(r.url(0)); err != nil || st != 200 {
			return fmt.Errorf("%s: status %d %.200s %v", r.doc, st, body, err)
		}
	}
	fmt.Fprintf(b.cfg.Log, "# %d clients, %s per route, load average %s\n", b.cfg.Clients, b.cfg.Duration, figure.Loadavg())
	if b.cfg.CPUProfile != "" {
		f, err := os.Create(b.cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var base result
	for i, r := range routes {
		res := b.load(r.url, b.cfg.Duration)
		if i == 0 {
			base = res
		}
		b.report(r.name, res, base)
	}
	for _, r := range routes[:2] { // again, to see the noise
		if b.cfg.NoRepeat {
			break
		}
		again := b.load(r.url, b.cfg.Duration)
		fmt.Fprintf(b.cfg.Log, "# %s again after the routes (noise): p50 %.3f ms, p99 %.3f ms, %.0f req/s; load average %s\n",
			r.name, ms(again.p50), ms(again.p99), again.rate, figure.Loadavg())
	}
	return nil
}

// deepToken pages through every household 1,000 at a time (checking that
// no id repeats or goes backwards) and answers the page token that starts
// the page at 90% of the list, and how many households it saw.
func (b *bench) deepToken(L string) (string, int, error) {
	token, deep, seen, last := "", "", 0, ""
	start := time.Now()
	for {
		u := L + "/households?page_size=1000"
		if token != "" {
			u += "&page_token=" + url.QueryEscape(token)
		}
		st, body, err := b.get(u)
		if err != nil || st != 200 {
			return "", 0, fmt.Errorf("GET %s: %d %.200s %v", u, st, body, err)
		}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Next string `json:"next_page_token"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return "", 0, err
		}
		for _, it := range page.Items {
			if it.ID <= last {
				return "", 0, fmt.Errorf("household %s listed after %s", it.ID, last)
			}
			last = it.ID
		}
		seen += len(page.Items)
		if deep == "" && seen >= b.cfg.Households*9/10 && page.Next != "" {
			deep = page.Next
		}
		if page.Next == "" {
			break
		}
		token = page.Next
	}
	if deep == "" {
		deep = token
	}
	fmt.Fprintf(b.cfg.Log, "# paged through %d households, 1,000 a page, in %s\n", seen, time.Since(start).Round(time.Millisecond))
	return deep, seen, nil
}
