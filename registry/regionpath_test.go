package registry

import (
	"slices"
	"strings"
	"testing"
)

func TestBareName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"云南省":         "云南",
		"上海市":         "上海",
		"红河哈尼族彝族自治州":  "红河",
		"金平苗族瑶族傣族自治县": "金平",
		"长宁区":         "长宁",
		"浦东新区":        "浦东",
		"广西壮族自治区":     "广西",
		"新疆维吾尔自治区":    "新疆",
		"内蒙古自治区":      "内蒙古",
		"锡林郭勒盟":       "锡林郭勒",
		"大兴镇":         "大兴",
		"者米拉祜族乡":      "者米",
		"华阳路街道":       "华阳路",
		"扎垤村委会":       "扎垤",
		"翠湖西路社区居民委员会": "翠湖西路",
		"和县":          "", // one character would be left
		"新村":          "",
		"市辖区":         "", // placeholder levels are never written
		"省直辖县级行政区划":   "",
		"金平县农场":       "", // no level word at the end
		"红河谷森林公园":     "",
		"自治区直辖县级行政区划": "",
		"积石山保安族东乡族撒拉族自治县": "积石山",
	} {
		if got := BareName(in); got != want {
			t.Errorf("BareName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForms(t *testing.T) {
	t.Parallel()
	full, bare := Region{Name: "红河哈尼族彝族自治州", ShortName: "红河州"}.Forms()
	if !slices.Equal(full, []string{"红河哈尼族彝族自治州", "红河州"}) || bare != "红河" {
		t.Errorf("红河州: %q %q", full, bare)
	}
	// ShortName missing (a row written by hand): computed.
	full, bare = Region{Name: "金平苗族瑶族傣族自治县"}.Forms()
	if !slices.Equal(full, []string{"金平苗族瑶族傣族自治县", "金平县"}) || bare != "金平" {
		t.Errorf("金平县: %q %q", full, bare)
	}
	full, bare = Region{Name: "长宁区", ShortName: "长宁区"}.Forms()
	if !slices.Equal(full, []string{"长宁区"}) || bare != "长宁" {
		t.Errorf("长宁区: %q %q", full, bare)
	}
}

func TestCleanPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" 云南省 红河州/绿春县 ": "云南省红河州绿春县",
		"红河州－金平县":       "红河州金平县",
		"云南·红河·绿春县":     "云南红河绿春县",
		"上海市\u3000长宁区":  "上海市长宁区",
		"绿春县>大兴镇":       "绿春县大兴镇",
	} {
		if got := CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPathKeys(t *testing.T) {
	t.Parallel()
	keys := PathKeys("云南红河绿春县")
	for _, k := range []string{"绿春县", "云南红河绿春县", "春县"} {
		if !slices.Contains(keys, k) {
			t.Errorf("PathKeys lacks %q", k)
		}
	}
	// 云南红河 ends in 红河, the bare form of 红河州 (short name) and 红河县.
	keys = PathKeys("云南 红河")
	for _, k := range []string{"红河州", "红河县", "红河", "云南红河"} {
		if !slices.Contains(keys, k) {
			t.Errorf("PathKeys(云南 红河) lacks %q", k)
		}
	}
	if slices.Contains(keys, "河") || slices.Contains(keys, "河州") {
		t.Errorf("PathKeys(云南 红河) has a one-character ending: %q", keys)
	}
	if PathKeys("县") != nil || PathKeys(strings.Repeat("村", maxPathRunes+1)) != nil {
		t.Error("PathKeys of too short or too long text")
	}
}

// Chains as the NBS data has them (上海市 has the placeholder 市辖区).
var (
	shanghai   = Region{Code: "310000000000", Name: "上海市", ShortName: "上海市", Level: 1}
	shxq       = Region{Code: "310100000000", Name: "市辖区", ShortName: "市辖区", Level: 2}
	changning  = Region{Code: "310105000000", Name: "长宁区", ShortName: "长宁区", Level: 3}
	yunnan     = Region{Code: "530000000000", Name: "云南省", ShortName: "云南省", Level: 1}
	honghe     = Region{Code: "532500000000", Name: "红河哈尼族彝族自治州", ShortName: "红河州", Level: 2}
	lvchun     = Region{Code: "532531000000", Name: "绿春县", ShortName: "绿春县", Level: 3}
	daxing     = Region{Code: "532531101000", Name: "大兴镇", ShortName: "大兴镇", Level: 4}
	adi        = Region{Code: "532531101204", Name: "阿迪村委会", ShortName: "阿迪村", Level: 5}
	jinping    = Region{Code: "532530000000", Name: "金平苗族瑶族傣族自治县", ShortName: "金平县", Level: 3}
	hongheXian = Region{Code: "532529000000", Name: "红河县", ShortName: "红河县", Level: 3}
)

func TestMatchPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text      string
		chain     []Region
		ok        bool
		shortened int
	}{
		{"上海市长宁区", []Region{shanghai, shxq, changning}, true, 0},
		{"上海市市辖区长宁区", []Region{shanghai, shxq, changning}, true, 0},
		{"上海长宁区", []Region{shanghai, shxq, changning}, true, 1},
		{"上海长宁", []Region{shanghai, shxq, changning}, true, 2},
		{"长宁区", []Region{shanghai, shxq, changning}, true, 0},
		{"云南省红河州绿春县", []Region{yunnan, honghe, lvchun}, true, 0},
		{"云南省 红河哈尼族彝族自治州 绿春县", []Region{yunnan, honghe, lvchun}, true, 0},
		{"红河哈尼族彝族自治州绿春县", []Region{yunnan, honghe, lvchun}, true, 0},
		{"云南红河绿春县", []Region{yunnan, honghe, lvchun}, true, 2},
		{"云南省绿春县", []Region{yunnan, honghe, lvchun}, true, 0},
		{"红河州金平县", []Region{yunnan, honghe, jinping}, true, 0},
		{"红河州金平", []Region{yunnan, honghe, jinping}, true, 1},
		{"云南省红河州金平苗族瑶族傣族自治县", []Region{yunnan, honghe, jinping}, true, 0},
		{"绿春县大兴镇", []Region{yunnan, honghe, lvchun, daxing}, true, 0},
		{"云南省红河州绿春县大兴镇阿迪村", []Region{yunnan, honghe, lvchun, daxing, adi}, true, 0},
		{"绿春大兴阿迪村委会", []Region{yunnan, honghe, lvchun, daxing, adi}, true, 2},
		{"红河州", []Region{yunnan, honghe}, true, 0},
		{"云南红河", []Region{yunnan, honghe}, true, 2},
		{"云南红河", []Region{yunnan, honghe, hongheXian}, true, 2},
		// Parts that do not nest, or in the wrong order, or left over.
		{"青海省绿春县", []Region{yunnan, honghe, lvchun}, false, 0},
		{"绿春县红河州", []Region{yunnan, honghe, lvchun}, false, 0},
		{"红河州绿春县", []Region{yunnan, honghe, jinping}, false, 0},
		{"绿春县大兴镇", []Region{yunnan, honghe, lvchun}, false, 0},
		{"绿春县", []Region{yunnan, honghe, lvchun, daxing}, false, 0},
		{"云南省云南省绿春县", []Region{yunnan, honghe, lvchun}, false, 0},
		{"", []Region{yunnan}, false, 0},
		{"云南省", nil, false, 0},
	}
	for _, c := range cases {
		n, ok := MatchPath(c.text, c.chain)
		if ok != c.ok || n != c.shortened {
			t.Errorf("MatchPath(%q, %s) = %d, %v; want %d, %v", c.text, PathOf(c.chain), n, ok, c.shortened, c.ok)
		}
	}
}

func TestPathOfAndCandidates(t *testing.T) {
	t.Parallel()
	if p := PathOf([]Region{shanghai, shxq, changning}); p != "上海市 长宁区" {
		t.Errorf("PathOf = %q", p)
	}
	rs := []Region{
		{Code: "532500000000", Name: "红河哈尼族彝族自治州", Path: "云南省 红河哈尼族彝族自治州"},
		{Code: "532529000000", Name: "红河县", Path: "云南省 红河哈尼族彝族自治州 红河县"},
		{Code: "532531000000", Name: "绿春县"},
	}
	if s := Candidates(rs, 5); s != "云南省 红河哈尼族彝族自治州（532500000000）、云南省 红河哈尼族彝族自治州 红河县（532529000000）、绿春县（532531000000）" {
		t.Errorf("Candidates = %q", s)
	}
	if s := Candidates(rs, 1); s != "云南省 红河哈尼族彝族自治州（532500000000）等3个" {
		t.Errorf("Candidates(max 1) = %q", s)
	}
}
