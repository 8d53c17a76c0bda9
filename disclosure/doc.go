// Package disclosure builds what villages publish (公告公示): per-village
// figures from the projections, with ID and bank numbers masked and amounts
// also in capital numbers (大写), stamped with the ledger sequence and head
// hash they were built from so a printed notice can be checked later.
package disclosure
