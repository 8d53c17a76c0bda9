package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

// OpenAPI answers the OpenAPI 3.1 document of the server's routes, built
// from the same table the router is built from.
func (s *Server) OpenAPI() map[string]any {
	s.docOnce.Do(func() { s.doc = buildOpenAPI(s.routes) })
	return s.doc
}

func (s *Server) openapi(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, s.OpenAPI())
}

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// OpenAPIPath turns an Echo path (/v1/ledgers/:ledger) into an OpenAPI one
// (/v1/ledgers/{ledger}).
func OpenAPIPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

// enums of fields whose values are a closed list, by "Type.json_name".
var enums = map[string][]string{
	"Allocate.source_level":          domain.SourceLevels,
	"RegisterHousehold.category":     domain.HouseholdTypes,
	"RegisterHousehold.status":       domain.HouseholdStatuses,
	"ApproveProject.category":        domain.ProjectCategories,
	"ChangeProjectStatus.status":     domain.ProjectStatusChanges,
	"Pay.method":                     domain.PaymentMethods,
	"BankResultRequest.status":       domain.BankStatuses,
	"tokenRequest.role":              {RoleFinance, RoleAuditor},
	"RegisterHousehold.id_number":    nil,
	"RegisterHousehold.bank_account": nil,
}

// pathEnums are the closed lists of path parameters: the balance kinds.
var pathEnums = map[string][]string{"kind": projections.Kinds}

var amountType = reflect.TypeOf(domain.AmountText(""))

// queryDocs describe the query parameters whose meaning is not obvious.
var queryDocs = map[string]string{
	"as_of": "A past view. A sequence number (123) or an RFC 3339 time is a record cut: what the ledger held then. " +
		"A date (2019-06-30) is a business cut: every write dated on or before that day, as known at the head " +
		"(or at known_at); the ledger's villages and households are in every business cut. The answer's seq is the record point it reflects.",
	"ledgers": "Comma-separated county codes (341504,341502); duplicates count once; absent: every ledger the token may read. " +
		"With more than one ledger, as_of and known_at must be a time or a date: a sequence number names a point of one ledger only.",
	"known_at": "With as_of=DATE: the record point (a sequence number or an RFC 3339 time) the business cut is asked at: " +
		"what the ledger said then about that day. Alone, a record cut.",
}

// dateDoc describes the `date` every write body takes.
const dateDoc = "Business date (记账日期/发生日期), YYYY-MM-DD: when the money moved or the fact took effect. " +
	"Default: the record day in China time (UTC+8); never after the record day (400). The commit keeps it beside its record time."

