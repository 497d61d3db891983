package people

import (
	"strings"

	"github.com/xiezuo/xiezuo"
)

// idWeights are the GB 11643-1999 weights of the first 17 characters.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idChecks maps the weighted sum mod 11 to the check character.
const idChecks = "10X98765432"

// CheckChar returns the GB 11643 check character of the first 17 digits
// of a citizen ID number, or 0 when they are not 17 digits.
func CheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idChecks[sum%11]
}

// NormalizeID trims an ID number and upper-cases its check character
// (people type x for X).
func NormalizeID(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// IDProblem says what is wrong with an 18-character citizen ID number
// (公民身份号码, GB 11643-1999): its length, characters, birth date or check
// character; "" when it is valid. The birth date must be a civil date no
// later than today (YYYY-MM-DD).
func IDProblem(id, today string) string {
	if len(id) != 18 {
		return "身份证号码应为18位"
	}
	if CheckChar(id[:17]) == 0 {
		return "身份证号码前17位应为数字"
	}
	if b := BirthFromID(id); !xiezuo.ValidDate(b) || b < "1900-01-01" || (today != "" && b > today) {
		return "身份证号码中的出生日期（第7至14位）无效"
	}
	if CheckChar(id[:17]) != id[17] {
		return "身份证号码校验位不符（GB 11643），请核对"
	}
	return ""
}

// ValidID reports whether id is a valid citizen ID number (see IDProblem).
func ValidID(id, today string) bool { return IDProblem(id, today) == "" }

// BirthFromID is the birth date (YYYY-MM-DD) held in characters 7–14 of
// an 18-character ID number, "" when it has none.
func BirthFromID(id string) string {
	if len(id) != 18 {
		return ""
	}
	return id[6:10] + "-" + id[10:12] + "-" + id[12:14]
}

// MaskID shows the first four and last four characters of an ID number
// and stars for the rest (5325**********1234); "" stays "".
func MaskID(id string) string {
	if id == "" {
		return ""
	}
	if len(id) <= 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// MaskBirth is the birth date (YYYY-MM-DD) as those who see a masked ID
// number see it: the year only. The county (characters 1–6), the birth
// date (7–14) and the unmasked last four would give the whole number back.
func MaskBirth(d string) string {
	if len(d) < 4 {
		return d
	}
	return d[:4]
}

// IsMaskedBirth reports whether s is a masked birth date (a year alone):
// a form sends it back unchanged when its user sees IDs masked.
func IsMaskedBirth(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// IsMasked reports whether s is a masked ID number (holds a star): a form
// sends it back unchanged when its user may not see the full number.
func IsMasked(s string) bool { return strings.Contains(s, "*") }
