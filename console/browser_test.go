package console_test

import (
	"context"
	"os"
	"os/exec"
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
)

// chromiumPath finds a headless browser: FUNDLEDGER_CHROMIUM, or Debian's
// chromium. Locally a missing browser skips; in CI it fails.
func chromiumPath(t *testing.T) string {
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
		t.Fatal("chromium is not installed, and CI must run the browser test: apt-get install chromium fonts-noto-cjk")
	}
	t.Skip("chromium not found: install Debian's chromium and fonts-noto-cjk to run the console's browser test")
	return ""
}

// outputDir is where screenshots go for a person to look at.
func outputDir(t *testing.T) string {
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
// trace, create a payout batch from an XLSX upload (preview, then commit),
// download a file, sign out; with screenshots at desktop and 360 px width.
func TestConsoleInChromium(t *testing.T) {
	bin := chromiumPath(t)
	e := startEnv(t)
	county := e.loadDemo(200)
	_, fin := e.token("finance")
	out := outputDir(t)
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

	// The household registry (花名册) from XLSX, once the API takes it: a
	// file with one bad row is refused whole with that row named, then the
	// fixed file is previewed and committed, and its households appear.
	if d, ok := domain.CommandNamed("register_households"); ok && e.uploads(d) {
		head := []string{"户编号", "村", "户主姓名", "身份证号", "人口数", "类别", "状态", "开户银行", "银行卡号"}
		id1 := "11010119900307001"
		id1 += string(domain.IDNumberCheck(id1))
		id2 := "11010119900307002"
		good2 := id2 + string(domain.IDNumberCheck(id2))
		bad2 := id2 + string("0123456789X"[(strings.IndexByte("0123456789X", good2[17])+1)%11])
		reg := func(second string) string {
			return xlsxFile(t, tmp, "registry.xlsx", [][]string{head,
				{"H9001", h.Village, "测试甲", id1, "3", "ordinary", "poor", "农商银行", "6228480000000000011"},
				{"H9002", h.Village, "测试乙", second, "2", "ordinary", "poor", "农商银行", "6228480000000000022"}})
		}
		before := e.seq(demo.Ledger)
		step("registry with a bad row",
			chromedp.Navigate(e.url+L+"/upload/register_households"),
			chromedp.WaitVisible(chromedp.CSS("#file")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{reg(bad2)}),
			chromedp.Click(chromedp.CSS("#preview-button")),
			chromedp.WaitVisible(chromedp.CSS("#row-errors")),
			shot("registry-refused", 1280))
		if rows := text("#row-errors"); !strings.Contains(rows, "3") {
			t.Errorf("row errors %q do not name row 3", rows)
		}
		if e.seq(demo.Ledger) != before {
			t.Fatal("a refused registry wrote")
		}
		step("registry fixed",
			chromedp.Navigate(e.url+L+"/upload/register_households"),
			chromedp.WaitVisible(chromedp.CSS("#file")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{reg(good2)}),
			chromedp.Click(chromedp.CSS("#preview-button")),
			chromedp.WaitVisible(chromedp.CSS("#preview")),
			shot("registry-preview", 1280),
			chromedp.Click(chromedp.CSS("#commit")),
			chromedp.WaitVisible(chromedp.CSS("#done")),
			chromedp.Navigate(e.url+L+"/list/households?q=H900"),
			chromedp.WaitVisible(chromedp.CSS(`#list a[href$="/r/households/H9002"]`)))
	} else {
		t.Log("the API has no household registry upload yet: registry steps not run")
	}

	// A payout batch from an XLSX file: preview, then commit.
	fund := e.fundWith(1000)
	var rows [][]string
	rows = append(rows, []string{"household", "amount"})
	for _, hh := range county.Households[10:13] {
		rows = append(rows, []string{hh.ID, "120.00"})
	}
	file := batchXLSX(t, tmp, rows)
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
		shot("batch-preview", 1280))
	if got := text("#preview-lines"); !strings.HasPrefix(got, "3") || !strings.Contains(got, "相符") {
		t.Errorf("preview lines: %q", got)
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

	// Download a file: the batch's bank file when the API has it, else the
	// ledger's money movements (CSV).
	dl := filepath.Join(tmp, "downloads")
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	link := `a[href*="bank-file"]`
	if !strings.Contains(mustHTML(t, ctx), "bank-file") {
		step("open downloads", chromedp.Navigate(e.url+L+"/downloads"), chromedp.WaitVisible(chromedp.CSS(".downloads")))
		link = `a[href*="format%3Dcsv"]`
	}
	step("download",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(link)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download cancelled")
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dl, ev.GUID))
		if err != nil || !strings.Contains(string(b), "B-browser-1") {
			t.Errorf("downloaded file (%d bytes, %v) does not name the new batch", len(b), err)
		}
		break
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

// uploads reports whether the API's route of command d takes files.
func (e *env) uploads(d domain.CommandSpec) bool {
	for _, rt := range e.n.Server.Routes() {
		if rt.Method == d.Method && rt.Path == d.Path {
			return rt.Uploads
		}
	}
	return false
}

func mustHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
