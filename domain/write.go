package domain

import "strings"

// Write is a money write that a reversal can name, kept as a compact value
// (issue 14): a ledger keeps one for every money write it ever recorded,
// so at a million events they were most of the writer's heap. The common
// write is a transfer (two postings, amount out of one account into
// another, the amount being the write's own), kept as two indexes into the
// state's table of account names and the amount in fen. What few writes
// have (a project, the write reversed, the reversal that reversed it,
// postings that are not a plain transfer, an amount beyond int64) lives in
// the rare part, nil unless one is set.
//
// A Write is read through its methods. The rare part is shared by copies
// and never changed in place: setting one of its fields makes a new one.
type Write struct {
	fen      int64 // the amount (see money), unless it is beyond int64
	from, to uint32
	rare     *writeRare
	kind     writeKind
	transfer bool // the postings are {from, -amount}, {to, amount}
	bigFen   bool // the amount is rare.amount
}

// writeRare holds what few writes have.
type writeRare struct {
	typ        EventType // only for a type writeTypes does not list
	project    string
	reverses   string
	reversedBy string
	postings   []compactPosting // when the postings are not a plain transfer
	amount     Money            // when it is beyond int64 fen
}

// money answers what the write keeps as its amount: the write's own, or
// for a reversal kept as a transfer, the amount the transfer moves.
func (w Write) money() Money {
	if w.bigFen {
		return w.rare.amount
	}
	return Fen(w.fen)
}

// compactPosting is a posting with its account interned.
type compactPosting struct {
	account uint32
	amount  Money
}

// writeKind is a write's event type as a small number.
type writeKind uint8

// writeTypes are the event types of money writes, by writeKind; kind 0 is
// none of them (never decided today, but history must replay whatever it
// holds) and keeps its type in the rare part.
var writeTypes = []EventType{"", TypeFundAllocated, TypeFundIntegrated, TypeFundsAppropriated, TypeProjectPaid,
	TypeFundsRecovered, TypePayoutMade, TypePayoutBatchAccepted, TypeBankResultsRecorded, TypeWriteReversed}

func kindOf(t EventType) writeKind {
	for i, w := range writeTypes {
		if i > 0 && w == t {
			return writeKind(i)
		}
	}
	return 0
}

// Type answers the write's event type.
func (w Write) Type() EventType {
	if w.kind == 0 {
		if w.rare == nil {
			return ""
		}
		return w.rare.typ
	}
	return writeTypes[w.kind]
}

// Amount answers the write's amount (zero for a reversal, which has none).
func (w Write) Amount() Money {
	if w.kind == kindReversal && w.transfer {
		return Zero
	}
	return w.money()
}

// Project answers the project of an appropriation, payment or recovery.
func (w Write) Project() string {
	if w.rare == nil {
		return ""
	}
	return w.rare.project
}

// Reverses answers, for a reversal, the write it reversed.
func (w Write) Reverses() string {
	if w.rare == nil {
		return ""
	}
	return w.rare.reverses
}

// ReversedBy answers the reversal that reversed this write, if any.
func (w Write) ReversedBy() string {
	if w.rare == nil {
		return ""
	}
	return w.rare.reversedBy
}

var kindReversal = kindOf(TypeWriteReversed)

// accountTable interns account names: each distinct account is one string
// shared by the balances and every write that names it.
type accountTable struct {
	names []Account
	index map[Account]uint32
}

// intern answers a's number and the table's string for it, adding a
// under its own string: the caller passes one that is not part of a larger
// one (an event's, or a clone of a decoder's field).
func (t *accountTable) intern(a Account) (uint32, Account) {
	if i, ok := t.index[a]; ok {
		return i, t.names[i]
	}
	if t.index == nil {
		t.index = map[Account]uint32{}
	}
	i := uint32(len(t.names))
	t.names = append(t.names, a)
	t.index[a] = i
	return i, a
}

// Postings answers the write's postings, as its event recorded them.
func (s *State) Postings(w Write) []Posting {
	if w.transfer {
		m := w.money()
		return []Posting{{Account: s.accounts.names[w.from], Amount: m.Neg()}, {Account: s.accounts.names[w.to], Amount: m}}
	}
	if w.rare == nil || len(w.rare.postings) == 0 {
		return nil
	}
	out := make([]Posting, len(w.rare.postings))
	for i, p := range w.rare.postings {
		out[i] = Posting{Account: s.accounts.names[p.account], Amount: p.amount}
	}
	return out
}

// makeWrite compacts a write: the shape Apply records and DecodeState
// reads. Postings that are exactly a transfer of the write's amount (a
// reversal, which has no amount: of any amount) keep two account indexes;
// any others are kept as they are, in order, in the rare part. Postings()
// answers the same list either way (nil for none).
func (s *State) makeWrite(typ EventType, postings []Posting, project string, amount Money, reverses, reversedBy string) Write {
	w := Write{kind: kindOf(typ)}
	rare := writeRare{project: project, reverses: reverses, reversedBy: reversedBy}
	if w.kind == 0 {
		rare.typ = EventType(strings.Clone(string(typ)))
	}
	moved := amount
	if w.kind == kindReversal && amount.IsZero() && len(postings) == 2 {
		moved = postings[1].Amount
	}
	if len(postings) == 2 && postings[1].Amount.Equal(moved) && postings[0].Amount.Equal(moved.Neg()) &&
		(w.kind != kindReversal || amount.IsZero()) {
		w.transfer, amount = true, moved
		w.from, _ = s.accounts.intern(postings[0].Account)
		w.to, _ = s.accounts.intern(postings[1].Account)
	}
	if amount.big != nil {
		w.bigFen, rare.amount = true, amount
	} else {
		w.fen = amount.fen
	}
	if len(postings) > 0 && !w.transfer {
		rare.postings = make([]compactPosting, len(postings))
		for i, p := range postings {
			rare.postings[i] = compactPosting{amount: p.Amount}
			rare.postings[i].account, _ = s.accounts.intern(p.Account)
		}
	}
	if rare.typ != "" || rare.project != "" || rare.reverses != "" || rare.reversedBy != "" || rare.postings != nil || w.bigFen {
		r := rare // allocated here only, not for every write
		w.rare = &r
	}
	return w
}

// withPostings answers w with postings that are not a plain transfer, in
// a rare part of its own (for DecodeState).
func (w Write) withPostings(ps []compactPosting) Write {
	rare := writeRare{}
	if w.rare != nil {
		rare = *w.rare
	}
	rare.postings = ps
	w.rare = &rare
	return w
}

// withReversedBy answers w with its reversal set; the rare part is copied,
// never changed in place, so a copy of w taken before keeps its own.
func (w Write) withReversedBy(id string) Write {
	rare := writeRare{}
	if w.rare != nil {
		rare = *w.rare
	}
	rare.reversedBy = id
	w.rare = &rare
	return w
}
