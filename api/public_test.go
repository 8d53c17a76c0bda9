package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/demo"
)

// loadDemo writes the demo county into the env's ledger.
func (e *env) loadDemo() *demo.County {
	e.t.Helper()
	c := demo.Build(2000)
	if _, err := demo.Load(context.Background(), e.mgr, c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// publicPaths lists every public surface of one village.
func publicPaths(village string) []string {
	V := "/v1/public/ledgers/" + county + "/villages/" + village
	return []string{V + "/disclosure", V + "/disclosure.csv", V + "/disclosure.xlsx",
		"/notice/" + county + "/" + village, "/notice/" + county}
}

// readable answers a response body as text, unzipping XLSX so that the
// cells are searched, not the compressed bytes.
func readable(t *testing.T, raw []byte) string {
	if !bytes.HasPrefix(raw, []byte("PK")) {
		return string(raw)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		sb.Write(b)
	}
	return sb.String()
}

// TestPublicSurfacesLeakNoIDCardOrToken registers households with distinct
// ID and card numbers, pays them, and fetches every public route and
// download: no full ID number, bank account or token may appear anywhere,
// while the masked forms do (so the test sees the beneficiaries at all).
func TestPublicSurfacesLeakNoIDCardOrToken(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100000.00")
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	type person struct{ id, card string }
	var people []person
	for i := 0; i < 12; i++ {
		first17 := fmt.Sprintf("341504198%04d%04d", 100+i, 3000+i)
		p := person{id: first17 + string(domain.IDNumberCheck(first17)), card: fmt.Sprintf("62170055%011d", 77000+i)}
		people = append(people, p)
		h := household(fmt.Sprintf("HL%02d", i))
		h["id_number"], h["bank_account"], h["head_name"] = p.id, p.card, fmt.Sprintf("王%02d", i)
		e.must(e.call("POST", L+"/households", fin, h), 201)
		po := payout(fmt.Sprintf("PL%02d", i), "A1", "500.00")
		po["household"] = h["id"]
		e.must(e.call("POST", L+"/payouts", fin, po), 201)
	}
	// A card change: neither the old nor the new number may show.
	newCard := "6228480099887766"
	e.must(e.call("POST", L+"/households/HL00/bank-card", fin, map[string]any{"bank_name": "农业银行", "bank_account": newCard}), 201)

	secrets := []string{fin, aud, adminToken, testBankAcct, newCard, idNumber("34150419800101001")}
	for _, p := range people {
		secrets = append(secrets, p.id, p.card)
	}
	seq := e.must(e.call("GET", "/v1/public/ledgers/"+county+"/villages/V001/disclosure", "", nil), 200).num("seq")
	paths := append(publicPaths("V001"),
		fmt.Sprintf("/v1/public/ledgers/%s/verify?seq=%d&hash=%s", county, int(seq), strings.Repeat("0", 64)),
		"/v1/public/ledgers/"+county+"/villages/V001/disclosure?as_of=5",
		"/v1/openapi.json", "/healthz", "/readyz", "/metrics")
	for _, path := range paths {
		r := e.call("GET", path, "", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.raw)
		}
		text := readable(t, r.raw)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("GET %s leaks %q", path, s)
			}
		}
		if strings.Contains(path, "V001") && !strings.Contains(path, "as_of") {
			masked := people[3].id[:3] + "***********" + people[3].id[14:]
			if !strings.Contains(text, masked) || !strings.Contains(text, "*"+people[3].card[len(people[3].card)-4:]) {
				t.Errorf("GET %s does not show the masked numbers of the beneficiaries", path)
			}
		}
	}
	// Nothing leaked into the logs either.
	for _, s := range secrets {
		if strings.Contains(e.logs.String(), s) {
			t.Errorf("the log holds %q", s)
		}
	}
}

