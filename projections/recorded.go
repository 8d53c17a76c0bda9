package projections

// Recorded reports whether the model holds id of a balance kind and, when
// the model keeps it, the sequence of the commit that first recorded it
// (funds and their reclaimed accounts; 0 for other kinds). A read as of an
// earlier cut uses it to say "not yet" rather than "not".
func (m *Model) Recorded(kind, id string) (seq uint64, ok bool) {
	if _, ok = m.Balance(kind, id); !ok {
		return 0, false
	}
	if kind == KindFunds || kind == KindReclaimed {
		return m.st.Funds[id].Seq, true
	}
	return 0, true
}
