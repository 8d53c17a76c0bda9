package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/internal/sheet"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// runImportHouseholds imports a household registry file (建档立卡花名册:
// XLSX, or CSV in UTF-8 or GBK) into a ledger as one commit, exactly as
// POST /v1/ledgers/{ledger}/households/import does: the same columns, the
// same rules, every refused row listed (row numbers as in Excel) and
// nothing written; --dry-run judges the file and writes nothing.
//
// The file's SHA-256 is its idempotency key: importing the same file again
// answers the commit it already made.
func runImportHouseholds(args []string) error {
	fs := newFlags("import households", "fundledger import households --data-dir DIR --ledger CODE FILE.xlsx|FILE.csv [--dry-run] [--date YYYY-MM-DD]: register a household registry file (户编号, 村, 户主姓名, 身份证号, 人口数, 类别, 状态, 开户银行, 银行卡号) as one commit, all or nothing (stop the server first, or POST it to /v1/ledgers/CODE/households/import)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "ledger code (required)")
	dry := fs.Bool("dry-run", false, "judge the file and list its refused rows; write nothing")
	date := fs.String("date", "", "business date of the registration (default: the record day)")
	actor := fs.String("actor", "import", "actor recorded on the commit")
	// Flags may come before or after the file.
	var files []string
	for {
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if *code == "" || len(files) != 1 {
		return exitUsage("import households", "--ledger and one FILE are required")
	}
	file := files[0]
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if len(b) > api.MaxUpload {
		return fmt.Errorf("%s is larger than %d MiB, the most one registry file may be; split it", file, api.MaxUpload>>20)
	}
	lim := sheet.Limits{MaxRows: api.MaxUploadRows, MaxExpanded: api.MaxXLSXExpanded}
	var rows []sheet.Row
	if strings.EqualFold(filepath.Ext(file), ".xlsx") {
		rows, err = sheet.ReadXLSX(b, lim)
	} else {
		rows, err = sheet.ReadCSV(b, lim)
	}
	var t *sheet.Table
	if err == nil {
		t, err = sheet.NewTable(rows, sheet.HouseholdColumns)
	}
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was written", file, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openOffline(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	m := projections.NewModel(*code)
	if err := ledger.Walk(ctx, store, *code, 0, m.Apply); err != nil {
		return err
	}
	cmd, problems := sheet.Households(t, m.VillageNames())
	cmd.Date = *date
	mgr := ledger.NewManager(store, ledger.Options{Logger: quietLog(), WitnessDir: witnessDir(*dataDir)})
	defer mgr.Close()
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	res, err := mgr.Submit(ctx, *code, ledger.Request{Command: cmd, Actor: *actor, IdempotencyKey: "households:" + hash,
		RequestHash: hash + "/" + *date, DryRun: *dry || len(problems) > 0})
	if err != nil {
		found, ok := t.Problems(err, "households")
		if !ok && len(problems) == 0 {
			return fmt.Errorf("%s: %w; nothing was written", file, err)
		}
		problems = sheet.Merge(problems, found)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "%s: %d rows refused (行有误); nothing was written:\n", file, len(problems))
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "  row %d, column %s: %s\n", p.Row, p.Column, p.Reason)
		}
		return exitError(1)
	}
	switch {
	case res.DryRun:
		fmt.Fprintf(os.Stderr, "%s: %d households would be registered in ledger %s on top of seq %d; dry run, nothing written\n", file, len(cmd.Households), *code, res.Seq)
	case res.Replayed:
		fmt.Fprintf(os.Stderr, "%s was already imported into ledger %s at seq %d %s; nothing new written\n", file, *code, res.Seq, res.Hash)
	default:
		fmt.Fprintf(os.Stderr, "registered %d households from %s in ledger %s: seq %d %s\n", len(cmd.Households), file, *code, res.Seq, res.Hash)
	}
	return nil
}
