package domain

// The audit reference: the ledger's table of subsidy standards and the
// answers to audit findings.

func (c SetStandard) decide(*State) ([]Event, error) {
	if err := text("item", c.Item, maxName); err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount) // a standard of 0.00 would pass nothing: refused, never a silent skip
	if err != nil {
		return nil, err
	}
	if err := oneOf("unit", c.Unit, StandardUnits...); err != nil {
		return nil, err
	}
	if err := optionalText("eligibility", c.Eligibility, maxName); err != nil {
		return nil, err
	}
	// The writer fills an absent date with the record day (DateCommand);
	// a command decided without it still needs to say from when it applies.
	if c.Date == "" {
		return nil, invalid("date", "date is required: the day from which the standard applies, like 2019-01-01")
	}
	if err := date("date", c.Date); err != nil {
		return nil, err
	}
	return []Event{StandardSet{Item: c.Item, Amount: amt, Unit: c.Unit, Eligibility: c.Eligibility, Date: c.Date}}, nil
}

func (c AcknowledgeFinding) decide(*State) ([]Event, error) {
	if !validFindingID(c.Finding) {
		return nil, invalid("finding", "finding id %q is not one GET …/findings answers (kind-<12 hex digits>)", c.Finding)
	}
	if err := text("note", c.Note, 500); err != nil {
		return nil, err
	}
	return []Event{FindingAcknowledged{Finding: c.Finding, Note: c.Note}}, nil
}
