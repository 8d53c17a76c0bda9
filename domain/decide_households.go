package domain

// Households (建档立卡户): registration, exit from and return to poverty
// (脱贫, 返贫), removal from the register (清退) and a new one-card account.

// Household categories and statuses.
var (
	HouseholdStatuses = []string{"poor", "exited", "returned"}
	HouseholdTypes    = []string{"ordinary", "dibao", "wubao"}
)

func (c RegisterHousehold) decide(s *State) ([]Event, error) {
	if err := id("id", c.ID); err != nil {
		return nil, err
	}
	if _, ok := s.Households[c.ID]; ok {
		return nil, duplicate("id", "household", c.ID)
	}
	if _, ok := s.Villages[c.Village]; !ok {
		return nil, notFound("village", "village", c.Village)
	}
	if err := text("head_name", c.HeadName, maxName); err != nil {
		return nil, err
	}
	if !ValidIDNumber(c.IDNumber) {
		return nil, invalid("id_number", "id_number must be an 18-character resident ID number with a valid check digit")
	}
	c.IDNumber = CanonicalIDNumber(c.IDNumber)
	if other, taken := s.IDNumbers[c.IDNumber]; taken {
		return nil, reject(ErrDuplicateIDNumber, "id_number", "this id_number is already registered for household %q; one person heads one household of a ledger", other)
	}
	if c.Members < 1 || c.Members > 50 {
		return nil, invalid("members", "members must be between 1 and 50, got %d", c.Members)
	}
	if err := oneOf("category", c.Category, HouseholdTypes...); err != nil {
		return nil, err
	}
	if c.Status == "" {
		c.Status = "poor"
	}
	if err := oneOf("status", c.Status, HouseholdStatuses...); err != nil {
		return nil, err
	}
	if err := text("bank_name", c.BankName, maxName); err != nil {
		return nil, err
	}
	if err := bankAccount("bank_account", c.BankAccount); err != nil {
		return nil, err
	}
	return []Event{HouseholdRegistered{ID: c.ID, Village: c.Village, HeadName: c.HeadName, IDNumber: c.IDNumber, Members: c.Members,
		Category: c.Category, Status: c.Status, BankName: c.BankName, BankAccount: c.BankAccount}}, nil
}

// household finds a registered household or answers not found.
func (s *State) household(field, hid string) (*Household, error) {
	h, ok := s.Households[hid]
	if !ok {
		return nil, notFound(field, "household", hid)
	}
	return h, nil
}

func (c ExitHousehold) decide(s *State) ([]Event, error) {
	h, err := s.household("household", c.Household)
	if err != nil {
		return nil, err
	}
	if err := year("year", c.Year); err != nil {
		return nil, err
	}
	if h.Removed || h.Status == "exited" {
		return nil, reject(ErrHouseholdState, "", "household %q cannot exit poverty: it is %s", c.Household, householdState(h))
	}
	return []Event{HouseholdExited{Household: c.Household, Year: c.Year, DocumentNo: c.DocumentNo}}, nil
}

func (c ReturnHousehold) decide(s *State) ([]Event, error) {
	h, err := s.household("household", c.Household)
	if err != nil {
		return nil, err
	}
	if err := year("year", c.Year); err != nil {
		return nil, err
	}
	if h.Removed || h.Status != "exited" {
		return nil, reject(ErrHouseholdState, "", "only an exited household can return to poverty; household %q is %s", c.Household, householdState(h))
	}
	return []Event{HouseholdReturned{Household: c.Household, Year: c.Year, Reason: c.Reason}}, nil
}

func (c RemoveHousehold) decide(s *State) ([]Event, error) {
	h, err := s.household("household", c.Household)
	if err != nil {
		return nil, err
	}
	if err := text("reason", c.Reason, maxName); err != nil {
		return nil, err
	}
	if h.Removed {
		return nil, reject(ErrHouseholdState, "", "household %q was already removed", c.Household)
	}
	return []Event{HouseholdRemoved{Household: c.Household, Reason: c.Reason, DocumentNo: c.DocumentNo}}, nil
}

func (c ChangeBankCard) decide(s *State) ([]Event, error) {
	if _, err := s.household("household", c.Household); err != nil {
		return nil, err
	}
	if err := text("bank_name", c.BankName, maxName); err != nil {
		return nil, err
	}
	if err := bankAccount("bank_account", c.BankAccount); err != nil {
		return nil, err
	}
	return []Event{HouseholdCardChanged{Household: c.Household, BankName: c.BankName, BankAccount: c.BankAccount}}, nil
}

func householdState(h *Household) string {
	if h.Removed {
		return "removed"
	}
	return h.Status
}
