// Package export writes a ledger's history as files for other tools and
// for recovery, and reads such a file back.
//
// There is one implementation of each format, used by `fundledger export`
// on a stopped server's data dir and by GET /v1/ledgers/{ledger}/export on
// a running one, so that both give the same bytes for the same ledger and
// sequence:
//
//   - ndjson: every stored commit, one per line, exactly as stored. Each
//     line re-hashes to its own hash and links to the line before it, so the
//     file alone proves itself (ReadNDJSON) and can rebuild a ledger
//     (`fundledger replay --from`, `fundledger restore`).
//   - csv: every money movement (a posting of a money event), UTF-8 with a
//     byte-order mark for Excel, written through internal/csvsafe.
//   - xlsx: the same movements as a sheet with numeric amounts.
//   - iati: an IATI-style activity file (allocation → incoming funds,
//     appropriation → commitment, payment and payout → disbursement,
//     recovery → reimbursement).
//
// The hash chain is checked while the history is read; a writer never
// sees a commit that does not link to the one before it.
package export
