// Package domain is fundledger's pure core: money, accounts, the commands a
// county finance bureau records, the events they become, and the rules that
// decide between the two.
//
// Decide(state, command) answers events or a typed rejection; Apply(state,
// event) never fails, so replaying old history can never break because a rule
// changed later. Nothing here does I/O or reads the clock: time arrives inside
// the commit.
//
// The catalogue is the one list of what the ledger understands:
// Commands() (catalogue.go) gives each command's name, body, HTTP route,
// path parameter, role and the event types it writes; Events()
// (eventtypes.go) gives each event type. The API's write routes and OpenAPI
// operations and `fundledger import`'s kinds are made from it, and the
// folds and exports switch on its typed values; each of them has a test
// that ranges over the catalogue, so a command or event added here and
// forgotten there fails a test rather than a county.
package domain
