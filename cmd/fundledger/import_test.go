package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// countyJSONL is a small county as an import file: every kind of money
// write, a bank return and a reversal, one line each.
const countyJSONL = `{"kind":"ledger","body":{"code":"341504","name":"某县"}}
{"kind":"village","body":{"id":"V001","name":"罗田村","township":"某镇","poor_village":true}}
{"kind":"household","body":{"id":"H0001","village":"V001","head_name":"张三","id_number":"11010519491231002X","members":4,"category":"ordinary","status":"poor","bank_name":"农商银行","bank_account":"6217000011112222"}}
{"kind":"household","body":{"id":"H0002","village":"V001","head_name":"李四","id_number":"110105194912310038","members":2,"category":"dibao","status":"poor","bank_name":"农商银行","bank_account":"6217000011113333"}}
{"kind":"allocation","body":{"id":"A1","source_level":"central","programme":"中央财政专项扶贫资金","fiscal_year":2019,"document_no":"财农〔2019〕1号","amount":"1000000.00"}}
{"kind":"integration","body":{"id":"I1","programme":"农业综合开发","fiscal_year":2019,"document_no":"财农〔2019〕2号","amount":"50000.00"}}

{"kind":"project","body":{"id":"P001","name":"罗田村道路硬化","village":"V001","category":"infrastructure","batch":"2019-1","budget":"300000.00","approval_doc":"某扶〔2019〕3号"}}
{"kind":"appropriation","project":"P001","body":{"id":"AP1","fund":"A1","amount":"200000.00"}}
{"kind":"payment","project":"P001","body":{"id":"PY1","fund":"A1","payee":"某建筑公司","amount":"150000.00","voucher_no":"凭证001","method":"treasury"}}
{"kind":"recovery","project":"P001","body":{"id":"R1","fund":"A1","amount":"10000.00","reason":"结余收回"}}
{"kind":"project_status","project":"P001","body":{"status":"started","date":"2019-05-01"}}
{"kind":"payout","body":{"id":"PO1","household":"H0001","item":"光伏扶贫补助","standard":"3000.00","period":"2019","fund":"A1","amount":"3000.00"}}
{"kind":"payout_batch","body":{"id":"B1","fund":"I1","item":"产业奖补","period":"2019","control":{"count":2,"amount":"5000.00"},"lines":[{"household":"H0001","amount":"2000.00"},{"household":"H0002","amount":"3000.00"}]}}
{"kind":"bank_results","batch":"B1","body":{"lines":[{"household":"H0001","status":"paid","bank_ref":"X1"},{"household":"H0002","status":"failed","reason":"账户冻结"}]}}
{"kind":"reversal","body":{"id":"RV1","reverses":"PO1","reason":"错发"}}
{"kind":"household_exit","household":"H0001","key":"exit-H0001-2019","body":{"year":2019}}
`

// countyWrites is the number of writes (non-blank lines) of countyJSONL.
const countyWrites = 16

func writeImportFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// importedCounty imports countyJSONL into a new data directory.
func importedCounty(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file := writeImportFile(t, "county.jsonl", countyJSONL)
	if err := runImport([]string{"--data-dir", dir, "--ledger", "341504", "--file", file}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ledgerState replays the ledger of dir, checking its chain, and answers
// the decider's state, the head and the last commit.
func ledgerState(t *testing.T, dir string) (*domain.State, *domain.Commit) {
	t.Helper()
	ctx := context.Background()
	store, err := openOffline(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := domain.NewState()
	var last *domain.Commit
	err = ledger.Walk(ctx, store, "341504", 0, func(c *domain.Commit) error {
		events, err := c.Decode()
		for _, e := range events {
			s.Apply(e)
		}
		last = c
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, last
}

func TestImportWritesEachLineOnceInOrder(t *testing.T) {
	dir := t.TempDir()
	file := writeImportFile(t, "county.jsonl", countyJSONL)
	args := []string{"--data-dir", dir, "--ledger", "341504", "--file", file, "--actor", "clerk"}
	if err := runImport(args); err != nil {
		t.Fatal(err)
	}
	s, last := ledgerState(t, dir)
	if last.Seq != countyWrites || last.Actor != "clerk" || last.IdempotencyKey != "exit-H0001-2019" {
		t.Fatalf("head commit: seq %d actor %q key %q", last.Seq, last.Actor, last.IdempotencyKey)
	}
	for acct, want := range map[domain.Account]string{
		domain.FundAccount(domain.PoolPoverty, "A1"):    "800000.00", // −200000 appropriated; the payout was reversed
		domain.FundAccount(domain.PoolIntegrated, "I1"): "48000.00",  // −5000 batch, +3000 failed line back
		domain.ProjectAccount("P001", "A1"):             "40000.00",
		domain.PayeeAccount("某建筑公司"):                    "150000.00",
		domain.ReclaimedAccount("A1"):                   "10000.00",
		domain.HouseholdAccount("H0001"):                "2000.00",
		domain.HouseholdAccount("H0002"):                "0.00",
	} {
		if got := s.Balance(acct).String(); got != want {
			t.Errorf("%s = %s, want %s", acct, got, want)
		}
	}
	if h := s.Households["H0001"]; h.Status != "exited" || s.Projects["P001"].Status != "started" {
		t.Errorf("H0001 %s, P001 %s", h.Status, s.Projects["P001"].Status)
	}

	// The same file again: every line is found by its key, nothing is written.
	if err := runImport(args); err != nil {
		t.Fatal(err)
	}
	if _, again := ledgerState(t, dir); again.Seq != last.Seq || again.Hash != last.Hash {
		t.Fatalf("re-import moved the head from %d %s to %d %s", last.Seq, last.Hash, again.Seq, again.Hash)
	}
	// A changed line under its old key is refused, not written a second time.
	changed := writeImportFile(t, "county.jsonl", strings.Replace(countyJSONL, `"1000000.00"`, `"1000001.00"`, 1))
	err := runImport([]string{"--data-dir", dir, "--ledger", "341504", "--file", changed})
	if err == nil || !strings.Contains(err.Error(), `county.jsonl line 5: key "import:county.jsonl:5" was already used for a different request`) {
		t.Fatalf("changed line answered %v", err)
	}
}

func TestImportStopsAtTheFirstRejectedLine(t *testing.T) {
	head := strings.Join(strings.Split(countyJSONL, "\n")[:6], "\n") + "\n"
	for _, tc := range []struct {
		name, line, want string
	}{
		{"three decimals", `{"kind":"allocation","body":{"id":"A2","source_level":"county","programme":"区本级","fiscal_year":2019,"document_no":"d","amount":"1.005"}}`,
			"more than two decimals"},
		{"unknown field", `{"kind":"allocation","body":{"id":"A2","source_level":"county","programme":"区本级","fiscal_year":2019,"document_no":"d","amout":"1.00"}}`,
			`field "amout" is not part of this request`},
		{"case variant", `{"kind":"allocation","body":{"id":"A2","source_level":"county","programme":"区本级","fiscal_year":2019,"document_no":"d","amount":"1.00","AMOUNT":"700.00"}}`,
			`names "amount" and "AMOUNT"`},
		{"missing path parameter", `{"kind":"appropriation","body":{"id":"AP9","fund":"A1","amount":"1.00"}}`,
			`needs a top-level "project"`},
		{"rule broken", `{"kind":"payout","body":{"id":"PO9","household":"H0001","item":"x","standard":"1.00","period":"2019","fund":"A1","amount":"2000000.00"}}`,
			"insufficient"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// Lines 1–6 are good, line 7 is bad, line 8 would be good.
			body := head + tc.line + "\n" + `{"kind":"allocation","body":{"id":"A3","source_level":"county","programme":"区本级","fiscal_year":2019,"document_no":"d","amount":"5.00"}}` + "\n"
			file := writeImportFile(t, "bad.jsonl", body)
			err := runImport([]string{"--data-dir", dir, "--ledger", "341504", "--file", file})
			if err == nil || !strings.Contains(err.Error(), "bad.jsonl line 7: ") || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "6 lines before it are in ledger 341504") {
				t.Fatalf("import answered %v", err)
			}
			s, last := ledgerState(t, dir)
			if last.Seq != 6 || s.Funds["A3"] != nil {
				t.Fatalf("after the bad line the head is %d (want 6), A3 written: %v", last.Seq, s.Funds["A3"] != nil)
			}
		})
	}
}
