package console

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
)

// Batch measures one payout batch of lines lines (at most
// domain.MaxBatchLines) decided, checked and durable through the writer of
// a node on a fresh data dir, next to the same number of households
// registered in one RegisterHouseholds command (a command of the same
// row count through the same writer, in the same run). It answers
// batch_<lines/1000>k_s.
func Batch(ctx context.Context, lines int, log io.Writer) ([]figure.Figure, error) {
	if lines > domain.MaxBatchLines {
		return nil, fmt.Errorf("a batch holds at most %d lines", domain.MaxBatchLines)
	}
	dir, err := os.MkdirTemp("", "fundledger-batch-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	m := n.Manager
	if _, err := openLedger(ctx, m, code); err != nil {
		return nil, err
	}
	if _, err := submit(ctx, m, code, domain.Allocate{ID: fundID(0), SourceLevel: "central", Programme: "专项扶贫资金", FiscalYear: 2019,
		DocumentNo: "财农〔2019〕1号", Amount: "900000000000.00"}); err != nil {
		return nil, err
	}
	start := time.Now()
	for _, c := range registries(lines) {
		if _, err := submit(ctx, m, code, c); err != nil {
			return nil, err
		}
	}
	register := time.Since(start)
	c := domain.PayoutBatch{ID: "B0001", Fund: fundID(0), Item: "光伏扶贫补助", Period: "2019-06"}
	total := domain.Zero
	for j := range lines {
		amt := domain.Fen(int64(30000 + 100*(j%50)))
		c.Lines = append(c.Lines, domain.BatchLineRequest{Household: householdID(j), Amount: domain.AmountText(amt.String())})
		total = total.Add(amt)
	}
	c.Control = domain.ControlRequest{Count: lines, Amount: domain.AmountText(total.String())}
	start = time.Now()
	events, err := submit(ctx, m, code, c)
	if err != nil {
		return nil, err
	}
	took := time.Since(start)
	fmt.Fprintf(log, "# payout batch of %d lines (cap domain.MaxBatchLines = %d): %d events, checked and durable in %s; registering %d households in one command: %s\n",
		lines, domain.MaxBatchLines, events, took.Round(time.Millisecond), lines, register.Round(time.Millisecond))
	return []figure.Figure{{Name: fmt.Sprintf("batch_%dk_s", lines/1000), Value: took.Seconds(), Unit: "s", Baseline: register.Seconds()}}, nil
}
