package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
)

// Route declares one path of the public contract: the router registers it
// and the OpenAPI document describes it, from this one table.
type Route struct {
	Method  string
	Path    string // Echo syntax: /v1/ledgers/:ledger
	Role    string // "" needs no token
	OpID    string
	Summary string
	Tag     string
	Body    any      // request body type (a zero value), nil if none
	Uploads bool     // also accepts CSV/XLSX files (MaxUpload)
	Query   []string // query parameters it understands
	Status  int      // status of success
	Answer  string   // schema name of the success body
	handler echo.HandlerFunc
}

// readQuery are the query parameters every ledger read accepts.
var readQuery = []string{"as_of", "known_at"}

// table lists every route; the writes come from the domain's catalogue of commands.
func (s *Server) table() []Route {
	r := func(path, op, summary string, h echo.HandlerFunc) Route {
		return Route{Method: http.MethodGet, Path: path, Role: RoleAuditor, OpID: op, Summary: summary, Tag: "reads",
			Query: readQuery, Status: http.StatusOK, Answer: "Read", handler: h}
	}
	const L = "/v1/ledgers/:ledger"
	rs := []Route{
		// Operations.
		{Method: http.MethodGet, Path: "/healthz", OpID: "healthz", Summary: "The process is up.", Tag: "operations", Status: 200, Answer: "Health", handler: s.healthz},
		{Method: http.MethodGet, Path: "/readyz", OpID: "readyz", Summary: "The store answers and the projections have caught up.", Tag: "operations", Status: 200, Answer: "Health", handler: s.readyz},
		{Method: http.MethodGet, Path: "/metrics", OpID: "metrics", Summary: "Prometheus metrics (text exposition format).", Tag: "operations", Status: 200, Answer: "Text", handler: s.metrics},
		{Method: http.MethodGet, Path: "/v1/openapi.json", OpID: "openapi", Summary: "This document.", Tag: "operations", Status: 200, Answer: "Object", handler: s.openapi},

		// Tokens (admin).
		{Method: http.MethodPost, Path: "/v1/tokens", Role: RoleAdmin, OpID: "createToken", Summary: "Issue a finance or auditor token, optionally scoped to one ledger; the token is shown once.", Tag: "tokens", Body: tokenRequest{}, Status: 201, Answer: "TokenIssued", handler: s.createToken},
		{Method: http.MethodDelete, Path: "/v1/tokens/:id", Role: RoleAdmin, OpID: "revokeToken", Summary: "Revoke a token, durably.", Tag: "tokens", Status: 204, Answer: "", handler: s.revokeToken},

		// Reads (auditor or above).
		r(L+"/balances/:kind/:id", "balance", "Balance of a project, village, household, fund, source level, payee, pool or a fund's reclaimed money: received, spent, balance and what the kind has. "+
			"The id is one path segment, percent-encoded (any case; a \"/\" in a name as %2F).", s.balance),
		func() Route {
			rt := r(L+"/balances/:kind", "balanceByQuery", "The same balance with the id in the query (?id=), for names that a proxy will not pass through a path segment.", s.balance)
			rt.Query = append([]string{"id"}, readQuery...)
			return rt
		}(),
		r(L+"/summary", "summary", "County summary: fund scale, integration ratio, project rates, payouts by item.", s.summary),
		r(L+"/findings", "findings", "Audit findings, each with a stable id, kind, severity, amount, limit and evidence: over_standard and no_standard (against the table of standards), "+
			"duplicate_payout, payout_to_removed, cancelled_holding, idle_fund, duplicate_id_number; an acknowledged finding carries its note.", s.findings),
		r(L+"/standards", "standards", "The table of subsidy standards (补助标准): per item its amount, unit (household|person|pupil|month), eligibility and the date it applies from, with earlier versions.", s.standards),
		r(L+"/verify", "verify", "Walk the ledger's hash chain and name the first bad commit.", s.verify),
		func() Route {
			rt := r(L+"/events", "events", "Page the ledger's commits, filtered by type, actor and from_seq; with Accept: text/event-stream (or follow=true), follow new commits live as Server-Sent Events.", s.events)
			rt.Query = []string{"as_of", "known_at", "from_seq", "type", "actor", "limit", "follow"}
			rt.Answer = "Events"
			return rt
		}(),

		func() Route {
			rt := r(L+"/export", "export", "Download the ledger's history as a file, from the running server: format=ndjson (every stored commit, one per line, exactly as stored; "+
				"what fundledger replay --from and restore read), csv (money movements, UTF-8 with BOM), xlsx or iati (IATI-style activities). "+
				"The hash chain is checked as it streams; a break before the first byte answers 503 ledger_damaged, a break later aborts the connection, so a short file never looks complete.", s.export)
			rt.Query = []string{"format", "as_of", "known_at"}
			rt.Answer = "Export"
			return rt
		}(),

		{Method: http.MethodGet, Path: "/v1/summary", Role: RoleAuditor, OpID: "provinceSummary", Summary: "Province view (省级汇总): each named county's summary, exactly as its own …/summary answers it, with the seq and head_hash its figures came from, and their totals " +
			"(money and counts summed exactly, ratios recomputed from the sums). Without ledgers: every ledger the token may read. A malformed code answers 400, a ledger outside the token's scope 403, " +
			"an unknown one 404, a damaged one 503 ledger_damaged, each naming the ledger; a code named twice counts once.", Tag: "reads",
			Query: []string{"ledgers", "as_of", "known_at"}, Status: 200, Answer: "Province", handler: s.provinceSummary},
		{Method: http.MethodGet, Path: "/v1/ledgers", Role: RoleAuditor, OpID: "ledgers", Summary: "The ledgers this token may read, each with its head (seq, head_hash).", Tag: "reads", Status: 200, Answer: "Ledgers", handler: s.ledgers},

		// Public (no token).
		{Method: http.MethodGet, Path: "/v1/public/ledgers/:ledger/verify", OpID: "publicVerify", Summary: "Check that commit seq of the ledger has hash hash.", Tag: "public",
			Query: []string{"seq", "hash"}, Status: 200, Answer: "PublicVerify", handler: s.publicVerify},
	}
	rs = append(rs, s.writeRoutes()...)
	rs = append(rs, s.listRoutes(r)...)
	rs = append(rs, s.downloadRoutes(r)...)
	return append(rs, s.publicRoutes()...)
}

