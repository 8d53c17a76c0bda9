// Package console is the finance bureau's and auditors' web console at
// /console/: server-rendered Chinese pages (html/template, no script) over
// the same HTTP API the bearer-token clients use.
//
// The console holds no second way to read or write. A clerk signs in with
// a bearer token (validated by the API's token store); the session keeps
// that token in memory, server-side, and every page is made by calling the
// API's own handler in process with it — so every write goes through the
// API's strict decoding, its role and ledger checks and the ledger
// manager, is recorded under the token's actor, and a revoked token stops
// the console at its next page. Routes added to the API later (registry
// import, bank files, business dates, acknowledgements) reach the console
// through the API's route table and the domain's catalogue of commands.
package console
