package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// The county the harness writes: the demo county's code, in GB/T 2260 shape.
const ledgerCode = "341504"

// Setup sizes and the base fund every appropriation and batch draws from. The
// base fund is large enough that no cycle can exhaust it, so that every
// write of a cycle is accepted whichever of the others became durable: the
// outcome of an in-doubt write never depends on another in-doubt write.
const (
	villages   = 4
	households = 40
	projects   = 8
	baseFund   = "A-BASE"
	baseFen    = 900_000_000_000_00 // 9×10^11 yuan
	budgetFen  = 100_000_000_000_00 // 10^11 yuan per project
)

// op is one write: its Idempotency-Key, path, exact body bytes (a retry must
// send the same bytes, or the server answers 409) and what it moves.
type op struct {
	key     string
	path    string
	body    []byte
	id      string // the write's own id (its event's "id"; the code for the ledger)
	kind    string // ledger, village, household, project, allocation, appropriation, batch
	fen     int64  // money moved, in fen
	lines   int    // payout lines (batch)
	project string // the project of an appropriation
}

func newOp(kind, id, key, path string, body any) *op {
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err) // only maps and slices of strings and numbers are marshalled here
	}
	return &op{kind: kind, id: id, key: key, path: path, body: raw}
}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

func ledgerPath(rest string) string { return "/v1/ledgers/" + ledgerCode + rest }

func villageID(i int) string   { return fmt.Sprintf("V%02d", i+1) }
func householdID(i int) string { return fmt.Sprintf("H%03d", i+1) }
func projectID(i int) string   { return fmt.Sprintf("P%02d", i+1) }

// setupOps are the writes before the first cycle, in order: the ledger, its
// villages, households with valid ID numbers, projects, and the base fund.
func setupOps() []*op {
	key := func(s string) string { return "crash-setup-" + s }
	ops := []*op{newOp("ledger", ledgerCode, key("ledger"), "/v1/ledgers",
		map[string]any{"code": ledgerCode, "name": "光州区"})}
	for i := 0; i < villages; i++ {
		id := villageID(i)
		ops = append(ops, newOp("village", id, key(id), ledgerPath("/villages"), map[string]any{
			"id": id, "name": fmt.Sprintf("试验%d村", i+1), "township": "某镇", "poor_village": i%2 == 0, "exit_year": 2019}))
	}
	for i := 0; i < households; i++ {
		id := householdID(i)
		ops = append(ops, newOp("household", id, key(id), ledgerPath("/households"), map[string]any{
			"id": id, "village": villageID(i % villages), "head_name": fmt.Sprintf("户主%d", i+1),
			"id_number": idNumber(ledgerCode, i), "members": 1 + i%6, "category": "ordinary", "status": "poor",
			"bank_name": "农商银行", "bank_account": fmt.Sprintf("621700%010d", i+1)}))
	}
	categories := []string{"industry", "infrastructure", "housing", "education"}
	for i := 0; i < projects; i++ {
		id := projectID(i)
		ops = append(ops, newOp("project", id, key(id), ledgerPath("/projects"), map[string]any{
			"id": id, "name": fmt.Sprintf("试验项目%d", i+1), "village": villageID(i % villages),
			"category": categories[i%len(categories)], "batch": "2019-1", "budget": yuan(budgetFen),
			"approval_doc": "某政〔2019〕1号"}))
	}
	base := newOp("allocation", baseFund, key(baseFund), ledgerPath("/allocations"), map[string]any{
		"id": baseFund, "source_level": "central", "programme": "中央财政专项扶贫资金", "fiscal_year": 2019,
		"document_no": "财农〔2019〕1号", "amount": yuan(baseFen)})
	base.fen = baseFen
	return append(ops, base)
}

// nextOp makes the n-th write of worker w in cycle c: an allocation (30%),
// an appropriation from the base fund to a project (40%) or a JSON payout
// batch from the base fund (30%). Ids and keys name the cycle, worker and
// number, so they never repeat within a run.
func nextOp(rng *rand.Rand, c, w, n int) *op {
	tag := fmt.Sprintf("c%d-w%d-%d", c, w, n)
	key := "crash-" + tag
	switch r := rng.IntN(10); {
	case r < 3:
		id := "A-" + tag
		fen := 1000_00 + rng.Int64N(99_000_00)
		levels := []string{"central", "provincial", "municipal", "county"}
		o := newOp("allocation", id, key, ledgerPath("/allocations"), map[string]any{
			"id": id, "source_level": levels[rng.IntN(len(levels))], "programme": "中央财政专项扶贫资金",
			"fiscal_year": 2019, "document_no": fmt.Sprintf("财农〔2019〕%d号", 2+rng.IntN(500)), "amount": yuan(fen)})
		o.fen = fen
		return o
	case r < 7:
		id := "AP-" + tag
		p := projectID(rng.IntN(projects))
		fen := 1_00 + rng.Int64N(5000_00)
		o := newOp("appropriation", id, key, ledgerPath("/projects/"+p+"/appropriations"), map[string]any{
			"id": id, "fund": baseFund, "amount": yuan(fen)})
		o.fen, o.project = fen, p
		return o
	default:
		id := "B-" + tag
		count := 1 + rng.IntN(8)
		var total int64
		lines := make([]map[string]any, 0, count)
		for _, h := range rng.Perm(households)[:count] {
			fen := 100_00 + rng.Int64N(900_00)
			total += fen
			lines = append(lines, map[string]any{"household": householdID(h), "amount": yuan(fen)})
		}
		o := newOp("batch", id, key, ledgerPath("/payout-batches"), map[string]any{
			"id": id, "fund": baseFund, "item": "产业扶持直补", "period": "2019",
			"control": map[string]any{"count": count, "amount": yuan(total)}, "lines": lines})
		o.fen, o.lines = total, count
		return o
	}
}
