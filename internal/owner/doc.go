// Package owner decides which fundledger server writes each ledger when
// several `serve` processes share one NATS cluster (--nats-url).
//
// Each ledger has at most one owner at a time: a lease in the JetStream
// key-value bucket fundledger_owners (key: the ledger code; value: the
// owner's node name, the URL other servers reach it at, and when the lease
// expires). The owner renews its leases every Renew with a compare-and-set
// on the key's revision; a lease its owner stops renewing is taken over,
// by the next write to the ledger or by any server's background sweep, once
// it has expired. An owner that cannot renew stops writing the ledger
// before its lease can expire (Holds turns false a margin ahead), and a
// server that takes a ledger over reloads the ledger's writer from the
// store before its first write (Options.OnAcquire), so idempotency keys
// acknowledged by the previous owner answer the original here too. The
// store's expected-sequence check remains the last guard: a lease only
// keeps two servers from answering each other 409 conflict.
//
// With the embedded single-node store there is one server and no bucket:
// Local answers "this node" for every ledger.
package owner
