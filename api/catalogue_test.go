package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/domain"
)

// TestEveryCommandHasARouteAndAnOperation: each command of the domain's
// catalogue is answered at its path (a request without a token meets the
// role check, 401, not the router's 404) and documented in OpenAPI under
// its name, with its role and a request body.
func TestEveryCommandHasARouteAndAnOperation(t *testing.T) {
	srv := api.New(api.Config{Logger: slog.New(slog.DiscardHandler)})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string         `json:"operationId"`
			Role        string         `json:"x-role"`
			RequestBody map[string]any `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, d := range domain.Commands() {
		path := strings.NewReplacer(":ledger", "341504", ":id", "X1").Replace(d.Path)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(d.Method, path, strings.NewReader("{}")))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %s %s answers %d without a token, want 401", d.Name, d.Method, path, rec.Code)
		}
		op, ok := doc.Paths[api.OpenAPIPath(d.Path)][strings.ToLower(d.Method)]
		if !ok || op.OperationID != d.Name || op.Role != d.Role || op.RequestBody == nil {
			t.Errorf("%s: OpenAPI has %s %s as %+v (documented: %v)", d.Name, d.Method, api.OpenAPIPath(d.Path), op, ok)
		}
	}
}
