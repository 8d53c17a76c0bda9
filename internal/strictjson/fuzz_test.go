package strictjson_test

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/strictjson"
)

// kinds are the request bodies of every write, in the catalogue's fixed
// order: a fuzz input's first byte picks one.
var kinds = func() []func() any {
	var out []func() any
	for _, d := range domain.Commands() {
		t := reflect.TypeOf(d.Body)
		out = append(out, func() any { return reflect.New(t).Interface() })
	}
	return out
}()

// fuzzState is a small open ledger the decoded commands are decided
// against (Decide does not change it).
func fuzzState(t testing.TB) *domain.State {
	s := domain.NewState()
	for _, c := range []domain.Command{
		domain.OpenLedger{Code: "341504", Name: "某县"},
		domain.RegisterVillage{ID: "V001", Name: "罗田村", Township: "某镇"},
		domain.RegisterHousehold{ID: "H0001", Village: "V001", HeadName: "张三", IDNumber: "11010519491231002X", Members: 2,
			Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"},
		domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "1000.00"},
		domain.ApproveProject{ID: "P1", Name: "路", Village: "V001", Category: "infrastructure", Batch: "1", Budget: "500.00", ApprovalDoc: "d"},
		domain.PayoutBatch{ID: "B1", Fund: "A1", Item: "i", Period: "2019", Control: domain.ControlRequest{Count: 1, Amount: "1.00"},
			Lines: []domain.BatchLineRequest{{Household: "H0001", Amount: "1.00"}}},
	} {
		events, err := domain.Decide(s, c)
		if err != nil {
			t.Fatalf("%s: %v", c.CommandName(), err)
		}
		for _, e := range events {
			s.Apply(e)
		}
	}
	return s
}

// FuzzDecodeCommand decodes any bytes as the body of the command kind its
// first byte picks, and decides the result. Properties: no panic; a refusal
// is a *strictjson.Error with a known code (or a typed domain rejection);
// an accepted body is valid UTF-8, has no two names differing only in
// case, and encoding/json (v1, which folds case and keeps the last of
// duplicate names) reads it to the very same command — so no reader of
// the same bytes can see another request than we recorded.
func FuzzDecodeCommand(f *testing.F) {
	s := fuzzState(f)
	codes := map[string]bool{strictjson.CodeInvalidJSON: true, strictjson.CodeUnknownField: true,
		strictjson.CodeInvalidRequest: true, strictjson.CodeEmptyBody: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		kind, body := kinds[int(data[0])%len(kinds)], data[1:]
		v := kind()
		err := strictjson.Decode(body, v)
		if err != nil {
			var se *strictjson.Error
			if !errors.As(err, &se) || !codes[se.Code] || se.Message == "" {
				t.Fatalf("Decode(%q) = %#v; want a *strictjson.Error with a known code", body, err)
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("accepted invalid UTF-8: %q", body)
		}
		if hasCaseVariants(t, body) {
			t.Fatalf("accepted names differing only in case: %q", body)
		}
		v1 := kind()
		dec := stdjson.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v1); err != nil {
			t.Fatalf("strict decoder accepted %q, encoding/json refuses it: %v", body, err)
		}
		if !reflect.DeepEqual(v, v1) {
			t.Fatalf("%q reads as %+v here and %+v in encoding/json", body, v, v1)
		}
		cmd := reflect.ValueOf(v).Elem().Interface().(domain.Command)
		events, err := domain.Decide(s, cmd)
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || len(events) != 0 {
				t.Fatalf("Decide(%+v) = %d events, %#v; want a typed rejection and none", cmd, len(events), err)
			}
		}
	})
}

// hasCaseVariants reports whether any object in body has two names equal
// under Unicode case folding, by its own walk over encoding/json tokens.
func hasCaseVariants(t *testing.T, body []byte) bool {
	dec := stdjson.NewDecoder(bytes.NewReader(body))
	type frame struct {
		obj      bool
		wantName bool
		names    []string
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantName {
			if name, ok := tok.(string); ok {
				for _, n := range top.names {
					if strings.EqualFold(n, name) {
						return true
					}
				}
				top.names = append(top.names, name)
				top.wantName = false
				continue
			}
		}
		switch tok {
		case stdjson.Delim('{'):
			stack = append(stack, &frame{obj: true, wantName: true})
			continue
		case stdjson.Delim('['):
			stack = append(stack, &frame{})
			continue
		case stdjson.Delim('}'), stdjson.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].wantName = true
		}
	}
}
