package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/internal/strictjson"
	"github.com/fundledger/fundledger/ledger"
)

func init() { commands["import"] = runImport }

// maxImportLine bounds one line of an import file: a payout batch of a few
// thousand households fits many times over, a runaway file does not.
const maxImportLine = 16 << 20

// importLine is one write of an import file: the kind of write, the path
// parameters of its API route as top-level fields, an optional idempotency
// key, and the request body of DESIGN.md.
type importLine struct {
	Kind      string          `json:"kind"`
	Project   string          `json:"project,omitempty"`
	Household string          `json:"household,omitempty"`
	Batch     string          `json:"batch,omitempty"`
	Finding   string          `json:"finding,omitempty"`
	Key       string          `json:"key,omitempty"`
	Body      json.RawMessage `json:"body"`
}

// params are the path parameters an import line carries as top-level
// fields, by name: what a catalogue entry's Param may name.
func (l importLine) params() map[string]string {
	return map[string]string{"project": l.Project, "household": l.Household, "batch": l.Batch, "finding": l.Finding}
}

// An import line's kind is the name of its command in the domain's
// catalogue (allocate, exit_household …), the name its commits store.
// importAliases are the kinds of earlier versions, by the word a clerk
// would use, each naming its command, so that existing files still import.
var importAliases = map[string]string{
	"ledger":              "open_ledger",
	"village":             "register_village",
	"household":           "register_household",
	"allocation":          "allocate",
	"integration":         "integrate",
	"project":             "approve_project",
	"appropriation":       "appropriate",
	"payment":             "pay",
	"recovery":            "recover",
	"project_status":      "change_project_status",
	"reversal":            "reverse",
	"household_exit":      "exit_household",
	"household_return":    "return_household",
	"household_removal":   "remove_household",
	"household_bank_card": "change_bank_card",
}

// importCommand answers the command an import kind names.
func importCommand(kind string) (domain.CommandSpec, bool) {
	if name, ok := importAliases[kind]; ok {
		kind = name
	}
	return domain.CommandNamed(kind)
}

// decodeStrictJSON is the API's body decoder (internal/strictjson): an
// import line and its body obey the same rules as an HTTP request.
func decodeStrictJSON(b []byte, v any) error { return strictjson.Decode(b, v) }

// parseImportLine reads one line into the command it asks for, checking
// the path parameters the kind needs and refusing those it does not take.
func parseImportLine(raw []byte, code string) (importLine, domain.Command, error) {
	var l importLine
	if err := decodeStrictJSON(raw, &l); err != nil {
		return l, nil, fmt.Errorf("not a write: %v", err)
	}
	d, ok := importCommand(l.Kind)
	if !ok {
		return l, nil, fmt.Errorf("kind %q is not one of %s (or an older kind: %s)", l.Kind,
			strings.Join(commandNames(), ", "), strings.Join(aliasNames(), ", "))
	}
	params := l.params()
	for _, name := range slices.Sorted(maps.Keys(params)) {
		v := params[name]
		if name == d.Param && v == "" {
			return l, nil, fmt.Errorf("%s needs a top-level %q field", l.Kind, name)
		}
		if name != d.Param && v != "" {
			return l, nil, fmt.Errorf("%s takes no top-level %q field", l.Kind, name)
		}
	}
	if len(bytes.TrimSpace(l.Body)) == 0 || bytes.Equal(bytes.TrimSpace(l.Body), []byte("null")) {
		return l, nil, fmt.Errorf("%s has no body", l.Kind)
	}
	cmd, err := d.Decode(l.Body, params[d.Param], decodeStrictJSON)
	if err != nil {
		return l, nil, fmt.Errorf("%s body: %v", l.Kind, err)
	}
	if open, ok := cmd.(domain.OpenLedger); ok && open.Code != code {
		return l, nil, fmt.Errorf("the file opens ledger %q but --ledger is %q", open.Code, code)
	}
	return l, cmd, nil
}

func commandNames() []string {
	var names []string
	for _, d := range domain.Commands() {
		names = append(names, d.Name)
	}
	sort.Strings(names)
	return names
}

