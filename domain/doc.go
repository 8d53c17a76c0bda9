// Package domain is fundledger's pure core: money, accounts, the commands a
// county finance bureau records, the events they become, and the rules that
// decide between the two.
//
// Decide(state, command) answers events or a typed rejection; Apply(state,
// event) never fails, so replaying old history can never break because a rule
// changed later. Nothing here does I/O or reads the clock: time arrives inside
// the commit.
package domain
