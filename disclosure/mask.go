package disclosure

import "strings"

// MaskID keeps the first 3 and last 4 characters of an 18-character resident
// ID number and hides the 11 between: 341***********1234. Anything else is
// hidden whole, so a malformed number can never leak.
func MaskID(id string) string {
	if len(id) != 18 {
		return strings.Repeat("*", len(id))
	}
	return id[:3] + strings.Repeat("*", 11) + id[14:]
}

// MaskCard keeps only a bank account's last 4 digits: *2222.
func MaskCard(account string) string {
	if len(account) < 8 {
		return "****"
	}
	return "*" + account[len(account)-4:]
}