func aliasNames() []string {
	names := make([]string, 0, len(importAliases))
	for k := range importAliases {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// runImport writes a JSON Lines file of requests to a ledger through the
// ledger writer, in the file's order, one line after another.
//
// Why not concurrently: the writer decides commands in the order they reach
// its queue, and Manager.Submit gives a caller no way to fix that order
// before it blocks. Lines depend on earlier lines (a household on its
// village, a payment on its appropriation), and a rejected line must leave
// every later line unwritten, so the file's order has to be the queue's.
//
// Each line is idempotent: its key is the line's "key", or
// "import:<file name>:<line number>", with the SHA-256 of the line as the
// request hash, so running the same file again writes nothing new and a
// changed line under an old key is refused rather than written twice.
func runImport(args []string) error {
	if len(args) > 0 && args[0] == "households" {
		return runImportHouseholds(args[1:])
	}
	fs := newFlags("import", "fundledger import --data-dir DIR --ledger CODE --file F [--actor NAME]: write a JSON Lines file of requests to a ledger (stop the server first)")
	dataDir := fs.String("data-dir", "./data", "directory of the embedded store (the server must not be running on it)")
	code := fs.String("ledger", "", "ledger code (required); a \"ledger\" line in the file must open this one")
	file := fs.String("file", "", `JSON Lines file, one write a line: {"kind":"allocate","key":"…","body":{…}}, the kind a command's name (older kinds such as "allocation" still read); path parameters ("project", "household", "batch") as top-level fields (required)`)
	actor := fs.String("actor", "import", "actor recorded on each commit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *code == "" || *file == "" {
		return errors.New("--ledger and --file are required")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	total, err := countLines(f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openOffline(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	mgr := ledger.NewManager(store, node.ManagerOptions(*dataDir, ledger.Options{Logger: quietLog()}))
	defer mgr.Close()

	done, err := importedKeys(ctx, store, *code)
	if err != nil {
		return err
	}

	base := filepath.Base(*file)
	bar := newProgress(os.Stderr, "import "+base, total).counting("line", "writes")
	var written, present int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxImportLine)
	n := uint64(0)
	fail := func(err error) error {
		bar.done()
		return fmt.Errorf("%s line %d: %v\n%d lines before it are in ledger %s (%d written now, %d already there); nothing of line %d was written",
			base, n, err, written+present, *code, written, present, n)
	}
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			bar.step(n, 0)
			continue
		}
		l, cmd, err := parseImportLine(raw, *code)
		if err != nil {
			return fail(err)
		}
		sum := sha256.Sum256(raw)
		req := ledger.Request{Command: cmd, Actor: *actor, IdempotencyKey: l.Key, RequestHash: hex.EncodeToString(sum[:])}
		if req.IdempotencyKey == "" {
			req.IdempotencyKey = fmt.Sprintf("import:%s:%d", base, n)
		}
		if prev, ok := done[req.IdempotencyKey]; ok {
			// Answered here rather than by the writer, which would read the
			// old commit back from the store for every line of a re-run.
			if prev.hash != req.RequestHash {
				return fail(fmt.Errorf("key %q was already used for a different request (seq %d); use a new key for a new request", req.IdempotencyKey, prev.seq))
			}
			present++
			bar.step(n, 1)
			continue
		}
		res, err := mgr.Submit(ctx, *code, req)
		if err != nil {
			return fail(err)
		}
		if res.Replayed {
			present++
		} else {
			written++
		}
		done[req.IdempotencyKey] = keyedCommit{req.RequestHash, res.Seq}
		bar.step(n, 1)
	}
	if err := sc.Err(); err != nil {
		n++
		return fail(fmt.Errorf("cannot read it: %w", err))
	}
	bar.done()
	head, hash, err := mgr.Head(ctx, *code)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "imported %s into ledger %s: %d writes, %d new, %d already there; head seq %d %s\n",
		base, *code, written+present, written, present, head, hash)
	return nil
}

// keyedCommit is what an idempotency key was answered with.
type keyedCommit struct {
	hash string
	seq  uint64
}

// importedKeys reads the idempotency keys a ledger already holds, checking
// its hash chain on the way; none for a ledger not opened yet.
func importedKeys(ctx context.Context, store eventstore.Store, code string) (map[string]keyedCommit, error) {
	keys := map[string]keyedCommit{}
	head, err := store.Head(ctx, code)
	if err != nil || head == 0 {
		return keys, err
	}
	err = ledger.Walk(ctx, store, code, 0, func(c *domain.Commit) error {
		if c.IdempotencyKey != "" {
			keys[c.IdempotencyKey] = keyedCommit{c.RequestHash, c.Seq}
		}
		return nil
	})
	return keys, err
}

// countLines counts the lines of r, for the progress bar's total.
func countLines(r io.Reader) (uint64, error) {
	buf := make([]byte, 256<<10)
	var n uint64
	var lastByte byte = '\n'
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += uint64(bytes.Count(buf[:k], []byte{'\n'}))
			lastByte = buf[k-1]
		}
		if errors.Is(err, io.EOF) {
			if lastByte != '\n' {
				n++ // a last line without its newline
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
