package api_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/api"
)

// TestOpenAPIMatchesRegisteredRoutes: the document served at
// /v1/openapi.json lists exactly the routes the router answers, and each
// write's body schema lists exactly the fields its command decodes.
func TestOpenAPIMatchesRegisteredRoutes(t *testing.T) {
	e := startEnv(t, "")
	r := e.must(e.call("GET", "/v1/openapi.json", "", nil), 200)
	if r.str("openapi") != "3.1.0" {
		t.Fatalf("openapi = %q", r.str("openapi"))
	}
	documented := map[string]bool{}
	paths, _ := r.body["paths"].(map[string]any)
	for p, ops := range paths {
		for m, op := range ops.(map[string]any) {
			documented[strings.ToUpper(m)+" "+p] = true
			// Every route is built: none may promise 501 Not Implemented.
			if _, ok := op.(map[string]any)["responses"].(map[string]any)["501"]; ok {
				t.Errorf("%s %s documents 501", strings.ToUpper(m), p)
			}
		}
	}
	registered := map[string]bool{}
	for _, rt := range api.RegisteredRoutes(e.srv) {
		if strings.HasSuffix(rt.Path, "*") {
			continue // Echo's own not-found routes
		}
		registered[rt.Method+" "+api.OpenAPIPath(rt.Path)] = true
	}
	if !reflect.DeepEqual(documented, registered) {
		t.Fatalf("OpenAPI and router disagree:\nonly documented: %v\nonly registered: %v", diff(documented, registered), diff(registered, documented))
	}
	for _, rt := range e.srv.Routes() {
		if rt.Body == nil {
			continue
		}
		op := paths[api.OpenAPIPath(rt.Path)].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		schema := op["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		props := schema["properties"].(map[string]any)
		var got []string
		for k := range props {
			got = append(got, k)
		}
		sort.Strings(got)
		want := jsonFields(rt.Body)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: documented fields %v, body decodes %v", rt.Method, rt.Path, got, want)
		}
		if schema["additionalProperties"] != false {
			t.Errorf("%s: schema allows unknown fields", rt.Path)
		}
	}
}

func jsonFields(v any) []string {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	t := reflect.TypeOf(v)
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "-" && t.Field(i).IsExported() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func diff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
