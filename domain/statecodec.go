package domain

import (
	"encoding/json"
	"fmt"
	"io"
)

// EncodeState writes s as JSON of its exported form. The encoding is
// stable (maps are written in key order), so the same state always gives
// the same bytes: a writer snapshot can be digested and compared.
func EncodeState(w io.Writer, s *State) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// DecodeState reads a state EncodeState wrote. Every register is present
// (never nil) afterwards, as in NewState, so Apply and Decide work on it
// exactly as on a replayed state.
func DecodeState(r io.Reader) (*State, error) {
	s := NewState()
	if err := json.NewDecoder(r).Decode(s); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	if s.Villages == nil {
		s.Villages = map[string]*VillageRegistered{}
	}
	if s.Households == nil {
		s.Households = map[string]*Household{}
	}
	if s.Funds == nil {
		s.Funds = map[string]*Fund{}
	}
	if s.Projects == nil {
		s.Projects = map[string]*Project{}
	}
	if s.Batches == nil {
		s.Batches = map[string]*Batch{}
	}
	if s.Writes == nil {
		s.Writes = map[string]*Write{}
	}
	if s.Balances == nil {
		s.Balances = map[Account]Money{}
	}
	if s.IDNumbers == nil {
		s.IDNumbers = map[string]string{}
	}
	if s.Standards == nil {
		s.Standards = map[string][]StandardSet{}
	}
	return s, nil
}
