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
// replaying from the nearest snapshot at or before the cut.
//
// Snapshots are derived data and never trusted over the log: each carries
// the SHA-256 of its content, signed with a per-directory key, and the
// (seq, hash) it was built at. One that does not match itself is discarded
// with a warning and the model rebuilt from the log; one that the log no
// longer backs (the store lost or changed that history) marks the ledger
// damaged (DamagedError, Options.OnDamage). DeepCheck refolds the whole log
// and compares it with every snapshot, for `fundledger verify --deep`. Every answer
// carries the ledger sequence and head hash it reflects, so a reader can check
// it against the hash chain later.
//
// Accounting rule: the postings of money events are the source of truth for
// received / spent / balance. A posting counts as received or spent by its
// sign in the write that first made it; a reversal (冲正) or a failed or
// returned bank line undoes it, reducing received or spent instead of adding
// to the other side. So received and spent stay "net of corrections" and
// balance = received − spent is always the account's balance.
//
// Village money received, one basis (DESIGN.md "Dates"): what reached a
// village is gross: appropriated to its projects plus payouts to its
// households that count (a failed or returned bank line, or a reversed
// write, never reached it). Money recovered from its projects (收回) is
// shown beside it as recovered, never netted off. The village balance
// (received, recovered), the disclosure (totals.received = funds_received,
// totals.recovered, per fund and per source level), the notice page and its
// CSV and XLSX downloads all say the same two figures.
package projections
