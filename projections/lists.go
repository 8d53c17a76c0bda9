package projections

import (
	"encoding/base64"
	"errors"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
)

// List kinds, as in GET /v1/ledgers/{ledger}/{kind}.
const ListBatches = "payout-batches"

// ListKinds are the kinds a ledger lists: its funds, projects, villages,
// households, payees and payout batches.
var ListKinds = []string{KindFunds, KindProjects, KindVillages, KindHouseholds, KindPayees, ListBatches}

// MaxPageSize bounds a list page; DefaultPageSize is a page's size when
// the caller does not say.
const (
	MaxPageSize     = 1000
	DefaultPageSize = 100
)

// ErrBadPageToken means a page_token that this kind of list did not give.
var ErrBadPageToken = errors.New("page_token was not given by this list; start again without it")

// ListItem is one row of a list: the id, what a clerk recognises it by,
// and the figures of its balance (a batch: its amount). ID and card
// numbers appear only masked.
type ListItem struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Flow
	Amount      *domain.Money `json:"amount,omitempty"` // a fund's or a batch's
	Village     string        `json:"village,omitempty"`
	Status      string        `json:"status,omitempty"`
	Category    string        `json:"category,omitempty"`
	Members     int           `json:"members,omitempty"`
	IDNumber    string        `json:"id_number,omitempty"`    // masked
	BankAccount string        `json:"bank_account,omitempty"` // masked
	Removed     bool          `json:"removed,omitempty"`
	SourceLevel string        `json:"source_level,omitempty"`
	FiscalYear  int           `json:"fiscal_year,omitempty"`
	DocumentNo  string        `json:"document_no,omitempty"`
	Fund        string        `json:"fund,omitempty"`
	Item        string        `json:"item,omitempty"`
	Period      string        `json:"period,omitempty"`
	Lines       int           `json:"lines,omitempty"`
}

// List is the answer of a list: a page of items in byte order of id, and
// the token of the next page (absent on the last).
type List struct {
	Head
	Items         []ListItem `json:"items"`
	NextPageToken string     `json:"next_page_token,omitempty"`
}

// List answers a page of a kind: the items whose id or name contains q
// (case-insensitive; empty: all), after the item the page token names,
// at most size of them. Paging is by keyset (the last id seen), so pages
// neither repeat nor skip an item when writes land between them. false:
// the kind is unknown.
func (m *Model) List(kind, q, pageToken string, size int) (List, bool, error) {
	all, ok := m.listKeys(kind)
	if !ok {
		return List{}, false, nil
	}
	after, err := decodePageToken(kind, pageToken)
	if err != nil {
		return List{}, true, err
	}
	size = min(max(size, 1), MaxPageSize)
	q = strings.ToLower(strings.TrimSpace(q))
	out := List{Head: m.head(), Items: []ListItem{}}
	// Without q, only the page's ids (and one more, which says there is a
	// next page) are picked and kept in order: sorting every id on every
	// page cost ~60 ms a page at 100,000 households. With q, every id
	// after the token is sorted, and matched in that order.
	limit := size + 1
	if q != "" {
		limit = -1
	}
	for _, id := range idsAfter(all, after, limit) {
		it := m.listItem(kind, id)
		if q != "" && !it.matches(q) {
			continue
		}
		if len(out.Items) == size { // one more match: there is a next page
			out.NextPageToken = encodePageToken(kind, out.Items[size-1].ID)
			break
		}
		out.Items = append(out.Items, it)
	}
	return out, true, nil
}

// listKeys answers the ids of a kind, in no order (the maps the model
// keeps them in; ids are never empty).
func (m *Model) listKeys(kind string) (iter.Seq[string], bool) {
	switch kind {
	case KindFunds:
		return maps.Keys(m.st.Funds), true
	case KindProjects:
		return maps.Keys(m.st.Projects), true
	case KindVillages:
		return maps.Keys(m.st.Villages), true
	case KindHouseholds:
		return maps.Keys(m.st.Households), true
	case KindPayees:
		return maps.Keys(m.st.Payees), true
	case ListBatches:
		return maps.Keys(m.st.Batches), true
	}
	return nil, false
}

// idsAfter answers the ids greater than after in byte order: the first
// limit of them (limit < 0: all). A bounded page is picked in one pass,
// keeping the smallest limit ids seen so far in order, so a page costs
// one walk of the ids and no sort of them all.
func idsAfter(ids iter.Seq[string], after string, limit int) []string {
	if limit < 0 {
		var out []string
		for id := range ids {
			if id > after {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	out := make([]string, 0, limit)
	for id := range ids {
		if id <= after || len(out) == limit && id >= out[limit-1] {
			continue
		}
		i, _ := slices.BinarySearch(out, id)
		if len(out) == limit {
			out = out[:limit-1] // the largest makes room
		}
		out = slices.Insert(out, i, id)
	}
	return out
}

func (it ListItem) matches(q string) bool {
	for _, s := range []string{it.ID, it.Name, it.Village, it.DocumentNo, it.Item} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

func (m *Model) listItem(kind, id string) ListItem {
	it := ListItem{ID: id}
	switch kind {
	case KindFunds:
		b, _ := m.fundBalance(id)
		amt := b.Amount
		it.Name, it.Flow, it.Amount = b.Programme, b.Flow, &amt
		it.SourceLevel, it.FiscalYear, it.DocumentNo = b.SourceLevel, b.FiscalYear, b.DocumentNo
	case KindProjects:
		b, _ := m.projectBalance(id)
		it.Name, it.Flow, it.Village, it.Status, it.Category = b.Name, b.Flow, b.Village, b.Status, b.Category
	case KindVillages:
		b, _ := m.villageBalance(id)
		it.Name, it.Flow = b.Name, b.Flow
	case KindHouseholds:
		h := m.st.Households[id]
		it.Name, it.Flow, it.Village = h.Info.HeadName, m.flow(domain.HouseholdAccount(id)), h.Info.Village
		it.Status, it.Category, it.Members, it.Removed = h.Info.Status, h.Info.Category, h.Info.Members, h.Removed
		it.IDNumber, it.BankAccount = disclosure.MaskID(h.Info.IDNumber), disclosure.MaskCard(h.Info.BankAccount)
	case KindPayees:
		it.Name, it.Flow = id, m.flow(domain.PayeeAccount(id))
	case ListBatches:
		b := m.st.Batches[id]
		d := m.batchDetail(id, b)
		amt := d.Amount
		it.Amount, it.Fund, it.Item, it.Period, it.Lines = &amt, b.Fund, b.Item, b.Period, len(b.Households)
	}
	return it
}

func encodePageToken(kind, after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + after))
}

func decodePageToken(kind, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", ErrBadPageToken
	}
	k, after, ok := strings.Cut(string(b), "\x00")
	if !ok || k != kind {
		return "", ErrBadPageToken
	}
	return after, nil
}
