package domain

// Funds: special poverty funds allocated from a level (下达) and farm funds
// integrated into the poverty effort (统筹整合). Each is money with its own
// id, kept apart so it can never be spent twice.

// SourceLevels are the levels special funds come from.
var SourceLevels = []string{"central", "provincial", "municipal", "county", "other"}

func fundFields(s *State, wid, programme string, fiscalYear int, documentNo string) error {
	if err := s.newWrite("id", wid); err != nil {
		return err
	}
	if err := text("programme", programme, maxName); err != nil {
		return err
	}
	if err := year("fiscal_year", fiscalYear); err != nil {
		return err
	}
	return text("document_no", documentNo, maxText)
}

func (c Allocate) decide(s *State) ([]Event, error) {
	if err := fundFields(s, c.ID, c.Programme, c.FiscalYear, c.DocumentNo); err != nil {
		return nil, err
	}
	if err := oneOf("source_level", c.SourceLevel, SourceLevels...); err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount)
	if err != nil {
		return nil, err
	}
	return []Event{FundAllocated{ID: c.ID, SourceLevel: c.SourceLevel, Programme: c.Programme, FiscalYear: c.FiscalYear,
		DocumentNo: c.DocumentNo, Amount: amt,
		Postings: transfer(SourceAccount(c.SourceLevel, c.Programme), FundAccount(PoolPoverty, c.ID), amt)}}, nil
}

func (c Integrate) decide(s *State) ([]Event, error) {
	if err := fundFields(s, c.ID, c.Programme, c.FiscalYear, c.DocumentNo); err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount)
	if err != nil {
		return nil, err
	}
	return []Event{FundIntegrated{ID: c.ID, Programme: c.Programme, FiscalYear: c.FiscalYear, DocumentNo: c.DocumentNo,
		Amount: amt, Postings: transfer(FarmSourceAccount(c.Programme), FundAccount(PoolIntegrated, c.ID), amt)}}, nil
}

// fund finds a fund or answers not found.
func (s *State) fund(fid string) (*Fund, error) {
	f, ok := s.Funds[fid]
	if !ok {
		return nil, notFound("fund", "fund", fid)
	}
	return f, nil
}
