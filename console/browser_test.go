package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/internal/testutil"
)

// batchXLSX writes a payout-batch file (household, amount) to dir.
func batchXLSX(t *testing.T, dir string, rows [][]string) string {
	return xlsxFile(t, dir, "batch.xlsx", rows)
}

// xlsxFile writes rows as the first sheet of an XLSX file in dir.
func xlsxFile(t *testing.T, dir, name string, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellValue("Sheet1", cell, v)
		}
	}
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConsoleInChromium drives the console in headless chromium as a
// clerk would: sign in with a token, find a household by name, open its
// trace, import a household registry XLSX with one bad row (refused with
// its row named, nothing written), fix it and import it (the households
// are listed), create a payout batch from an XLSX upload (preview, then
// commit), download its bank file (代发文件) and read it as XLSX, sign out;
// with screenshots at desktop and 360 px width under testoutput/.
func TestConsoleInChromium(t *testing.T) {
	bin := testutil.Chromium(t)
	e := startEnv(t)
	county := e.loadDemo(200)
	_, fin := e.token("finance")
	out := testutil.OutputDir(t)
	tmp := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("hide-scrollbars", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	shot := func(name string, width int64) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				return err
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(out, "console-"+name+".png"), png, 0o644); err != nil {
				return err
			}
			return chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
		})
	}
	// printed shoots the page as print media lays it out (the print CSS).
	printed := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
				return err
			}
			if err := chromedp.Do(ctx, shot(name, 794)); err != nil { // A4 at 96 dpi
				return err
			}
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
			return err
		})
	}
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	count := func(sel string) int {
		t.Helper()
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(0)))
		if err != nil {
			t.Fatalf("nodes %s: %v", sel, err)
		}
		return len(nodes)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// Sign in.
	step("sign in",
		chromedp.Navigate(e.url+"/console/signin"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		shot("signin-360px", 360),
		chromedp.SendKeys(chromedp.CSS("#token"), fin),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
		shot("dashboard", 1280), shot("dashboard-360px", 360))
	if got := text("#fund-scale"); got == "" {
		t.Error("the dashboard shows no fund scale")
	}

	// The findings, and a refused write: the domain's reason, the field marked.
	step("findings and a refused write",
		chromedp.Navigate(e.url+L+"/findings"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
		shot("findings", 1280),
		chromedp.Navigate(e.url+L+"/write/allocate"),
		chromedp.WaitVisible(chromedp.CSS("#f-amount")),
		chromedp.SetValue(chromedp.CSS("#f-id"), "A-browser"),
		chromedp.SetValue(chromedp.CSS("#f-programme"), "中央财政专项扶贫资金"),
		chromedp.SetValue(chromedp.CSS("#f-fiscal_year"), "2019"),
		chromedp.SetValue(chromedp.CSS("#f-document_no"), "财农〔2019〕9号"),
		chromedp.SetValue(chromedp.CSS("#f-amount"), "12.345"),
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#error")),
		shot("write-refused-360px", 360))

	// Find a household (past the first page) by its head's name, open it and its trace.
	h := county.Households[150]
	step("find a household by name",
		chromedp.Navigate(e.url+L+"/list/households"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), h.HeadName),
		chromedp.Click(chromedp.CSS("#search")),
		chromedp.WaitVisible(chromedp.CSS(`#list a[href$="/r/households/`+h.ID+`"]`)),
		shot("households-search", 1280),
		chromedp.Click(chromedp.CSS(`#list a[href$="/r/households/`+h.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#trace")),
		shot("household-360px", 360),
		chromedp.Click(chromedp.CSS("#trace")),
		chromedp.WaitVisible(chromedp.CSS("#trace-lines")),
		shot("household-trace", 1280), shot("household-trace-360px", 360), printed("household-trace-print"))
	if who := text("#who"); !strings.Contains(who, h.HeadName) || strings.Contains(who, h.IDNumber) {
		t.Errorf("trace names %q: want the head's name and no full ID number", who)
	}

	// The household registry (花名册) from XLSX, reached from the household
	// list: a file with one bad row is refused whole with that row named
	// and nothing written; the fixed file is previewed (numbers masked),
	// committed, and its households appear in the list.
	head := []string{"户编号", "村", "户主姓名", "身份证号", "人口数", "类别", "状态", "开户银行", "银行卡号"}
	id1 := "11010119900307001"
	id1 += string(domain.IDNumberCheck(id1))
	id2 := "11010119900307002"
	good2 := id2 + string(domain.IDNumberCheck(id2))
	bad2 := id2 + string("0123456789X"[(strings.IndexByte("0123456789X", good2[17])+1)%11])
	reg := func(second string) string {
		return xlsxFile(t, tmp, "registry.xlsx", [][]string{head,
			{"H9001", h.Village, "测试甲", id1, "3", "一般户", "贫困户", "农商银行", "6228480000000000011"},
			{"H9002", h.Village, "测试乙", second, "2", "低保户", "贫困户", "农商银行", "6228480000000000022"}})
	}
	before := e.seq(demo.Ledger)
	step("registry with a bad row",
		chromedp.Navigate(e.url+L+"/list/households"),
		chromedp.WaitVisible(chromedp.CSS("#import")),
		chromedp.Click(chromedp.CSS("#import")),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{reg(bad2)}),
		chromedp.Click(chromedp.CSS("#preview-button")),
		chromedp.WaitVisible(chromedp.CSS("#row-errors")),
		shot("registry-refused", 1280), shot("registry-refused-360px", 360))
	if row, col := text("#row-errors tbody tr:first-child td:nth-child(1)"), text("#row-errors tbody tr:first-child td:nth-child(2)"); row != "3" || col != "身份证号" {
		t.Errorf("first refused row %q column %q, want row 3 (the file's second household) column 身份证号", row, col)
	}
	if n := count("#row-errors tbody tr"); n != 1 {
		t.Errorf("%d refused rows shown, want 1", n)
	}
	if html := mustHTML(t, ctx); strings.Contains(html, bad2) || strings.Contains(html, id1) {
		t.Error("the refused registry's page shows a full ID number")
	}
	if e.seq(demo.Ledger) != before {
		t.Fatal("a refused registry wrote")
	}
	step("nothing registered",
		chromedp.Navigate(e.url+L+"/list/households?q=H900"),
		chromedp.WaitVisible(chromedp.CSS("#list")))
	if got := text("#list tbody"); !strings.Contains(got, "没有找到记录") {
		t.Errorf("after the refused file the list shows %q", got)
	}
	step("registry fixed",
		chromedp.Navigate(e.url+L+"/upload/register_households"),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{reg(good2)}),
		chromedp.Click(chromedp.CSS("#preview-button")),
		chromedp.WaitVisible(chromedp.CSS("#preview")),
		shot("registry-preview", 1280))
	if got := text("#preview-count"); got != "2" {
		t.Errorf("registry preview counts %q rows, want 2", got)
	}
	if html := mustHTML(t, ctx); strings.Contains(html, good2) || strings.Contains(html, "6228480000000000022") || !strings.Contains(html, "测试乙") {
		t.Error("the registry preview shows a full number, or not the households")
	}
	if e.seq(demo.Ledger) != before {
		t.Fatal("the registry preview wrote")
	}
	step("registry committed",
		chromedp.Click(chromedp.CSS("#commit")),
		chromedp.WaitVisible(chromedp.CSS("#done")),
		shot("registry-committed", 1280),
		chromedp.Click(chromedp.CSS("#done-record")),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "测试"),
		chromedp.Click(chromedp.CSS("#search")),
		chromedp.WaitVisible(chromedp.CSS(`#list a[href$="/r/households/H9002"]`)),
		shot("registry-listed", 1280))
	if got := text("#list tbody"); !strings.Contains(got, "H9001") || !strings.Contains(got, "测试甲") {
		t.Errorf("the household list after the import: %q", got)
	}
	if got := e.seq(demo.Ledger); got != before+1 {
		t.Errorf("the registry wrote %v commits, want 1", got-before)
	}

	// A payout batch from an XLSX file: preview, then commit.
	fund := e.fundWith(1000)
	batch := county.Households[10:13]
	rows := [][]string{{"户编号", "金额"}}
	for _, hh := range batch {
		rows = append(rows, []string{hh.ID, "120.00"})
	}
	file := batchXLSX(t, tmp, rows)
	before = e.seq(demo.Ledger)
	step("upload a batch",
		chromedp.Navigate(e.url+L+"/upload/payout_batch"),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetValue(chromedp.CSS("#f-id"), "B-browser-1"),
		chromedp.SetValue(chromedp.CSS("#f-fund"), fund),
		chromedp.SetValue(chromedp.CSS("#f-item"), "临时救助"),
		chromedp.SetValue(chromedp.CSS("#f-period"), "2019-12"),
		chromedp.SetValue(chromedp.CSS("#f-control_count"), "3"),
		chromedp.SetValue(chromedp.CSS("#f-control_amount"), "360.00"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS("#preview-button")),
		chromedp.WaitVisible(chromedp.CSS("#preview")),
		shot("batch-preview", 1280), shot("batch-preview-360px", 360))
	if got := text("#preview-count"); got != "3" {
		t.Errorf("batch preview counts %q lines, want 3", got)
	}
	if got := text("#preview"); !strings.Contains(got, batch[2].ID) || !strings.Contains(got, "360.00") {
		t.Errorf("batch preview does not show its lines and total: %q", got)
	}
	if e.seq(demo.Ledger) != before {
		t.Fatal("the batch preview wrote")
	}
	step("commit the batch",
		chromedp.Click(chromedp.CSS("#commit")),
		chromedp.WaitVisible(chromedp.CSS("#done")),
		shot("batch-committed", 1280),
		chromedp.Click(chromedp.CSS("#done-record")),
		chromedp.WaitVisible(chromedp.CSS("#lines")),
		shot("batch", 1280))
	if got := text("#batch-amount"); !strings.HasPrefix(got, "360.00") {
		t.Errorf("batch amount %q, want 360.00", got)
	}

	// The batch's bank file (代发文件), from the batch's page: an XLSX
	// naming each of the batch's households, with the name the API gave it.
	dl := filepath.Join(tmp, "downloads")
	begins := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	step("download the bank file",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href*="bank-file"]`)))
	for ev, err := range begins {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if !strings.Contains(ev.SuggestedFilename, "bank-file-B-browser-1") || !strings.HasSuffix(ev.SuggestedFilename, ".xlsx") {
			t.Errorf("bank file named %q", ev.SuggestedFilename)
		}
		break
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			checkBankFile(t, filepath.Join(dl, ev.GUID), batch)
			break
		}
	}

	// Sign out: the session is gone.
	step("sign out",
		chromedp.Navigate(e.url+L+"/"),
		chromedp.WaitVisible(chromedp.CSS("#signout")),
		chromedp.Click(chromedp.CSS("#signout")),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		shot("signed-out", 1280),
		chromedp.Navigate(e.url+L+"/"),
		chromedp.WaitVisible(chromedp.CSS("#token")))
	t.Logf("screenshots in %s", out)
}

// checkBankFile opens a downloaded bank file as XLSX and finds each of
// the batch's households on a line of it, by id and head's name.
func checkBankFile(t *testing.T, path string, batch []domain.RegisterHousehold) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the bank file is not an XLSX: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != len(batch)+1 {
		t.Fatalf("bank file: %d rows (%v), want a header and %d lines", len(rows), err, len(batch))
	}
	for _, h := range batch {
		found := false
		for _, row := range rows[1:] {
			line := strings.Join(row, "|")
			found = found || strings.Contains(line, "|"+h.ID+"|") && strings.Contains(line, h.HeadName)
		}
		if !found {
			t.Errorf("the bank file has no line for %s %s: %v", h.ID, h.HeadName, rows)
		}
	}
}

func mustHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
