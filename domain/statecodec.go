package domain

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The state codec writes a State as lines of tab-separated fields in a
// fixed order, one map entry per line, each map preceded by its count, so
// a writer at a million events starts by reading lines instead of
// reflecting over a 64 MB JSON document (issue 14). Maps are written in
// key order, so the same state always gives the same bytes: a writer
// snapshot can be digested and compared.
//
//	fundledger state 2
//	ledger  <opened 0|1> <code> <name> <complaint phone> <issuer>
//	villages <n>, then n lines: key id name township poor(0|1) exit-year
//	households <n>, then n lines: key id village head id-number members
//	    category status bank-name bank-account removed(0|1)
//	funds <n>, then n lines: key id pool source-level programme year document amount
//	projects <n>, then n lines: key id name village category batch budget
//	    approval-doc status appropriated recovered
//	batches <n>, then per batch: key id fund results(0|1) <lines m>, and
//	    m lines: household amount status card reissued-by
//	accounts <n>, then n lines: account balance (empty: none kept); the
//	    accounts in order, numbered from 0, are the table writes name
//	writes <n>, then n lines: id type project amount reverses reversed-by,
//	    then "t" from to (a transfer of amount from one numbered account
//	    to another), or <postings p> and p pairs account-number amount;
//	    for a reversal kept as a transfer, amount is what it moves
//	idnumbers <n>, then n lines: id-number household
//	standards <n>, then per item: item <sets m>, and m lines: item amount
//	    unit eligibility date
//	end
//
// A field is written as it is unless it could be misread: one that holds a
// tab, a newline or a carriage return, or starts with '"', is written as a
// Go-quoted string, so a raw field never starts with '"' and the reader
// can tell the two apart. Amounts are written with exactly two decimals.
// A field added to one of these types must be added here too:
// TestStateCodecCoversEveryField fills every field and fails otherwise.
//
// State 1 wrote balances by account and each write's postings with their
// account names; state 2 numbers the accounts once (issue 14), so a write
// is a short line and a reader fills its account table without looking
// every name up.
const stateCodecMagic = "fundledger state 2"

// EncodeState writes s in the line format above.
func EncodeState(w io.Writer, s *State) error {
	e := &stateEncoder{w: bufio.NewWriterSize(w, 1<<16)}
	e.line(stateCodecMagic)
	e.fields("ledger", boolField(s.Opened), s.Ledger.Code, s.Ledger.Name, s.Ledger.ComplaintPhone, s.Ledger.Issuer)

	e.count("villages", len(s.Villages))
	for _, k := range sortedKeys(s.Villages) {
		v := s.Villages[k]
		if v == nil {
			return nilEntry("village", k)
		}
		e.fields(k, v.ID, v.Name, v.Township, boolField(v.PoorVillage), strconv.Itoa(v.ExitYear))
	}
	e.count("households", len(s.Households))
	for _, k := range sortedKeys(s.Households) {
		h := s.Households[k]
		if h == nil {
			return nilEntry("household", k)
		}
		e.fields(k, h.ID, h.Village, h.HeadName, h.IDNumber, strconv.Itoa(h.Members), h.Category, h.Status,
			h.BankName, h.BankAccount, boolField(h.Removed))
	}
	e.count("funds", len(s.Funds))
	for _, k := range sortedKeys(s.Funds) {
		f := s.Funds[k]
		if f == nil {
			return nilEntry("fund", k)
		}
		e.fields(k, f.ID, f.Pool, f.SourceLevel, f.Programme, strconv.Itoa(f.FiscalYear), f.DocumentNo, f.Amount.String())
	}
	e.count("projects", len(s.Projects))
	for _, k := range sortedKeys(s.Projects) {
		p := s.Projects[k]
		if p == nil {
			return nilEntry("project", k)
		}
		e.fields(k, p.ID, p.Name, p.Village, p.Category, p.Batch, p.Budget.String(), p.ApprovalDoc,
			p.Status, p.Appropriated.String(), p.Recovered.String())
	}
	e.count("batches", len(s.Batches))
	for _, k := range sortedKeys(s.Batches) {
		b := s.Batches[k]
		if b == nil {
			return nilEntry("batch", k)
		}
		e.fields(k, b.ID, b.Fund, boolField(b.Results), strconv.Itoa(len(b.Lines)))
		for _, hk := range sortedKeys(b.Lines) {
			l := b.Lines[hk]
			if l == nil {
				return nilEntry("batch line", k+"/"+hk)
			}
			e.fields(hk, l.Amount.String(), l.Status, l.Card, l.ReissuedBy)
		}
	}
	// Every account a balance or a write names, in order; a write names
	// its accounts by their number in this list.
	number := make(map[Account]int, len(s.Balances))
	for a := range s.Balances {
		number[a] = 0
	}
	for _, a := range s.accounts.names {
		number[a] = 0
	}
	accounts := sortedKeys(number)
	for i, a := range accounts {
		number[a] = i
	}
	e.count("accounts", len(accounts))
	for _, a := range accounts {
		bal := ""
		if m, ok := s.Balances[a]; ok {
			bal = m.String()
		}
		e.fields(string(a), bal)
	}
	e.count("writes", len(s.Writes))
	var f []string
	for _, k := range sortedKeys(s.Writes) {
		w := s.Writes[k]
		f = append(f[:0], k, string(w.Type()), w.Project(), w.money().String(), w.Reverses(), w.ReversedBy())
		switch {
		case w.transfer:
			f = append(f, "t", strconv.Itoa(number[s.accounts.names[w.from]]), strconv.Itoa(number[s.accounts.names[w.to]]))
		case w.rare != nil:
			f = append(f, strconv.Itoa(len(w.rare.postings)))
			for _, p := range w.rare.postings {
				f = append(f, strconv.Itoa(number[s.accounts.names[p.account]]), p.amount.String())
			}
		default:
			f = append(f, "0")
		}
		e.fields(f...)
	}
	e.count("idnumbers", len(s.IDNumbers))
	for _, k := range sortedKeys(s.IDNumbers) {
		e.fields(k, s.IDNumbers[k])
	}
	e.count("standards", len(s.Standards))
	for _, k := range sortedKeys(s.Standards) {
		sets := s.Standards[k]
		e.fields(k, strconv.Itoa(len(sets)))
		for _, st := range sets {
			e.fields(st.Item, st.Amount.String(), st.Unit, st.Eligibility, st.Date)
		}
	}
	e.line("end")
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}

