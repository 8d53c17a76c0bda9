package strictjson_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/strictjson"
)

func TestDecodeRefusesAmbiguousAndUnknown(t *testing.T) {
	cases := []struct {
		name, body, code, field string
	}{
		{"duplicate name", `{"id":"A1","amount":"1.00","amount":"700.00"}`, "invalid_json", "amount"},
		{"name differing in case", `{"id":"A1","amount":"1.00","AMOUNT":"700.00"}`, "invalid_json", "AMOUNT"},
		{"Kelvin sign variant", "{\"id\":\"A1\",\"\u212aey\":\"1\",\"key\":\"2\"}", "invalid_json", "key"},
		{"nested case variant", `{"id":"B1","lines":[{"household":"H1","Household":"H2","amount":"1"}]}`, "invalid_json", "lines[0].Household"},
		{"unknown field", `{"id":"A1","amont":"1.00"}`, "unknown_field", "amont"},
		{"lone case variant is unknown", `{"ID":"A1"}`, "unknown_field", "ID"},
		{"invalid UTF-8", "{\"id\":\"A\xff1\"}", "invalid_json", "id"},
		{"lone surrogate", `{"id":"A\ud8001"}`, "invalid_json", "id"},
		{"two values", `{"id":"A1"} {"id":"A2"}`, "invalid_json", ""},
		{"not an object", `["A1"]`, "invalid_json", ""},
		{"null", `null`, "invalid_json", ""},
		{"empty", "  \n", "empty_body", ""},
		{"syntax", `{"id":"A1",}`, "invalid_json", ""},
		{"wrong kind", `{"id":"A1","fiscal_year":"2019"}`, "invalid_request", "fiscal_year"},
		{"amount as object", `{"id":"A1","amount":{}}`, "invalid_request", "amount"},
		{"nested wrong kind", `{"id":"B1","control":{"count":"2"}}`, "invalid_request", "control.count"},
		{"escaped duplicate", `{"id":"A1","amount":"1.00","\u0061mount":"700.00"}`, "invalid_json", "amount"},
		{"escaped case variant", `{"id":"A1","amount":"1.00","\u0041mount":"700.00"}`, "invalid_json", "Amount"},
		{"large object, case variant", `{"x0":1,"x1":1,"x2":1,"x3":1,"x4":1,"x5":1,"x6":1,"x7":1,"x8":1,"x9":1,"x10":1,"x11":1,"x12":1,"x13":1,"x14":1,"x15":1,"x16":1,"x17":1,"x18":1,"x19":1,"X7":2}`, "invalid_json", "X7"},
		{"large object, duplicate", `{"x0":1,"x1":1,"x2":1,"x3":1,"x4":1,"x5":1,"x6":1,"x7":1,"x8":1,"x9":1,"x10":1,"x11":1,"x12":1,"x13":1,"x14":1,"x15":1,"x16":1,"x17":1,"x18":1,"x19":1,"x19":2}`, "invalid_json", "x19"},
		{"large object, Kelvin sign", `{"x0":1,"x1":1,"x2":1,"x3":1,"x4":1,"x5":1,"x6":1,"x7":1,"x8":1,"x9":1,"x10":1,"x11":1,"x12":1,"x13":1,"x14":1,"x15":1,"x16":1,"x17":1,"x18":1,"x19":1,"\u212a":1,"k":2}`, "invalid_json", "k"},
		{"large object, no duplicate", `{"x0":1,"x1":1,"x2":1,"x3":1,"x4":1,"x5":1,"x6":1,"x7":1,"x8":1,"x9":1,"x10":1,"x11":1,"x12":1,"x13":1,"x14":1,"x15":1,"x16":1,"x17":1,"x18":1,"x19":1,"y":2}`, "unknown_field", "x0"},
		{"nested siblings, then a top-level variant", `{"id":"B1","control":{"count":1,"amount":"1"},"lines":[{"household":"H1","amount":"1"},{"household":"H2","amount":"1"}],"ID":"x"}`, "invalid_json", "ID"},
		{"nested siblings, then a top-level unknown", `{"id":"B1","lines":[{"household":"H1","amount":"1"},{"household":"H2","amount":"1"}],"household":"x"}`, "unknown_field", "household"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a domain.Allocate
			var b domain.PayoutBatch
			var target any = &a
			if strings.HasPrefix(c.name, "nested") {
				target = &b
			}
			err := strictjson.Decode([]byte(c.body), target)
			var se *strictjson.Error
			if !errors.As(err, &se) {
				t.Fatalf("Decode(%s) = %v, want a *strictjson.Error", c.body, err)
			}
			if se.Code != c.code || (c.field != "" && se.Field != c.field) {
				t.Fatalf("Decode(%s) = %s field %q (%s), want %s field %q", c.body, se.Code, se.Field, se.Message, c.code, c.field)
			}
		})
	}
}

func TestDecodeKeepsAmountText(t *testing.T) {
	var a domain.Allocate
	body := `{"id":"A1","source_level":"central","amount":"1\u002e50","fiscal_year":2019}`
	if err := strictjson.Decode([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	if a.Amount != "1.50" || a.ID != "A1" || a.FiscalYear != 2019 {
		t.Fatalf("decoded %+v", a)
	}
	var n domain.Allocate
	if err := strictjson.Decode([]byte(`{"amount":1000.5}`), &n); err != nil || n.Amount != "1000.5" {
		t.Fatalf("number amount: %q, %v", n.Amount, err)
	}
}
