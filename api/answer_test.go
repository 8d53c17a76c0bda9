package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// TestWriteResultAnswersAsCJSON defends the 201 contract: the fast path of
// writeResult answers the same bytes and headers as c.JSON, for plain
// results and for every case it hands back to c.JSON.
func TestWriteResultAnswersAsCJSON(t *testing.T) {
	hash := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	ev := func(typ, data string) domain.RawEvent { return domain.RawEvent{Type: typ, Data: json.RawMessage(data)} }
	cases := []struct {
		name  string
		query string
		res   ledger.Result
	}{
		{"one event", "", ledger.Result{Seq: 7, Hash: hash, Events: []domain.RawEvent{
			ev("FundAllocated", `{"id":"A2019-001","programme":"中央财政专项扶贫资金","amount":"1000000.00","note":"<&>"}`)}}},
		{"several events", "", ledger.Result{Seq: 18446744073709551615, Hash: hash, Events: []domain.RawEvent{
			ev("A", `{"a":1}`), ev("B", `[1,2,{"c":null}]`), ev("C", `"s"`)}}},
		{"no events", "", ledger.Result{Seq: 1, Hash: hash, Events: []domain.RawEvent{}}},
		{"nil events", "", ledger.Result{Seq: 1, Hash: hash}},
		{"data with spaces", "", ledger.Result{Seq: 2, Hash: hash, Events: []domain.RawEvent{ev("A", `{ "name": "罗田 村",`+"\n"+`"n": 1 }`)}}},
		{"data with escapes", "", ledger.Result{Seq: 2, Hash: hash, Events: []domain.RawEvent{ev("A", `{"s":"a\"b\\c\u2028"}`)}}},
		{"type needing escape", "", ledger.Result{Seq: 3, Hash: hash, Events: []domain.RawEvent{ev("A\"<\u2028é", `{}`)}}},
		{"empty data", "", ledger.Result{Seq: 3, Hash: hash, Events: []domain.RawEvent{ev("A", ``)}}},
		{"pretty", "?pretty", ledger.Result{Seq: 4, Hash: hash, Events: []domain.RawEvent{ev("A", `{"a":1}`)}}},
		{"other query", "?x=1", ledger.Result{Seq: 4, Hash: hash, Events: []domain.RawEvent{ev("A", `{"a":1}`)}}},
	}
	e := echo.New()
	e.JSONSerializer = plainJSON{}
	answer := func(query string, write func(echo.Context) error) (*httptest.ResponseRecorder, string) {
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodPost, "/v1/ledgers"+query, nil), rec)
		if err := write(c); err != nil {
			return rec, err.Error()
		}
		return rec, ""
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := answer(tc.query, func(c echo.Context) error { return c.JSON(http.StatusCreated, tc.res) })
			got, gotErr := answer(tc.query, func(c echo.Context) error { return writeResult(c, http.StatusCreated, tc.res) })
			if gotErr != wantErr {
				t.Fatalf("writeResult failed with %q, c.JSON with %q", gotErr, wantErr)
			}
			if got.Code != want.Code || got.Body.String() != want.Body.String() {
				t.Fatalf("writeResult answered %d %q\nc.JSON answered   %d %q", got.Code, got.Body, want.Code, want.Body)
			}
			for _, h := range []string{"Content-Type", "Content-Length"} {
				if got.Header().Get(h) != want.Header().Get(h) {
					t.Errorf("%s: %q, c.JSON: %q", h, got.Header().Get(h), want.Header().Get(h))
				}
			}
		})
	}
}