func nilEntry(what, key string) error { return fmt.Errorf("encode state: %s %q is nil", what, key) }

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

type stateEncoder struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func (e *stateEncoder) line(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s + "\n")
	}
}

func (e *stateEncoder) count(name string, n int) { e.fields(name, strconv.Itoa(n)) }

func (e *stateEncoder) fields(fs ...string) {
	if e.err != nil {
		return
	}
	b := e.buf[:0]
	for i, f := range fs {
		if i > 0 {
			b = append(b, '\t')
		}
		if fieldNeedsQuote(f) {
			b = strconv.AppendQuote(b, f)
		} else {
			b = append(b, f...)
		}
	}
	b = append(b, '\n')
	_, e.err = e.w.Write(b)
	e.buf = b
}

func fieldNeedsQuote(s string) bool {
	if s != "" && s[0] == '"' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\t' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

// DecodeState reads a state EncodeState wrote, and nothing after its end
// line (so a caller's *bufio.Reader can go on reading what follows). Every
// register is present (never nil) afterwards, as in NewState, so Apply and
// Decide work on it exactly as on a replayed state.
func DecodeState(r io.Reader) (*State, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	return decodeState(br, math.MaxInt64)
}

// DecodeStateWithin is DecodeState for a reader that holds at most size
// bytes: a count that claims more entries than the bytes left could hold
// is an error before anything is allocated for it, so a corrupt count
// cannot make a reader allocate gigabytes before the digest check fails.
func DecodeStateWithin(r *bufio.Reader, size int64) (*State, error) {
	return decodeState(r, size)
}

func decodeState(br *bufio.Reader, size int64) (*State, error) {
	d := &stateDecoder{r: br, left: size}
	s, err := d.state()
	if err != nil {
		return nil, fmt.Errorf("decode state (line %d): %w", d.n, err)
	}
	return s, nil
}

type stateDecoder struct {
	r    *bufio.Reader
	left int64    // bytes the reader may still hold
	n    int      // lines read
	f    []string // the fields of the last line, reused
}

// next reads one line and splits it into exactly want fields (any number
// when want < 0).
func (d *stateDecoder) next(want int) ([]string, error) {
	raw, err := d.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), raw...)
		for errors.Is(err, bufio.ErrBufferFull) {
			raw, err = d.r.ReadSlice('\n')
			long = append(long, raw...)
		}
		raw = long
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	d.n++
	d.left -= int64(len(raw))
	line := string(raw[:len(raw)-1]) // one copy; the fields share it
	f := d.f[:0]
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			f = append(f, line)
			break
		}
		f = append(f, line[:i])
		line = line[i+1:]
	}
	d.f = f
	for i, v := range f {
		if v != "" && v[0] == '"' {
			u, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("field %d: %w", i+1, err)
			}
			f[i] = u
		}
	}
	if want >= 0 && len(f) != want {
		return nil, fmt.Errorf("%d fields, want %d", len(f), want)
	}
	return f, nil
}

