package imports

import (
	"context"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/registry"
)

// TestResolverRegionPaths: the import reads region paths as offices type
// them (issue 8) by the store's rule, within the paired counties and the
// row's own county or township.
func TestResolverRegionPaths(t *testing.T) {
	t.Parallel()
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := testdb.OpenDemo(t, eng)
			u, err := db.UserByName(ctx, "chengjiaqiao")
			if err != nil {
				t.Fatal(err)
			}
			r, err := newResolver(ctx, db, u)
			if err != nil {
				t.Fatal(err)
			}
			const lvchun, niukong = "532531000000", "532531102000"
			for _, c := range []struct {
				text, parent string
				level        int
				want         string
			}{
				{"云南省红河州绿春县", "", registry.LevelCounty, lvchun},
				{"红河州金平县", "", registry.LevelCounty, "532530000000"},
				{"云南红河绿春县", "", registry.LevelCounty, lvchun},
				{"红河哈尼族彝族自治州绿春县", "", registry.LevelCounty, lvchun},
				{"云南 红河州 红河县", "", registry.LevelCounty, "532529000000"},
				{"绿春县", "", registry.LevelCounty, lvchun},
				{"金平", "", registry.LevelCounty, "532530000000"},
				{"绿春县大兴镇", lvchun, registry.LevelTownship, "532531101000"},
				{"云南省红河州绿春县大兴镇", lvchun, registry.LevelTownship, "532531101000"},
				{"大兴", lvchun, registry.LevelTownship, "532531101000"},
				{"大兴镇", lvchun, registry.LevelTownship, "532531101000"},
				{"牛孔镇龙洞村", lvchun, registry.LevelVillage, "532531102212"},
				{"绿春县牛孔镇龙洞村委会", lvchun, registry.LevelVillage, "532531102212"},
				{"龙洞村", niukong, registry.LevelVillage, "532531102212"},
				{"绿春县牛孔镇龙洞村", niukong, registry.LevelVillage, "532531102212"},
			} {
				var code string
				var err error
				if c.level == registry.LevelCounty {
					code, err = r.county(c.text)
				} else {
					code, err = r.place(c.text, c.parent, c.level)
				}
				if err != nil || code != c.want {
					t.Errorf("%q (level %d under %q) = %s, %v; want %s", c.text, c.level, c.parent, code, err, c.want)
				}
			}
			for _, c := range []struct {
				text, parent string
				level        int
				want         string
			}{
				{"上海市长宁区", "", registry.LevelCounty, "结对受援县中找不到“上海市长宁区”"}, // a region, but not a paired county
				{"青海省绿春县", "", registry.LevelCounty, "找不到地区“青海省绿春县”：上下级不相符（同名的有 云南省 红河哈尼族彝族自治州 绿春县（532531000000））"},
				{"火星县", "", registry.LevelCounty, "结对受援县中找不到“火星县”"},
				{"者米乡", lvchun, registry.LevelTownship, "所填受援县中找不到“者米乡”"},
				{"金平县者米乡", lvchun, registry.LevelTownship, "所填受援县中找不到“金平县者米乡”"},
				{"金平县大兴镇", lvchun, registry.LevelTownship, "找不到地区“金平县大兴镇”：上下级不相符（同名的有 云南省 红河哈尼族彝族自治州 绿春县 大兴镇（532531101000））"},
				{"曼洛村", "532531101000", registry.LevelVillage, "所填乡镇中找不到“曼洛村”"},
			} {
				var err error
				if c.level == registry.LevelCounty {
					_, err = r.county(c.text)
				} else {
					_, err = r.place(c.text, c.parent, c.level)
				}
				if err == nil || !strings.HasPrefix(err.Error(), c.want) {
					t.Errorf("%q (level %d under %q): %v; want %q", c.text, c.level, c.parent, err, c.want)
				}
			}
		})
	}
}

// TestOnePlaceAmbiguous: several regions are listed with their paths.
func TestOnePlaceAmbiguous(t *testing.T) {
	t.Parallel()
	_, err := onePlace([]registry.Region{
		{Code: "532502102202", Name: "龙潭村委会", Path: "云南省 红河哈尼族彝族自治州 开远市 小龙潭镇 龙潭村委会"},
		{Code: "532502201202", Name: "龙潭村委会", Path: "云南省 红河哈尼族彝族自治州 开远市 大庄回族乡 龙潭村委会"},
	}, "开远市龙潭村", "所填县")
	want := "“开远市龙潭村”有多个：云南省 红河哈尼族彝族自治州 开远市 小龙潭镇 龙潭村委会（532502102202）、云南省 红河哈尼族彝族自治州 开远市 大庄回族乡 龙潭村委会（532502201202），请填写12位代码或先填上级地区"
	if err == nil || err.Error() != want {
		t.Errorf("onePlace = %v, want %s", err, want)
	}
}