// TestNoticeFiguresEqualTheProjections compares the public disclosure of a
// demo village with the auditor's village balance and the county summary.
func TestNoticeFiguresEqualTheProjections(t *testing.T) {
	e := startEnv(t, "")
	e.loadDemo()
	_, aud := e.token("auditor", "")
	for _, v := range []string{"V001", "V002", "V007"} {
		d := e.must(e.call("GET", "/v1/public/ledgers/"+county+"/villages/"+v+"/disclosure", "", nil), 200)
		bal := e.must(e.call("GET", "/v1/ledgers/"+county+"/balances/villages/"+v, aud, nil), 200)
		if d.num("seq") != bal.num("seq") || d.str("head_hash") != bal.str("head_hash") {
			t.Fatalf("%s: disclosure at %v, balance at %v", v, d.num("seq"), bal.num("seq"))
		}
		totals := d.body["totals"].(map[string]any)
		projects := bal.body["projects"].(map[string]any)
		households := bal.body["households"].(map[string]any)
		for _, c := range []struct{ what, got, want string }{
			{"project budget", totals["project_budget"].(string), projects["budget"].(string)},
			{"project paid", totals["project_paid"].(string), projects["paid"].(string)},
			{"payouts", totals["payout_amount"].(string), households["received"].(string)},
		} {
			if c.got != c.want {
				t.Errorf("%s %s: notice %s, projections %s", v, c.what, c.got, c.want)
			}
		}
		page := e.must(e.call("GET", "/notice/"+county+"/"+v, "", nil), 200)
		html := string(page.raw)
		for _, want := range []string{
			`id="projects-budget">` + totals["project_budget"].(string),
			`id="payouts-total">` + totals["payout_amount"].(string),
			`id="head-hash">` + d.str("head_hash"),
			fmt.Sprintf(`id="seq">%d<`, int(d.num("seq"))),
			"公示期", "资金来源", "监督举报电话", "12317",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the notice page lacks %q", v, want)
			}
		}
	}
}

// TestVerifyConfirmsAPrintedStampAfterMoreWrites takes the stamp of a notice,
// writes more, and checks that the stamp still verifies, that a wrong hash
// does not, and that the page as of the stamp reproduces the same figures.
func TestVerifyConfirmsAPrintedStampAfterMoreWrites(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100000.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", "5000.00")), 201)
	D := "/v1/public/ledgers/" + county + "/villages/V001/disclosure"
	printed := e.must(e.call("GET", D, "", nil), 200)
	seq, hash := int(printed.num("seq")), printed.str("head_hash")

	e.must(e.call("POST", L+"/payouts", fin, payout("PO2", "A1", "3000.00")), 201)
	e.must(e.call("POST", L+"/allocations", fin, allocation("A2", "800.00")), 201)
	now := e.must(e.call("GET", D, "", nil), 200)
	if int(now.num("seq")) <= seq {
		t.Fatal("the later writes did not move the ledger on")
	}

	V := fmt.Sprintf("/v1/public/ledgers/%s/verify?seq=%d&hash=", county, seq)
	if r := e.must(e.call("GET", V+hash, "", nil), 200); r.body["valid"] != true || int(r.num("seq")) != seq || r.str("hash") != hash {
		t.Fatalf("the printed stamp does not verify: %s", r.raw)
	}
	if r := e.must(e.call("GET", V+now.str("head_hash"), "", nil), 200); r.body["valid"] != false {
		t.Fatalf("another commit's hash verified: %s", r.raw)
	}
	again := e.must(e.call("GET", fmt.Sprintf("%s?as_of=%d", D, seq), "", nil), 200)
	if again.str("head_hash") != hash || fmt.Sprint(again.body["totals"]) != fmt.Sprint(printed.body["totals"]) {
		t.Fatalf("as_of=%d gives other figures:\n%v\n%v", seq, again.body["totals"], printed.body["totals"])
	}
	if fmt.Sprint(now.body["totals"]) == fmt.Sprint(printed.body["totals"]) {
		t.Fatal("the later payout did not change the live figures")
	}
	page := e.must(e.call("GET", fmt.Sprintf("/notice/%s/V001?as_of=%d", county, seq), "", nil), 200)
	if !strings.Contains(string(page.raw), hash) {
		t.Fatal("the notice as of the stamp does not print its hash")
	}
}

func TestPublicPagesAnswerETagsAndNotModified(t *testing.T) {
	e := startEnv(t, "")
	e.seedCounty("100.00")
	for _, path := range publicPaths("V001") {
		first := e.must(e.call("GET", path, "", nil), 200)
		etag := first.header.Get("ETag")
		if etag == "" || !strings.Contains(first.header.Get("Cache-Control"), "max-age") {
			t.Fatalf("%s: ETag %q, Cache-Control %q", path, etag, first.header.Get("Cache-Control"))
		}
		e.must(e.call("GET", path, "", nil, "If-None-Match", etag), 304)
		e.must(e.call("GET", path, "", nil, "If-None-Match", `"other"`), 200)
	}
	r := e.must(e.call("GET", "/v1/public/ledgers/"+county+"/villages/V001/disclosure.csv", "", nil), 200)
	if !bytes.HasPrefix(r.raw, []byte("\xEF\xBB\xBF")) || !strings.Contains(string(r.raw), "罗田村") {
		t.Fatal("the CSV lacks the byte-order mark Excel needs, or the village")
	}
	e.must(e.call("GET", "/v1/public/ledgers/"+county+"/villages/V404/disclosure", "", nil), 404)
	e.must(e.call("GET", "/notice/999999/V001", "", nil), 404)
}
