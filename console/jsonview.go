package console

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/fundledger/fundledger/disclosure"
)

// jnode is a JSON answer made ready for a template: an object as labelled
// fields, an array of objects as a table, anything else as text. Answers
// of kinds the console has no page for (a balance, an event's data, a
// finding's evidence) are shown this way, so new fields appear without a
// change here.
type jnode struct {
	Text   string
	Fields []jfield
	Cols   []string
	Rows   [][]jnode
	List   []jnode
}

type jfield struct {
	Key   string
	Label string
	V     jnode
}

// IsText reports whether the node is a plain value.
func (n jnode) IsText() bool { return n.Fields == nil && n.Rows == nil && n.List == nil }

// hidden are the keys a page shows elsewhere (its head) or never.
var hidden = map[string]bool{"seq": true, "head_hash": true, "kind": true, "ledger": true}

// firstKeys come first in an object, in this order (who and what, then
// the money); other plain fields follow by name, lists and tables last.
var firstKeys = []string{"id", "household", "name", "head_name", "id_number", "village", "members", "category", "status",
	"bank_name", "bank_account", "removed",
	"source_level", "programme", "fiscal_year", "document_no", "amount", "budget", "received", "spent", "balance"}

func keyRank(k string, v any) int {
	for i, f := range firstKeys {
		if f == k {
			return i
		}
	}
	switch v.(type) {
	case map[string]any, []any:
		return len(firstKeys) + 1
	}
	return len(firstKeys)
}

// enumKeys hold values of a closed list, shown by their Chinese names.
var enumKeys = map[string]bool{"status": true, "category": true, "source_level": true, "method": true,
	"bank_status": true, "pool": true, "unit": true, "severity": true}

// masked answers a personal number's masked form, by the key it sits
// under: no page of the console shows a full ID or card number.
func masked(key, v string) (string, bool) {
	k := strings.ToLower(key)
	switch {
	case strings.Contains(k, "id_number"):
		return disclosure.MaskID(v), true
	case strings.Contains(k, "bank_account"), strings.Contains(k, "card_no"):
		return disclosure.MaskCard(v), true
	}
	return v, false
}

// kvRows makes a JSON value (decoded into any) ready for the template.
func kvRows(v any) jnode { return toNode("", v) }

func toNode(key string, v any) jnode {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if !hidden[k] {
				keys = append(keys, k)
			}
		}
		sort.SliceStable(keys, func(i, j int) bool {
			ri, rj := keyRank(keys[i], x[keys[i]]), keyRank(keys[j], x[keys[j]])
			return ri < rj || ri == rj && keys[i] < keys[j]
		})
		n := jnode{Fields: []jfield{}}
		for _, k := range keys {
			n.Fields = append(n.Fields, jfield{Key: k, Label: label(k), V: toNode(k, x[k])})
		}
		return n
	case []any:
		if len(x) == 0 {
			return jnode{Text: "—"}
		}
		if objs, cols := objects(x); objs != nil {
			n := jnode{Cols: cols, Rows: [][]jnode{}}
			for _, o := range objs {
				row := make([]jnode, len(cols))
				for i, c := range cols {
					if val, ok := o[c]; ok {
						row[i] = toNode(c, val)
					} else {
						row[i] = jnode{Text: ""}
					}
				}
				n.Rows = append(n.Rows, row)
			}
			return n
		}
		n := jnode{List: []jnode{}}
		for _, e := range x {
			n.List = append(n.List, toNode(key, e))
		}
		return n
	case string:
		s, _ := masked(key, x)
		switch {
		case key == "bank_status":
			s = bankLabel(s)
		case key == "time":
			s = when(s)
		case enumKeys[key]:
			s = valueLabel(s)
		}
		return jnode{Text: s}
	case bool:
		if x {
			return jnode{Text: "是"}
		}
		return jnode{Text: "否"}
	case nil:
		return jnode{Text: "—"}
	case json.Number:
		return jnode{Text: x.String()}
	case float64:
		return jnode{Text: fmt.Sprint(x)}
	}
	return jnode{Text: fmt.Sprint(v)}
}

// objects answers the array's elements when all are objects, with the
// union of their keys in first-seen order, each object's keys ordered as
// an object's fields are (who, then the money).
func objects(x []any) ([]map[string]any, []string) {
	var out []map[string]any
	var cols []string
	seen := map[string]bool{}
	for _, e := range x {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, nil
		}
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := keyRank(keys[i], o[keys[i]]), keyRank(keys[j], o[keys[j]])
			return ri < rj || ri == rj && keys[i] < keys[j]
		})
		for _, k := range keys {
			if !seen[k] && !hidden[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
		out = append(out, o)
	}
	return out, cols
}

// decodeAny reads JSON keeping numbers exact.
func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
