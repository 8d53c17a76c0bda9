package main

import "fmt"

// idNumber builds the n-th valid resident ID number (居民身份证号码,
// GB 11643-1999) of a county: its 6-digit division code, a birth date, a
// 3-digit sequence and the check character. The harness computes the check
// itself rather than borrowing the server's code, so that a wrong check in
// the server would show up as a refused household instead of agreeing with
// itself.
func idNumber(county string, n int) string {
	// Birth dates step a day at a time through 1950–1979 and the sequence
	// runs 001–999, so the first ~10 million numbers are all different.
	day := n / 999
	year, month, dom := 1950+day/336%30, 1+day/28%12, 1+day%28
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", county, year, month, dom, 1+n%999)
	return first17 + string(idCheck(first17))
}

// idCheck answers the check character of the first 17 digits: the weighted
// sum (weights 2^(17-i) mod 11) taken mod 11 indexes "10X98765432".
func idCheck(first17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}