// count reads a "<name> <n>" line that announces n lines of at least
// minFields fields each.
func (d *stateDecoder) count(name string, minFields int) (int, error) {
	f, err := d.next(2)
	if err != nil {
		return 0, err
	}
	if f[0] != name {
		return 0, fmt.Errorf("section %q, want %q", f[0], name)
	}
	return d.bounded(f[1], minFields)
}

// bounded reads a count of lines of at least minFields fields each (so at
// least minFields bytes) and checks that the bytes left can hold them.
func (d *stateDecoder) bounded(s string, minFields int) (int, error) {
	n, err := atoi(s)
	if err != nil {
		return 0, err
	}
	if int64(n) > d.left/int64(minFields) {
		return 0, fmt.Errorf("count %d is more than the %d bytes left can hold", n, d.left)
	}
	return n, nil
}

// slab hands out n values allocated a chunk at a time: far fewer
// allocations than one each, and never one huge block.
type slab[T any] struct {
	buf  []T
	left int
}

func (s *slab[T]) next() *T {
	if len(s.buf) == 0 {
		s.buf = make([]T, max(1, min(s.left, 4096)))
	}
	p := &s.buf[0]
	s.buf, s.left = s.buf[1:], s.left-1
	return p
}

func atoi(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return n, nil
}