// uploadSummary is what the payout-batch route adds to its command's summary.
const uploadSummary = "JSON (1 MiB), or a file of up to 16 MiB: text/csv or XLSX as the body, or multipart/form-data with the file in part \"file\"; " +
	"an XLSX that expands past 64 MiB, or a file of more than 20,001 rows, answers 413; " +
	"a file has a header row with columns household,amount and the batch fields come from query parameters " +
	"(id, fund, item, standard, period, control_count, control_amount)."

// writeRoutes are the routes of the commands (finance or admin), one per
// entry of the domain's catalogue: its path, role, summary and body, and
// its name as the operation id, the one spelling of the command.
func (s *Server) writeRoutes() []Route {
	var rs []Route
	for _, d := range domain.Commands() {
		rt := Route{Method: d.Method, Path: d.Path, Role: d.Role, OpID: d.Name, Summary: d.Summary, Tag: "writes",
			Body: d.Body, Status: http.StatusCreated, Answer: "WriteResult", handler: s.write(d)}
		if _, ack := d.Body.(domain.AcknowledgeFinding); ack {
			rt.handler = s.acknowledge(rt.handler)
		}
		switch d.Body.(type) {
		case domain.PayoutBatch:
			rt.Summary += " " + uploadSummary
			rt.Uploads, rt.Query, rt.handler = true, uploadQuery, s.payoutBatch
		case domain.RegisterHouseholds:
			rt.Summary += " " + importSummary
			rt.Uploads, rt.Query, rt.handler = true, []string{"dry_run", "date"}, s.importHouseholds(d)
		case domain.RecordBankResults:
			rt.Summary += " " + bankResultsSummary
			rt.Uploads, rt.Query, rt.handler = true, []string{"dry_run"}, s.bankResults(d)
		}
		rs = append(rs, rt)
	}
	return rs
}