// schemaOf describes a request type as JSON Schema (2020-12, as OpenAPI 3.1
// uses): every field is listed, unknown fields are refused, and fields
// without omitempty are required.
func schemaOf(t reflect.Type) map[string]any {
	if t == amountType {
		return map[string]any{"type": "string", "pattern": `^[0-9]{1,13}(\.[0-9]{1,2})?$`, "examples": []string{"1000.00"},
			"description": "yuan, positive, at most two decimals, at most 1000000000000.00; an exact JSON number is also accepted"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			ps := schemaOf(f.Type)
			if name == "date" && f.Type.Kind() == reflect.String {
				ps["format"], ps["description"] = "date", dateDoc
			}
			if e := enums[t.Name()+"."+name]; e != nil {
				ps["enum"] = e
			}
			props[name] = ps
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			out["required"] = required
		}
		return out
	}
	return map[string]any{}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// errorStatuses are the failures each kind of route can answer.
func errorStatuses(r Route) []int {
	out := []int{}
	if r.Role != "" {
		out = append(out, 401, 403)
	}
	switch {
	case r.Body != nil:
		out = append(out, 400, 404, 409, 413, 415, 422)
	case r.Role != "":
		out = append(out, 400, 404, 503)
	case strings.HasPrefix(r.Path, "/v1/public") || strings.HasPrefix(r.Path, "/notice"):
		out = append(out, 400, 404, 503)
	}
	return out
}

var statusText = map[int]string{
	400: "Invalid request (the message names the field).", 401: "Missing, unknown or revoked bearer token.",
	403: "The token's role or ledger scope does not allow this.", 404: "Unknown ledger, village, household, project or fund.",
	409: "Duplicate id, or Idempotency-Key reused with another body.", 413: "Body too large (1 MiB; uploads 16 MiB).",
	415: "Wrong Content-Type.", 422: "A ledger rule forbids it (insufficient funds, control totals disagree, removed household …; an uploaded file's refused rows: invalid_rows); nothing written.",
	503: "Read models have not caught up in time; retry after Retry-After seconds.",
}

func buildOpenAPI(routes []Route) map[string]any {
	paths := map[string]map[string]any{}
	for _, r := range routes {
		op := map[string]any{"operationId": r.OpID, "summary": r.Summary, "tags": []string{r.Tag}}
		var params []any
		for _, m := range echoParam.FindAllStringSubmatch(r.Path, -1) {
			schema := map[string]any{"type": "string"}
			if e := pathEnums[m[1]]; e != nil {
				schema["enum"] = e
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, q := range r.Query {
			p := map[string]any{"name": q, "in": "query", "required": r.OpID == "publicVerify", "schema": map[string]any{"type": "string"}}
			if d := queryDocs[q]; d != "" {
				p["description"] = d
			}
			params = append(params, p)
		}
		if r.Body != nil && r.Role == RoleFinance {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"description": "A retry with the same key and body answers the original result and writes nothing; another body answers 409. Kept across restarts.",
				"schema":      map[string]any{"type": "string", "maxLength": maxKey}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Role != "" {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-role"] = r.Role
		} else {
			op["security"] = []any{}
		}
		if r.Body != nil {
			content := jsonContent(schemaOf(reflect.TypeOf(r.Body)))
			if r.Uploads {
				file := map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "text/csv"}}
				content["text/csv"] = file
				content[mimeXLSX] = map[string]any{"schema": map[string]any{"type": "string", "contentEncoding": "binary"}}
				content[echo.MIMEMultipartForm] = map[string]any{"schema": map[string]any{"type": "object",
					"properties": map[string]any{"file": map[string]any{"type": "string", "contentEncoding": "binary"}}, "required": []string{"file"}}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		responses := map[string]any{}
		ok := map[string]any{"description": http.StatusText(r.Status)}
		switch r.Answer {
		case "":
		case "Text":
			ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
		case "HTML":
			ok["content"] = map[string]any{"text/html": map[string]any{"schema": map[string]any{"type": "string"}}}
		case "Export":
			ok["content"] = exportContent()
			ok["headers"] = map[string]any{"Content-Disposition": map[string]any{"description": `attachment; filename="<ledger>-<seq>.<ext>": seq is the last commit the file holds`,
				"schema": map[string]any{"type": "string"}}}
		case "Binary":
			ok["content"] = map[string]any{mimeXLSX: map[string]any{"schema": map[string]any{"type": "string", "contentEncoding": "binary"}}}
		default:
			ok["content"] = jsonContent(ref(r.Answer))
		}
		responses[itoa(uint64(r.Status))] = ok
		for _, st := range errorStatuses(r) {
			responses[itoa(uint64(st))] = map[string]any{"description": statusText[st], "content": jsonContent(ref("Error"))}
		}
		op["responses"] = responses
		p := OpenAPIPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	money := map[string]any{"type": "string", "pattern": `^-?[0-9]+\.[0-9]{2}$`, "description": "yuan with exactly two decimals"}
	hash := map[string]any{"type": "string", "pattern": "^[0-9a-f]{64}$"}
	schemas := map[string]any{
		"Money": money,
		"Error": map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
			"error": map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
				"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}, "field": map[string]any{"type": "string"},
				"rows": map[string]any{"type": "array", "description": "code invalid_rows: every refused row of an uploaded file; row as Excel numbers it (header = 1), column the header as written",
					"items": map[string]any{"type": "object", "required": []string{"row", "column", "reason"}, "properties": map[string]any{
						"row": map[string]any{"type": "integer"}, "column": map[string]any{"type": "string"}, "reason": map[string]any{"type": "string"}}}}}}}},
		"WriteResult": map[string]any{"type": "object", "required": []string{"seq", "hash", "events"}, "properties": map[string]any{
			"seq": map[string]any{"type": "integer"}, "hash": hash,
			"events": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
				"type": map[string]any{"type": "string"}, "data": map[string]any{"type": "object"}}}}}},
		"Read": map[string]any{"type": "object", "required": []string{"seq", "head_hash"},
			"description": "Every read: seq is the last ledger sequence it reflects, head_hash that commit's hash.",
			"properties":  map[string]any{"seq": map[string]any{"type": "integer"}, "head_hash": hash}},
		"List": map[string]any{"type": "object", "required": []string{"seq", "head_hash", "items"},
			"description": "A page of a list: items in byte order of id, each with id and its balance's received, spent, balance (a batch: amount); next_page_token is absent on the last page.",
			"properties": map[string]any{"seq": map[string]any{"type": "integer"}, "head_hash": hash,
				"items":           map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"id"}}},
				"next_page_token": map[string]any{"type": "string"}}},
		"Ledgers": map[string]any{"type": "object", "required": []string{"ledgers"}, "properties": map[string]any{
			"ledgers": map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"ledger", "seq", "head_hash"}}}}},
		"Province": map[string]any{"type": "object", "required": []string{"ledgers", "totals"},
			"description": "ledgers: each county's summary as GET /v1/ledgers/{ledger}/summary answers it (ledger, seq, head_hash, fund_scale, …), in the order named or by code; " +
				"totals: the same figures summed over the counties (ledgers = how many), ratios recomputed from the sums.",
			"properties": map[string]any{
				"ledgers": map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"ledger", "seq", "head_hash", "fund_scale"},
					"properties": map[string]any{"ledger": map[string]any{"type": "string"}, "seq": map[string]any{"type": "integer"}, "head_hash": hash, "fund_scale": money}}},
				"totals": map[string]any{"type": "object", "required": []string{"ledgers", "fund_scale"},
					"properties": map[string]any{"ledgers": map[string]any{"type": "integer"}, "fund_scale": money}}}},
		"Events": map[string]any{"type": "object", "required": []string{"seq", "head_hash", "commits", "next_from_seq"}, "properties": map[string]any{
			"seq": map[string]any{"type": "integer"}, "head_hash": map[string]any{"type": "string"},
			"commits":       map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
			"next_from_seq": map[string]any{"type": []string{"integer", "null"}}}},
		"PublicVerify": map[string]any{"type": "object", "required": []string{"valid", "seq", "hash"}, "properties": map[string]any{
			"valid": map[string]any{"type": "boolean"}, "seq": map[string]any{"type": "integer"}, "hash": map[string]any{"type": "string"}}},
		"TokenIssued": map[string]any{"type": "object", "required": []string{"id", "token", "role", "ledger"}, "properties": map[string]any{
			"id": map[string]any{"type": "string"}, "token": map[string]any{"type": "string", "description": "shown once; stored only as its SHA-256"},
			"role": map[string]any{"type": "string", "enum": []string{RoleFinance, RoleAuditor}}, "ledger": map[string]any{"type": []string{"string", "null"}}}},
		"Health": map[string]any{"type": "object", "properties": map[string]any{"status": map[string]any{"type": "string"}}},
		"Object": map[string]any{"type": "object"},
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "fundledger", "version": "1",
			"description": "An event-sourced ledger for poverty-alleviation funds. Money is a string with two decimals; " +
				"writes need a bearer token of role finance (or admin), reads auditor or above; every error is " +
				`{"error":{"code","message"}}. Request bodies are at most 1 MiB (payout-batch files 16 MiB); unknown fields are refused. ` +
				"Every write takes a business date `date` (default the record day in China time, never in the future); " +
				"reads take as_of (a sequence or time: a record cut; a date: a business cut) and known_at."},
		"servers":    []any{map[string]any{"url": "/"}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}
