// Package ledger is the one way to write: a writer per open ledger queues
// commands, decides each against the ledger's in-memory state (including
// commits not yet durable), group-commits them to the event store in one
// append, and answers each caller once its commit is durable. It also keeps
// idempotency keys and walks the hash chain (Verify).
package ledger
