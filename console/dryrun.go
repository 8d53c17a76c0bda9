package console

import (
	"encoding/json"
	"errors"
)

// previewRows is how many rows of each list a preview shows: the records
// a file would write, and the lines inside one record (a batch's lines).
const previewRows = 100

// dryRunView is the API's answer to a file sent with dry_run=true, made
// ready for the page: how many rows the file holds, the head it was
// judged against, and the records it would write. The console reads
// nothing of the file itself; what the preview shows is what the ledger
// said, so the preview cannot disagree with the commit's judgement.
type dryRunView struct {
	Count  int
	Seq    uint64
	Groups []dryGroup
	More   int // rows of the answer not shown (past previewRows in a list)
}

// dryGroup is a run of records of one event type: one record shown as
// labelled fields, several as a table.
type dryGroup struct {
	Type string
	N    int
	Data jnode
}

// dryRunAnswer is the part of the API's DryRun answer a preview shows.
type dryRunAnswer struct {
	DryRun bool   `json:"dry_run"`
	Count  int    `json:"count"`
	Seq    uint64 `json:"seq"`
	Events []struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	} `json:"events"`
}

// readDryRun turns the API's dry-run answer into the preview. Personal
// numbers in the records are masked by jnode (by the key they sit
// under); postings are left out, the lines carry the money.
func readDryRun(body []byte) (*dryRunView, error) {
	var a dryRunAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, err
	}
	if !a.DryRun {
		return nil, errors.New("the API's answer is not a dry run")
	}
	v := &dryRunView{Count: a.Count, Seq: a.Seq}
	var run []any
	var runType string
	flush := func() {
		if len(run) == 0 {
			return
		}
		g := dryGroup{Type: runType, N: len(run)}
		if len(run) == 1 {
			g.Data = kvRows(run[0])
		} else {
			g.Data = kvRows(run)
		}
		v.Groups = append(v.Groups, g)
		run = nil
	}
	shown := 0
	for _, ev := range a.Events {
		if shown == previewRows {
			v.More++
			continue
		}
		d, err := decodeAny(ev.Data)
		if err != nil {
			return nil, err
		}
		if ev.Type != runType {
			flush()
			runType = ev.Type
		}
		run = append(run, trimLists(d, &v.More))
		shown++
	}
	flush()
	return v, nil
}

// trimLists drops postings and cuts every list past previewRows, counting
// what it cut in more.
func trimLists(v any, more *int) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "postings")
		for k, e := range x {
			x[k] = trimLists(e, more)
		}
	case []any:
		if len(x) > previewRows {
			*more += len(x) - previewRows
			x = x[:previewRows]
		}
		for i, e := range x {
			x[i] = trimLists(e, more)
		}
		return x
	}
	return v
}
