// Package registry holds the who and where of the work: regions (official
// 12-digit NBS codes), organisations, pairings (结对) and posted people.
// It defines the records and their validation; the store implements the
// services over them.
package registry

import (
	"strings"
)

// Region levels.
const (
	LevelProvince = 1 // 省
	LevelCity     = 2 // 市/州
	LevelCounty   = 3 // 县/区
	LevelTownship = 4 // 乡/镇/街道
	LevelVillage  = 5 // 村/社区
)

// LevelLabel is the Chinese name of a level.
func LevelLabel(level int) string {
	switch level {
	case LevelProvince:
		return "省"
	case LevelCity:
		return "市州"
	case LevelCounty:
		return "县区"
	case LevelTownship:
		return "乡镇"
	case LevelVillage:
		return "村社区"
	}
	return ""
}

// Region is one administrative division.
type Region struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	ShortName  string `json:"short_name"`
	Level      int    `json:"level"`
	ParentCode string `json:"parent_code,omitempty"`
	// Path is the names from province down, filled by lookups for display.
	Path string `json:"path,omitempty"`
}

// ValidCode reports whether code is 12 ASCII digits.
func ValidCode(code string) bool {
	if len(code) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// PadCode turns an NBS code of 2, 4, 6, 9 or 12 digits into 12 digits.
func PadCode(code string) string {
	code = strings.TrimSpace(code)
	if len(code) < 12 {
		code += strings.Repeat("0", 12-len(code))
	}
	return code
}

// LevelOf derives the level from a 12-digit code.
func LevelOf(code string) int {
	switch {
	case code[2:] == "0000000000":
		return LevelProvince
	case code[4:] == "00000000":
		return LevelCity
	case code[6:] == "000000":
		return LevelCounty
	case code[9:] == "000":
		return LevelTownship
	}
	return LevelVillage
}

// CountyOf returns the county code containing code (code itself for a county).
func CountyOf(code string) string {
	if !ValidCode(code) || LevelOf(code) < LevelCounty {
		return ""
	}
	return code[:6] + "000000"
}

// TownshipOf returns the township code containing a village or township code.
func TownshipOf(code string) string {
	if !ValidCode(code) || LevelOf(code) < LevelTownship {
		return ""
	}
	return code[:9] + "000"
}

// ethnicGroups are the names of China's 56 ethnic groups, longest first, so
// that ShortName removes "哈尼族" before it could see "尼族".
var ethnicGroups = []string{
	"柯尔克孜", "乌孜别克", "维吾尔", "俄罗斯", "鄂伦春", "鄂温克", "达斡尔", "塔吉克",
	"塔塔尔", "哈萨克", "蒙古", "布依", "朝鲜", "土家", "哈尼", "傈僳", "拉祜", "东乡",
	"纳西", "景颇", "仫佬", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
	"德昂", "保安", "裕固", "独龙", "赫哲", "门巴", "珞巴", "基诺", "高山",
	"汉", "回", "藏", "苗", "彝", "壮", "满", "侗", "瑶", "白", "傣", "黎", "佤", "畲",
	"水", "土", "羌", "怒", "京",
}

// ShortName gives the name people say: 金平苗族瑶族傣族自治县 → 金平县,
// 者米拉祜族乡 → 者米乡, 红河哈尼族彝族自治州 → 红河州, 扎垤村委会 → 扎垤村,
// 翠湖西路社区居民委员会 → 翠湖西路社区. Names without such parts are returned as they are.
func ShortName(name string) string {
	s := name
	for _, suf := range []struct{ from, to string }{
		{"村民委员会", "村"}, {"村委会", "村"}, {"居民委员会", ""}, {"居委会", ""},
	} {
		if strings.HasSuffix(s, suf.from) {
			s = strings.TrimSuffix(s, suf.from) + suf.to
			break
		}
	}
	s = strings.Replace(s, "村村", "村", 1)
	if strings.Contains(s, "族") {
		// Strip only groups after the place name (at least two characters,
		// six bytes), so that a name which starts with a group stays whole.
		for changed := true; changed; {
			changed = false
			for _, g := range ethnicGroups {
				i := strings.Index(s, g+"族")
				if i >= 6 {
					s = s[:i] + s[i+len(g+"族"):]
					changed = true
				}
			}
		}
		s = strings.Replace(s, "自治", "", 1)
	}
	if s == "" {
		return name
	}
	return s
}
