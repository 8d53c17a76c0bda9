package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/fundledger/fundledger/projections"
)

// recordData is one record's page: its figures, its history and what can
// be done with it.
type recordData struct {
	Kind      string
	ID        string
	Who       *projections.ListItem
	Balance   jnode
	Batch     *projections.BatchDetail
	History   []historyRow
	MoreFrom  uint64 // the history scan stopped here; 0 when it reached the head
	Commands  []cmdLink
	Downloads []download
	Traceable bool
}

// historyRow is one commit that names the record.
type historyRow struct {
	Seq     uint64
	Time    string
	Actor   string
	Command string
	Events  []historyEvent
}

type historyEvent struct {
	Type string
	Data jnode
}

// historyTypes are the event types that can name a record of each kind;
// the history asks the API for these only.
var historyTypes = map[string]string{
	"households":     "household.registered,household.exited,household.returned,household.removed,household.card_changed,payout.made,payout_batch.accepted,payout_batch.bank_results",
	"funds":          "fund.allocated,fund.integrated,project.appropriated,project.paid,project.recovered,payout.made,payout_batch.accepted,write.reversed",
	"projects":       "project.approved,project.status_changed,project.appropriated,project.paid,project.recovered,write.reversed",
	"villages":       "village.registered,household.registered,project.approved",
	"payees":         "project.paid",
	"payout-batches": "payout_batch.accepted,payout_batch.bank_results,write.reversed",
}

// Bounds of a history scan: pages of commits asked of the API per record
// page; past them the page offers to go on from where it stopped.
const (
	historyPage  = 1000
	historyPages = 10
)

func (c *Console) record(w http.ResponseWriter, r *http.Request, s *session) {
	l, kind, id := r.PathValue("ledger"), r.PathValue("kind"), r.PathValue("id")
	if _, ok := kindTitles[kind]; !ok {
		c.fail(w, r, s, http.StatusNotFound, "没有这种记录", "")
		return
	}
	d := recordData{Kind: kind, ID: id, Traceable: kind == "funds" || kind == "households"}
	if kind == "payout-batches" {
		d.Batch = &projections.BatchDetail{}
		if e := c.get(r, s, ledgerPath(l, "payout-batches", id), readQuery(r), d.Batch); e != nil {
			c.apiFail(w, r, s, e)
			return
		}
		d.Downloads = c.batchDownloads(l, id)
	} else {
		a := c.call(r, s, http.MethodGet, ledgerPath(l, "balances", kind, id), readQuery(r), "", nil)
		if e := a.failure(); e != nil {
			c.apiFail(w, r, s, e)
			return
		}
		v, _ := decodeAny(a.Body)
		d.Balance = kvRows(v)
	}
	if kind == "households" || kind == "funds" || kind == "projects" || kind == "villages" {
		d.Who = c.findItem(r, s, l, kind, id)
	}
	from, _ := strconv.ParseUint(r.URL.Query().Get("history_from"), 10, 64)
	d.History, d.MoreFrom = c.history(r, s, l, kind, id, from)
	if canWrite(s.principal.Role) {
		d.Commands = c.commandsFor(kind)
	}
	p := c.newPage(r, s, kindTitles[kind]+" "+id, d)
	p.Section, p.ShowAsOf = kind, true
	c.render(w, r, http.StatusOK, "record.html", p)
}

// history scans the ledger's commits of the kind's event types (bounded)
// and keeps those whose events name id.
func (c *Console) history(r *http.Request, s *session, l, kind, id string, from uint64) ([]historyRow, uint64) {
	needle, _ := json.Marshal(id)
	var out []historyRow
	if from == 0 {
		from = 1
	}
	for range historyPages {
		q := readQuery(r)
		q.Set("from_seq", strconv.FormatUint(from, 10))
		q.Set("limit", strconv.Itoa(historyPage))
		if t := historyTypes[kind]; t != "" {
			q.Set("type", t)
		}
		var page struct {
			Commits []struct {
				Seq     uint64 `json:"seq"`
				Time    string `json:"time"`
				Actor   string `json:"actor"`
				Command string `json:"command"`
				Events  []struct {
					Type string          `json:"type"`
					Data json.RawMessage `json:"data"`
				} `json:"events"`
			} `json:"commits"`
			Next *uint64 `json:"next_from_seq"`
		}
		if e := c.get(r, s, ledgerPath(l, "events"), q, &page); e != nil {
			return out, 0
		}
		for _, cm := range page.Commits {
			row := historyRow{Seq: cm.Seq, Time: when(cm.Time), Actor: cm.Actor, Command: cmdName(cm.Command)}
			for _, ev := range cm.Events {
				if bytes.Contains(ev.Data, needle) {
					v, _ := decodeAny(ev.Data)
					row.Events = append(row.Events, historyEvent{Type: ev.Type, Data: kvRows(linesOf(v, id))})
				}
			}
			if row.Events != nil {
				out = append(out, row)
			}
		}
		if page.Next == nil {
			return out, 0
		}
		from = *page.Next
	}
	return out, from
}

// linesOf trims an event's lines (a batch of thousands) to those that name
// id, so a household's history shows its own line of a batch.
func linesOf(v any, id string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for _, key := range []string{"lines", "households"} {
		lines, ok := m[key].([]any)
		if !ok || len(lines) <= 20 {
			continue
		}
		var keep []any
		for _, ln := range lines {
			b, _ := json.Marshal(ln)
			if bytes.Contains(b, []byte(strconv.Quote(id))) {
				keep = append(keep, ln)
			}
		}
		out := map[string]any{}
		for k, x := range m {
			out[k] = x
		}
		if keep == nil {
			keep = []any{}
		}
		out[key] = keep
		out[key+"_total"] = json.Number(strconv.Itoa(len(lines)))
		return out
	}
	return v
}

// HistoryFrom is the record page going on with its history from seq.
func (p *page) HistoryFrom(kind, id string, from uint64) string {
	return p.L("r/"+kind+"/"+url.PathEscape(id), "history_from", strconv.FormatUint(from, 10))
}
