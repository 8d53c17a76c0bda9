package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

var hrefs = regexp.MustCompile(`href="(/console/[^"#]*)"`)

// TestNoFullIDOrCardNumberOnAnyPage crawls every console page a finance
// clerk can reach on a seeded county (lists, records with their history,
// traces, findings, forms) and a refused and an accepted household
// registration, and finds none of the county's ID or card numbers in
// full. Files (downloads) are not pages and are not crawled.
func TestNoFullIDOrCardNumberOnAnyPage(t *testing.T) {
	e := startEnv(t)
	c := e.loadDemo(200)
	var secrets []string
	for _, ph := range c.Phases {
		for _, cmd := range ph {
			switch x := cmd.(type) {
			case domain.RegisterHousehold:
				secrets = append(secrets, x.IDNumber, x.BankAccount)
			case domain.ChangeBankCard:
				secrets = append(secrets, x.BankAccount)
			}
		}
	}
	if len(secrets) < 200 {
		t.Fatalf("only %d numbers in the seed", len(secrets))
	}
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	check := func(path string, p page) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(p.body, s) {
				t.Fatalf("%s shows the full number %s", path, s)
			}
		}
	}

	seen := map[string]bool{}
	queue := []string{L + "/"}
	kinds := map[string]int{}
	const maxPages = 700
	for len(queue) > 0 && len(seen) < maxPages {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		p := k.get(path)
		if loc := p.header.Get("Location"); p.status == http.StatusSeeOther && strings.HasPrefix(loc, "/console/l/") {
			queue = append(queue, loc)
			continue
		}
		if p.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.status)
			continue
		}
		check(path, p)
		kinds[pageKind(path)]++
		for _, m := range hrefs.FindAllStringSubmatch(p.body, -1) {
			next := html.UnescapeString(m[1])
			if strings.Contains(next, "/download?") || strings.HasSuffix(next, "/static/console.css") || seen[next] {
				continue
			}
			// A form prefilled for a record is the same form: one of each.
			if form, _, prefilled := strings.Cut(next, "?_param="); prefilled {
				if seen[form+"?"] {
					continue
				}
				seen[form+"?"] = true
			}
			queue = append(queue, next)
		}
	}
	t.Logf("crawled %d pages: %v", len(seen), kinds)
	for _, want := range []string{"dashboard", "list", "r/households", "r/funds", "r/payout-batches", "trace/households", "trace/funds", "findings", "write", "upload"} {
		if kinds[want] == 0 {
			t.Errorf("the crawl reached no %s page", want)
		}
	}

	// A household refused for its ID number, and one accepted: neither
	// page writes the typed numbers back.
	h := c.Households[0]
	bad := h.IDNumber[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", h.IDNumber[17])+1)%11])
	for _, idn := range []string{bad, "110101199003070011"} {
		if !domain.ValidIDNumber(idn) && idn != bad {
			idn = idn[:17] + string(domain.IDNumberCheck(idn[:17]))
		}
		k.get(L + "/write/register_household")
		vals := url.Values{"id": {"H-console-" + idn[:4]}, "village": {h.Village}, "head_name": {"测试"}, "id_number": {idn},
			"members": {"3"}, "category": {"ordinary"}, "status": {"poor"}, "bank_name": {"农商银行"}, "bank_account": {"6228480012345678901"}}
		p := k.post(L+"/write/register_household", vals)
		if strings.Contains(p.body, idn) || strings.Contains(p.body, "6228480012345678901") {
			t.Errorf("register_household answered %d with the full numbers in the page", p.status)
		}
		if idn == bad && (p.status != http.StatusBadRequest || !strings.Contains(p.body, `<div class="field bad">`)) {
			t.Errorf("bad ID number: %d, field not marked", p.status)
		}
		if idn != bad && p.status != http.StatusOK {
			t.Errorf("good household: %d\n%s", p.status, p.body)
		}
	}
}

// pageKind names a console path's page for the crawl's tally.
func pageKind(path string) string {
	path = strings.TrimPrefix(path, L+"/")
	path, _, _ = strings.Cut(path, "?")
	switch {
	case path == "":
		return "dashboard"
	case strings.HasPrefix(path, "list/"):
		return "list"
	case strings.HasPrefix(path, "r/") || strings.HasPrefix(path, "trace/"):
		parts := strings.SplitN(path, "/", 3)
		return parts[0] + "/" + parts[1]
	}
	head, _, _ := strings.Cut(path, "/")
	return head
}
