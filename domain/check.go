package domain

import (
	"reflect"
	"strconv"
	"strings"
)

// Check answers the first rule a command breaks whatever the ledger holds:
// every string it carries, at any depth (names, ids, documents, reasons,
// periods, batch lines, bank results), must be clean text (see
// forbiddenRune), and a ledger must be opened under a county code. Decide
// calls it first, so every way in (HTTP, file upload, import, demo) is
// held to it; the ledger writer may call it earlier to refuse a command
// without loading a ledger.
//
// One generic walk rather than a check per field: a field added later is
// covered without anyone remembering to.
func Check(c Command) error {
	if _, ok := c.(rowsCommand); ok {
		return nil // its decider checks each row, so that every bad row is listed
	}
	if err := checkStrings(reflect.ValueOf(c), ""); err != nil {
		return err
	}
	if open, ok := c.(OpenLedger); ok && !ValidCountyCode(open.Code) {
		return invalid("code", "code %q must be the county's 6-digit division code (GB/T 2260), e.g. 341504", open.Code)
	}
	return nil
}

// checkStrings walks v's strings, naming each by its JSON path
// ("lines[3].household"); a field taken from the URL path (json:"-") is
// named by its Go name in lower case ("project", "household", "batch").
func checkStrings(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.String:
		return cleanText(path, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkStrings(v.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				name = strings.ToLower(f.Name)
			}
			if path != "" {
				name = path + "." + name
			}
			if err := checkStrings(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}

// provinces are the first two digits of GB/T 2260's province-level
// divisions: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71 (Taiwan), 81
// (Hong Kong), 82 (Macao).
var provinces = func() map[string]bool {
	m := map[string]bool{"71": true, "81": true, "82": true}
	for _, r := range [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}} {
		for p := r[0]; p <= r[1]; p++ {
			m[strconv.Itoa(p)] = true
		}
	}
	return m
}()

// ValidCountyCode reports whether code has the shape of a GB/T 2260
// division code: 6 digits whose first two name a province-level division
// (so never 000000). It does not check the code against the published list,
// which changes every year.
func ValidCountyCode(code string) bool {
	return len(code) == 6 && allDigits(code) && provinces[code[:2]]
}
