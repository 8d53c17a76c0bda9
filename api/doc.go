// Package api is fundledger's HTTP interface for the finance bureau, the
// auditors and the public: Echo handlers for every path of DESIGN.md's public
// contract, bearer-token roles (admin, finance, auditor), strict request
// validation, idempotent writes through ledger.Manager, reads from the
// projections that wait for the writes they must reflect, the event log with
// Server-Sent Events, the OpenAPI document, Prometheus metrics and
// structured request logs.
//
// One table (routes.go) declares every route with its role and request body;
// the router and the OpenAPI document are both built from it, and a test
// checks the two agree. Public pages (disclosure, notice board) live in
// public*.go files: register them through the table's public entries.
package api
