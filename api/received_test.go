package api_test

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// TestVillageReceivedIsGrossOnEverySurface loads the demo and, for every
// village, reads money received and recovered from the auditor's village
// balance, the disclosure JSON, its CSV and XLSX downloads and the notice
// page: all five must say the same gross received and the same recovered
// (DESIGN.md "Dates": received is gross, recoveries beside it). V009 has a
// recovery, so the test sees the case where net and gross differ.
func TestVillageReceivedIsGrossOnEverySurface(t *testing.T) {
	e := startEnv(t, "")
	c := e.loadDemo()
	_, aud := e.token("auditor", "")
	seen := map[string]bool{}
	for _, h := range c.Households {
		seen[h.Village] = true
	}
	var villages []string
	for v := range seen {
		villages = append(villages, v)
	}
	sort.Strings(villages)
	if !seen["V009"] {
		t.Fatal("the demo has no V009")
	}
	recoveries := 0
	for _, v := range villages {
		bal := e.must(e.call("GET", "/v1/ledgers/"+county+"/balances/villages/"+v, aud, nil), 200)
		received, recovered := bal.str("received"), bal.str("recovered")
		if recovered == "" {
			t.Fatalf("%s: the village balance has no recovered: %s", v, bal.raw)
		}
		if recovered != bal.body["projects"].(map[string]any)["recovered"] {
			t.Errorf("%s: recovered %s, projects.recovered %v", v, recovered, bal.body["projects"].(map[string]any)["recovered"])
		}
		if recovered != "0.00" {
			recoveries++
		}
		P := "/v1/public/ledgers/" + county + "/villages/" + v + "/disclosure"
		d := e.must(e.call("GET", P, "", nil), 200)
		if d.num("seq") != bal.num("seq") {
			t.Fatalf("%s: disclosure at %v, balance at %v", v, d.num("seq"), bal.num("seq"))
		}
		totals := d.body["totals"].(map[string]any)
		for k, want := range map[string]string{"received": received, "funds_received": received, "recovered": recovered} {
			if totals[k] != want {
				t.Errorf("%s: disclosure totals.%s = %v, balance says %s", v, k, totals[k], want)
			}
		}

		// CSV: the overview rows, and the funds section's columns summed.
		raw := e.must(e.call("GET", P+".csv", "", nil), 200).raw
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))))
		cr.FieldsPerRecord = -1
		rows, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := rowValue(rows, "资金到位合计（元）"); got != received {
			t.Errorf("%s: CSV received %q, balance %s", v, got, received)
		}
		if got := rowValue(rows, "其中收回（元）"); got != recovered {
			t.Errorf("%s: CSV recovered %q, balance %s", v, got, recovered)
		}

		// XLSX: the same cells in the overview sheet, as numbers.
		x, err := excelize.OpenReader(bytes.NewReader(e.must(e.call("GET", P+".xlsx", "", nil), 200).raw))
		if err != nil {
			t.Fatal(err)
		}
		xrows, err := x.GetRows("概况", excelize.Options{RawCellValue: true})
		x.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := rowValue(xrows, "资金到位合计（元）"); !sameAmount(got, received) {
			t.Errorf("%s: XLSX received %q, balance %s", v, got, received)
		}
		if got := rowValue(xrows, "其中收回（元）"); !sameAmount(got, recovered) {
			t.Errorf("%s: XLSX recovered %q, balance %s", v, got, recovered)
		}

		html := string(e.must(e.call("GET", "/notice/"+county+"/"+v, "", nil), 200).raw)
		for _, want := range []string{`id="funds-total">` + received + "<", `id="funds-recovered">` + recovered + "<", "收回"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the notice page lacks %q", v, want)
			}
		}
		if v == "V009" && (recovered == "0.00" || received != "2751740.00") {
			t.Errorf("V009: received %s, recovered %s; the demo's V009 received 2751740.00 gross with a recovery", received, recovered)
		}
	}
	if recoveries == 0 {
		t.Fatal("no demo village has a recovery: the test cannot tell gross from net")
	}
}

// rowValue answers the second cell of the first row whose first cell is label.
func rowValue(rows [][]string, label string) string {
	for _, r := range rows {
		if len(r) >= 2 && r[0] == label {
			return r[1]
		}
	}
	return ""
}

// sameAmount compares an XLSX number cell with a two-decimal amount, as
// numbers.
func sameAmount(cell, amount string) bool {
	a, err1 := decimal.NewFromString(cell)
	b, err2 := decimal.NewFromString(amount)
	return err1 == nil && err2 == nil && a.Equal(b)
}
