package domain

// A registry file (建档立卡花名册): many households registered in one
// commit, so that a crash can never leave half a file in the ledger.

// MaxRegisterRows bounds one RegisterHouseholds, which keeps the commit well
// inside one store message (about 7 MB at 20,000 rows: a household carries
// names, ID and card numbers, several times a batch line); a larger
// register is imported in several files.
const MaxRegisterRows = 20000

// rowsCommand is a command whose rows its decider checks one by one, text
// included, so that every bad row is listed: Check leaves them to it.
type rowsCommand interface{ checksRows() }

func (RegisterHouseholds) checksRows() {}

func (c RegisterHouseholds) decide(s *State) ([]Event, error) {
	if err := optionalText("date", c.Date, maxText); err != nil {
		return nil, err
	}
	if len(c.Households) == 0 {
		return nil, invalid("households", "the file holds no household")
	}
	if len(c.Households) > MaxRegisterRows {
		return nil, invalid("households", "one file registers at most %d households, this one has %d; split it", MaxRegisterRows, len(c.Households))
	}
	rs := rows{list: "households"}
	ids := make(map[string]bool, len(c.Households))     // household ids of the rows so far
	heads := make(map[string]string, len(c.Households)) // canonical ID number → household id
	events := make([]Event, 0, len(c.Households))
	for i, h := range c.Households {
		// Duplicates within the file are judged on every row whose id or ID
		// number reads, so both rows' clerks see the same story.
		dupID := ids[h.ID]
		if ValidID(h.ID) {
			ids[h.ID] = true
		}
		canon := CanonicalIDNumber(h.IDNumber)
		firstHead, dupHead := heads[canon]
		if ValidIDNumber(h.IDNumber) && !dupHead {
			heads[canon] = h.ID
		}
		if err := Check(h); err != nil {
			rs.reject(i, err)
			continue
		}
		evs, err := h.decide(s)
		switch {
		case err != nil:
			rs.reject(i, err)
		case dupID && ValidID(h.ID):
			rs.reject(i, reject(ErrDuplicate, "id", "household id %q is on an earlier row of this file too; one row per household", h.ID))
		case dupHead:
			rs.reject(i, reject(ErrDuplicateIDNumber, "id_number", "this id_number is also on an earlier row of this file, for household %q; one person heads one household of a ledger", firstHead))
		default:
			events = append(events, evs...)
		}
	}
	if err := rs.err(); err != nil {
		return nil, err
	}
	return events, nil
}