func parseBool(s string) (bool, error) {
	switch s {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, fmt.Errorf("bad flag %q", s)
}

// fieldParser collects the first error of a line's conversions.
type fieldParser struct{ err error }

func (p *fieldParser) int(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return n
}

func (p *fieldParser) bool(s string) bool {
	b, err := parseBool(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return b
}

func (p *fieldParser) money(s string) Money {
	m, err := ParseStoredMoney(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return m
}

func (d *stateDecoder) state() (*State, error) {
	var p fieldParser
	f, err := d.next(1)
	if err != nil {
		return nil, err
	}
	if f[0] != stateCodecMagic {
		return nil, fmt.Errorf("not a state: %q", f[0])
	}
	if f, err = d.next(6); err != nil {
		return nil, err
	}
	if f[0] != "ledger" {
		return nil, fmt.Errorf("section %q, want ledger", f[0])
	}
	s := &State{Opened: p.bool(f[1]), Ledger: LedgerOpened{Code: f[2], Name: f[3], ComplaintPhone: f[4], Issuer: f[5]}}

	n, err := d.count("villages", 6)
	if err != nil {
		return nil, err
	}
	s.Villages = make(map[string]*VillageRegistered, n)
	for range n {
		if f, err = d.next(6); err != nil {
			return nil, err
		}
		s.Villages[f[0]] = &VillageRegistered{ID: f[1], Name: f[2], Township: f[3], PoorVillage: p.bool(f[4]), ExitYear: p.int(f[5])}
	}

	if n, err = d.count("households", 11); err != nil {
		return nil, err
	}
	s.Households = make(map[string]*Household, n)
	hs := slab[Household]{left: n}
	for range n {
		if f, err = d.next(11); err != nil {
			return nil, err
		}
		h := hs.next()
		h.HouseholdRegistered = HouseholdRegistered{ID: f[1], Village: f[2], HeadName: f[3], IDNumber: f[4],
			Members: p.int(f[5]), Category: f[6], Status: f[7], BankName: f[8], BankAccount: f[9]}
		h.Removed = p.bool(f[10])
		s.Households[f[0]] = h
	}

	if n, err = d.count("funds", 8); err != nil {
		return nil, err
	}
	s.Funds = make(map[string]*Fund, n)
	for range n {
		if f, err = d.next(8); err != nil {
			return nil, err
		}
		s.Funds[f[0]] = &Fund{ID: f[1], Pool: f[2], SourceLevel: f[3], Programme: f[4], FiscalYear: p.int(f[5]),
			DocumentNo: f[6], Amount: p.money(f[7])}
	}

	if n, err = d.count("projects", 11); err != nil {
		return nil, err
	}
	s.Projects = make(map[string]*Project, n)
	for range n {
		if f, err = d.next(11); err != nil {
			return nil, err
		}
		s.Projects[f[0]] = &Project{
			ProjectApproved: ProjectApproved{ID: f[1], Name: f[2], Village: f[3], Category: f[4], Batch: f[5],
				Budget: p.money(f[6]), ApprovalDoc: f[7]},
			Status: f[8], Appropriated: p.money(f[9]), Recovered: p.money(f[10])}
	}

	if n, err = d.count("batches", 5); err != nil {
		return nil, err
	}
	s.Batches = make(map[string]*Batch, n)
	for range n {
		if f, err = d.next(5); err != nil {
			return nil, err
		}
		m, err := d.bounded(f[4], 5)
		if err != nil {
			return nil, err
		}
		b := &Batch{ID: f[1], Fund: f[2], Results: p.bool(f[3]), Lines: make(map[string]*LineState, m)}
		s.Batches[f[0]] = b
		ls := slab[LineState]{left: m}
		for range m {
			if f, err = d.next(5); err != nil {
				return nil, err
			}
			// The fields share their line's string: keep none of them, or
			// the line stays in memory; share the register's strings instead.
			l, hid, card := ls.next(), strings.Clone(f[0]), strings.Clone(f[3])
			if h := s.Households[f[0]]; h != nil {
				hid = h.ID
				if f[3] == h.BankAccount {
					card = h.BankAccount
				}
			}
			*l = LineState{Amount: p.money(f[1]), Status: shared(f[2], BankStatuses), Card: card, ReissuedBy: strings.Clone(f[4])}
			b.Lines[hid] = l
		}
	}

	if n, err = d.count("accounts", 2); err != nil {
		return nil, err
	}
	s.Balances = make(map[Account]Money, n)
	s.accounts = accountTable{names: make([]Account, 0, n), index: make(map[Account]uint32, n)}
	for range n {
		if f, err = d.next(2); err != nil {
			return nil, err
		}
		i, a := s.accounts.intern(Account(strings.Clone(f[0])))
		if int(i) != len(s.accounts.names)-1 {
			return nil, fmt.Errorf("account %q listed twice", f[0])
		}
		if f[1] != "" {
			s.Balances[a] = p.money(f[1])
		}
	}
	accounts := uint32(n)
	account := func(s string) uint32 {
		i, err := strconv.ParseUint(s, 10, 32)
		if err != nil || uint32(i) >= accounts {
			if p.err == nil {
				p.err = fmt.Errorf("bad account number %q of %d", s, accounts)
			}
			return 0
		}
		return uint32(i)
	}

	if n, err = d.count("writes", 7); err != nil {
		return nil, err
	}
	s.Writes = make(map[string]Write, n)
	for range n {
		if f, err = d.next(-1); err != nil {
			return nil, err
		}
		if len(f) < 7 {
			return nil, fmt.Errorf("%d fields in a write", len(f))
		}
		// Clone what is kept: a field shares its line's string.
		w := s.makeWrite(EventType(f[1]), nil, s.projectID(f[2]), p.money(f[3]), strings.Clone(f[4]), strings.Clone(f[5]))
		if f[6] == "t" {
			if len(f) != 9 {
				return nil, fmt.Errorf("%d fields in a transfer", len(f))
			}
			w.transfer, w.from, w.to = true, account(f[7]), account(f[8])
		} else {
			np, err := atoi(f[6])
			if err != nil {
				return nil, err
			}
			if len(f) != 7+2*np {
				return nil, fmt.Errorf("%d fields in a write of %d postings", len(f), np)
			}
			if np > 0 {
				ps := make([]compactPosting, np)
				for j := range ps {
					ps[j] = compactPosting{account: account(f[7+2*j]), amount: p.money(f[8+2*j])}
				}
				w = w.withPostings(ps)
			}
		}
		s.Writes[strings.Clone(f[0])] = w
	}

	if n, err = d.count("idnumbers", 2); err != nil {
		return nil, err
	}
	s.IDNumbers = make(map[string]string, n)
	for range n {
		if f, err = d.next(2); err != nil {
			return nil, err
		}
		s.IDNumbers[f[0]] = f[1]
	}

	if n, err = d.count("standards", 2); err != nil {
		return nil, err
	}
	s.Standards = make(map[string][]StandardSet, n)
	for range n {
		if f, err = d.next(2); err != nil {
			return nil, err
		}
		item := f[0]
		m, err := d.bounded(f[1], 5)
		if err != nil {
			return nil, err
		}
		var sets []StandardSet
		for range m {
			if f, err = d.next(5); err != nil {
				return nil, err
			}
			sets = append(sets, StandardSet{Item: f[0], Amount: p.money(f[1]), Unit: f[2], Eligibility: f[3], Date: f[4]})
		}
		s.Standards[item] = sets
	}

	if f, err = d.next(1); err != nil {
		return nil, err
	}
	if f[0] != "end" {
		return nil, fmt.Errorf("%q where the end was due", f[0])
	}
	if p.err != nil {
		return nil, p.err
	}
	return s, nil
}
