package console_test

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/demo"
)

var downloadHref = regexp.MustCompile(`href="(/console/l/[^"]*/download\?[^"]*)"`)

// TestEveryDownloadLinkWorks collects every download link of the console's
// pages on a seeded county (the downloads page, a batch, a fund's and a
// household's trace), follows each as the clerk would, and gets 200 with
// the file's type and an attachment. Only the bank file (代发文件) may hold
// a full ID or card number; every other file is read (XLSX cells, CSV,
// XML) and holds none. A link at a cut passes the cut on.
func TestEveryDownloadLinkWorks(t *testing.T) {
	e := startEnv(t)
	county := e.loadDemo(200)
	secrets := map[string]bool{}
	for _, ph := range county.Phases {
		for _, cmd := range ph {
			switch x := cmd.(type) {
			case domain.RegisterHousehold:
				secrets[x.IDNumber], secrets[x.BankAccount] = true, true
			case domain.ChangeBankCard:
				secrets[x.BankAccount] = true
			}
		}
	}
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	_, out := e.api("GET", "/v1/ledgers/"+demo.Ledger+"/payout-batches?page_size=1", adminToken, nil)
	batch := out["items"].([]any)[0].(map[string]any)["id"].(string)
	h := county.Households[0].ID

	// kinds: which files the links must reach, by a piece of their API path,
	// with the type each answers.
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	kinds := []struct{ name, path, contentType string }{
		{"bank file", "/bank-file", xlsx},
		{"publicity CSV", "/publicity?format=csv", "text/csv"},
		{"publicity", "/publicity", xlsx},
		{"fund trace", "/trace/funds/", xlsx},
		{"household trace", "/trace/households/", xlsx},
		{"audit workbook", "/audit", xlsx},
		{"export CSV", "/export?format=csv", "text/csv"},
		{"export XLSX", "/export?format=xlsx", xlsx},
		{"export IATI", "/export?format=iati", "application/xml"},
	}
	pages := []string{L + "/downloads", L + "/r/payout-batches/" + batch, L + "/trace/funds/" + e.fundWith(1), L + "/trace/households/" + h}
	reached := map[string]int{}
	for _, pg := range pages {
		p := k.get(pg)
		if p.status != 200 {
			t.Fatalf("GET %s: %d", pg, p.status)
		}
		for _, m := range downloadHref.FindAllStringSubmatch(p.body, -1) {
			link := html.UnescapeString(m[1])
			req, _ := http.NewRequest("GET", e.url+link, nil)
			res, err := k.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			api, _ := urlParam(link, "p")
			kind := ""
			for _, kd := range kinds {
				if strings.Contains(api, kd.path) {
					kind = kd.name
					reached[kind]++
					if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, kd.contentType) {
						t.Errorf("%s (%s): %d %q, want 200 %s", kd.name, link, res.StatusCode, ct, kd.contentType)
					}
					break
				}
			}
			if kind == "" {
				t.Errorf("a download link of an unknown kind: %s", link)
				continue
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
				t.Errorf("%s: Content-Disposition %q", kind, cd)
			}
			if kind == "bank file" {
				if !containsAny(fileText(t, body), secrets) {
					t.Errorf("the bank file holds no full card number: it is the one file that must")
				}
				continue
			}
			if n := fileText(t, body); containsAny(n, secrets) {
				t.Errorf("%s holds a full ID or card number", kind)
			}
		}
	}
	for _, kd := range kinds {
		if reached[kd.name] == 0 {
			t.Errorf("no page links the %s", kd.name)
		}
	}

	// At a cut: the audit workbook of the downloads page at as_of names
	// that sequence in its file name.
	p := k.get(L + "/downloads?as_of=600")
	var audit string
	for _, m := range downloadHref.FindAllStringSubmatch(p.body, -1) {
		if link := html.UnescapeString(m[1]); strings.Contains(link, "audit") {
			audit = link
		}
	}
	req, _ := http.NewRequest("GET", e.url+audit, nil)
	res, err := k.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || !strings.Contains(cd, "seq600") {
		t.Errorf("the audit workbook at as_of=600 (%s): %d %q", audit, res.StatusCode, cd)
	}
}

// fileText answers a downloaded file's text: every cell of every sheet of
// an XLSX, else the bytes as they are (CSV, XML).
func fileText(t *testing.T, b []byte) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return string(b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("an XLSX that does not open: %v", err)
	}
	defer f.Close()
	var sb strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			sb.WriteString(strings.Join(r, "\t"))
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

func containsAny(s string, set map[string]bool) bool {
	for v := range set {
		if v != "" && strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// urlParam answers query parameter name of a console link.
func urlParam(link, name string) (string, bool) {
	_, q, ok := strings.Cut(link, "?")
	if !ok {
		return "", false
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return "", false
	}
	return v.Get(name), v.Has(name)
}
