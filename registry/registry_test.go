package registry

import "testing"

func TestShortName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"金平苗族瑶族傣族自治县": "金平县",
		"者米拉祜族乡":      "者米乡",
		"红河哈尼族彝族自治州":  "红河州",
		"果洛藏族自治州":     "果洛州",
		"扎垤村委会":       "扎垤村",
		"五家寨村民委员会":    "五家寨村",
		"十里村村民委员会":    "十里村",
		"翠湖西路社区居民委员会": "翠湖西路社区",
		"绿春县":         "绿春县",
		"回族区":         "回族区", // a group name at the start is part of the place name
		"长宁区":         "长宁区",
	} {
		if got := ShortName(in); got != want {
			t.Errorf("ShortName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUSCC(t *testing.T) {
	t.Parallel()
	// Two published codes (百度 91110000802100433B, 腾讯 91440300708461136T) and one with a computed check character.
	for _, code := range []string{"91110000802100433B", "91440300708461136T", "91310000MA1FL4T91K"} {
		if !ValidUSCC(code) {
			t.Errorf("ValidUSCC(%s) = false", code)
		}
	}
	for _, code := range []string{"91310000MA1FL4T91X", "9131000", "91310000MA1FL4T9IJ", ""} {
		if ValidUSCC(code) {
			t.Errorf("ValidUSCC(%s) = true", code)
		}
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code             string
		level            int
		county, township string
	}{
		{"530000000000", LevelProvince, "", ""},
		{"532500000000", LevelCity, "", ""},
		{"532531000000", LevelCounty, "532531000000", ""},
		{"532531101000", LevelTownship, "532531000000", "532531101000"},
		{"532531101204", LevelVillage, "532531000000", "532531101000"},
	}
	for _, c := range cases {
		if LevelOf(c.code) != c.level || CountyOf(c.code) != c.county || TownshipOf(c.code) != c.township {
			t.Errorf("%s: level %d county %q township %q", c.code, LevelOf(c.code), CountyOf(c.code), TownshipOf(c.code))
		}
	}
	if PadCode("532531") != "532531000000" || ValidCode("53253100000") || ValidCode("53253100000x") {
		t.Error("PadCode/ValidCode")
	}
}
