package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
)

// retrySample sends again up to n acknowledged writes, picked by rng, with
// their keys and bodies: each must answer 201 with its original seq and
// hash, marked Idempotent-Replayed, and write nothing.
func retrySample(ctx context.Context, c *client, acked []*ack, rng *rand.Rand, n int) error {
	for i := 0; i < n && len(acked) > 0; i++ {
		k := acked[rng.IntN(len(acked))]
		a, err := c.post(ctx, k.op.path, k.op.key, k.op.body)
		if err != nil {
			return fmt.Errorf("retrying acknowledged %s %s: %w", k.op.kind, k.op.id, err)
		}
		if a.status != http.StatusCreated || a.seq != k.seq || a.hash != k.hash || !a.replayed {
			return fmt.Errorf("retrying acknowledged %s %s (key %s, seq %d): answered %d seq %d replayed=%v %s",
				k.op.kind, k.op.id, k.op.key, k.seq, a.status, a.seq, a.replayed, a.body)
		}
	}
	return nil
}

// summaryFigures are the parts of GET …/summary the harness can predict.
type summaryFigures struct {
	Seq      uint64 `json:"seq"`
	HeadHash string `json:"head_hash"`
	Funds    struct {
		Scale string `json:"scale"`
	} `json:"funds"`
	Projects struct {
		Total struct {
			Count        int    `json:"count"`
			Appropriated string `json:"appropriated"`
		} `json:"total"`
	} `json:"projects"`
	Payouts struct {
		Total struct {
			Lines  int    `json:"lines"`
			Amount string `json:"amount"`
		} `json:"total"`
	} `json:"payouts"`
}

// balanceFigures are the common fields of every balance.
type balanceFigures struct {
	Seq          uint64 `json:"seq"`
	Received     string `json:"received"`
	Spent        string `json:"spent"`
	Balance      string `json:"balance"`
	Appropriated string `json:"appropriated"`
}

// checkFigures compares the read side after a restart with what the
// acknowledged writes add up to: fund scale, appropriations, payouts, the
// base fund's balance and each project's appropriations. This catches
// projections that lost or doubled commits across the kill even where the
// log itself is right.
func checkFigures(ctx context.Context, c *client, b *book, head logCommit) error {
	t := b.totals()
	var s summaryFigures
	if err := c.get(ctx, ledgerPath("/summary"), &s); err != nil {
		return err
	}
	var errs []string
	want := func(what, got, exp string) {
		if got != exp {
			errs = append(errs, fmt.Sprintf("%s is %s, the acknowledged writes add up to %s", what, got, exp))
		}
	}
	want("summary seq", fmt.Sprint(s.Seq), fmt.Sprint(head.Seq))
	want("summary head_hash", s.HeadHash, head.Hash)
	want("summary funds.scale", s.Funds.Scale, yuan(t.allocated))
	want("summary projects.total.count", fmt.Sprint(s.Projects.Total.Count), fmt.Sprint(projects))
	want("summary projects.total.appropriated", s.Projects.Total.Appropriated, yuan(t.appropriated))
	want("summary payouts.total.amount", s.Payouts.Total.Amount, yuan(t.paidOut))
	want("summary payouts.total.lines", fmt.Sprint(s.Payouts.Total.Lines), fmt.Sprint(t.lines))

	var base balanceFigures
	if err := c.get(ctx, ledgerPath("/balances/funds/"+baseFund), &base); err != nil {
		return err
	}
	want("base fund balance", base.Balance, yuan(baseFen-t.appropriated-t.paidOut))
	for i := 0; i < projects; i++ {
		var p balanceFigures
		if err := c.get(ctx, ledgerPath("/balances/projects/"+projectID(i)), &p); err != nil {
			return err
		}
		want("project "+projectID(i)+" appropriated", p.Appropriated, yuan(t.byProject[projectID(i)]))
	}
	if len(errs) > 0 {
		return fmt.Errorf("read side disagrees with the acknowledged writes: %v", errs)
	}
	return nil
}
