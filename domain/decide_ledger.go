package domain

// The ledger itself and its administrative villages (行政村): the registers
// everything else names.

func (c OpenLedger) decide(s *State) ([]Event, error) {
	if s.Opened {
		return nil, duplicate("code", "ledger", c.Code)
	}
	if err := text("name", c.Name, maxName); err != nil {
		return nil, err
	}
	if err := optionalText("complaint_phone", c.ComplaintPhone, maxText); err != nil {
		return nil, err
	}
	if err := optionalText("issuer", c.Issuer, maxName); err != nil {
		return nil, err
	}
	return []Event{LedgerOpened{Code: c.Code, Name: c.Name, ComplaintPhone: c.ComplaintPhone, Issuer: c.Issuer}}, nil
}

func (c RegisterVillage) decide(s *State) ([]Event, error) {
	if err := id("id", c.ID); err != nil {
		return nil, err
	}
	if _, ok := s.Villages[c.ID]; ok {
		return nil, duplicate("id", "village", c.ID)
	}
	if err := text("name", c.Name, maxName); err != nil {
		return nil, err
	}
	if err := text("township", c.Township, maxName); err != nil {
		return nil, err
	}
	if c.ExitYear != 0 {
		if err := year("exit_year", c.ExitYear); err != nil {
			return nil, err
		}
	}
	return []Event{VillageRegistered{ID: c.ID, Name: c.Name, Township: c.Township, PoorVillage: c.PoorVillage, ExitYear: c.ExitYear}}, nil
}
