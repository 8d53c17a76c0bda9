// Package projections builds the read side of fundledger from the event
// store: balances per fund, source level, pool, project, village, household
// and payee, and the county summary that the county's own reports publish
// (funds by source level, integration ratio, projects by batch and category
// with start rate 开工率, completion rate 竣工率 and expenditure ratio 支出进度,
// payouts by subsidy item).
//
// A Model is the pure fold of one ledger's commits (Model.Apply); a Projector
// keeps one live Model per ledger, fed by catching up from its checkpoint and
// then following the store, writes periodic snapshots so that a restart does
// not replay from zero, and answers reads "as of" a past sequence or time by
// replaying from the nearest snapshot at or before the cut. Every answer
// carries the ledger sequence and head hash it reflects, so a reader can check
// it against the hash chain later.
//
// Accounting rule: the postings of money events are the source of truth for
// received / spent / balance. A posting counts as received or spent by its
// sign in the write that first made it; a reversal (冲正) or a failed or
// returned bank line undoes it, reducing received or spent instead of adding
// to the other side. So received and spent stay "net of corrections" and
// balance = received − spent is always the account's balance.
package projections
