package store_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/registry"
)

// TestResolveRegionPaths: region names as offices type them (issue 8),
// checked against the national NBS data on every engine.
func TestResolveRegionPaths(t *testing.T) {
	t.Parallel()
	regions, err := imports.ReadRegionsDir(filepath.Join(testdb.SharedData(t), "regions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db := testdb.Open(t, eng)
			if _, err := db.UpsertRegions(ctx, nil, regions); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				text   string
				level  int
				within string
				want   string
			}{
				{"上海市长宁区", 0, "", "310105000000"}, // 上海市 → 市辖区 → 长宁区
				{"上海长宁", 0, "", "310105000000"},
				{"云南省红河州绿春县", 0, "", "532531000000"},
				{"红河州金平县", 0, "", "532530000000"},
				{"云南红河绿春县", 0, "", "532531000000"},
				{"红河哈尼族彝族自治州绿春县", 0, "", "532531000000"},
				{"云南省 红河哈尼族彝族自治州 金平苗族瑶族傣族自治县", registry.LevelCounty, "", "532530000000"},
				{"红河州金平", registry.LevelCounty, "", "532530000000"},
				{"云南省", 0, "", "530000000000"},
				{"云南", 0, "", "530000000000"},
				{"红河哈尼族彝族自治州", 0, "", "532500000000"},
				{"绿春县大兴镇", 0, "", "532531101000"},
				{"绿春县大兴镇", registry.LevelTownship, "532531000000", "532531101000"},
				{"金平县者米乡", registry.LevelTownship, "", "532530205000"},
				{"绿春县牛孔镇龙洞村", 0, "", "532531102212"},
				{"绿春县龙洞村", registry.LevelVillage, "", "532531102212"},
				{"云南省红河州绿春县牛孔镇龙洞村委会", 0, "", "532531102212"},
				{"牛孔镇龙洞村", registry.LevelVillage, "532531000000", "532531102212"},
				// Names that already resolved keep resolving.
				{"金平县", 0, "", "532530000000"},
				{"者米乡", 0, "", "532530205000"},
				{"扎垤村", 0, "", "532529210203"},
				{"甘德县", 0, "", "632623000000"},
				{"红河州", 0, "", "532500000000"},
				{"532531", 0, "", "532531000000"},
				{"龙洞村", registry.LevelVillage, "532531102000", "532531102212"},
			} {
				r, err := db.ResolveRegion(ctx, c.text, c.level, c.within)
				if err != nil || r.Code != c.want {
					t.Errorf("ResolveRegion(%q, %d, %q) = %s, %v; want %s", c.text, c.level, c.within, r.Code, err, c.want)
				}
			}
			// Ambiguous names and paths list their candidates with paths.
			for _, c := range []struct {
				text  string
				level int
				want  []string
			}{
				{"龙洞村", registry.LevelVillage, []string{"地区“龙洞村”有多个匹配：云南省 昆明市 东川区 铜都街道 龙洞村村民委员会（530113001206）、", "等13个"}},
				{"云南红河", 0, []string{"地区“云南红河”有多个匹配：云南省 红河哈尼族彝族自治州（532500000000）、云南省 红河哈尼族彝族自治州 红河县（532529000000）、"}},
				{"开远市龙潭村", 0, []string{"地区“开远市龙潭村”有多个匹配：云南省 红河哈尼族彝族自治州 开远市 小龙潭镇 龙潭村委会（532502102202）、云南省 红河哈尼族彝族自治州 开远市 大庄回族乡 龙潭村委会（532502201202），"}},
				{"金平", 0, []string{"地区“金平”有多个匹配：", "云南省 红河哈尼族彝族自治州 金平苗族瑶族傣族自治县（532530000000）"}},
			} {
				_, err := db.ResolveRegion(ctx, c.text, c.level, "")
				if xiezuo.ErrorCode(err) != xiezuo.EINVALID {
					t.Errorf("ResolveRegion(%q): %v, want ambiguous", c.text, err)
					continue
				}
				for _, w := range c.want {
					if msg := xiezuo.ErrorMessage(err); !strings.Contains(msg, w) {
						t.Errorf("ResolveRegion(%q) = %q, want it to contain %q", c.text, msg, w)
					}
				}
			}
			// Parts that do not nest: not found, and the message says so.
			for _, c := range []struct {
				text  string
				level int
				want  []string
			}{
				{"青海省绿春县", 0, []string{"找不到地区“青海省绿春县”", "上下级不相符", "云南省 红河哈尼族彝族自治州 绿春县（532531000000）"}},
				{"红河州甘德县", registry.LevelCounty, []string{"找不到地区“红河州甘德县”", "青海省 果洛藏族自治州 甘德县（632623000000）"}},
				{"金平县大兴镇", 0, []string{"找不到地区“金平县大兴镇”", "上下级不相符"}},
				{"火星县", 0, []string{"找不到地区“火星县”"}},
			} {
				r, err := db.ResolveRegion(ctx, c.text, c.level, "")
				if xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
					t.Errorf("ResolveRegion(%q) = %s, %v; want not found", c.text, r.Code, err)
					continue
				}
				for _, w := range c.want {
					if msg := xiezuo.ErrorMessage(err); !strings.Contains(msg, w) {
						t.Errorf("ResolveRegion(%q) = %q, want it to contain %q", c.text, msg, w)
					}
				}
			}
			// Within a county, another county's township is not found.
			if r, err := db.ResolveRegion(ctx, "者米乡", registry.LevelTownship, "532531000000"); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
				t.Errorf("者米乡 within 绿春县 = %s, %v", r.Code, err)
			}
			// MatchRegions gives every region a text names exactly, with its
			// path: 云南红河 is 红河州, 红河县, and (元江县) 红河街道 and its 红河社区.
			rs, err := db.MatchRegions(ctx, "云南红河", 0, "")
			var got []string
			for _, r := range rs {
				got = append(got, r.Code+" "+r.Path)
			}
			if want := []string{
				"532500000000 云南省 红河哈尼族彝族自治州",
				"532529000000 云南省 红河哈尼族彝族自治州 红河县",
				"530428001000 云南省 玉溪市 元江哈尼族彝族傣族自治县 红河街道",
				"530428001001 云南省 玉溪市 元江哈尼族彝族傣族自治县 红河街道 红河社区居民委员会",
			}; err != nil || !slices.Equal(got, want) {
				t.Errorf("MatchRegions(云南红河) = %q, %v; want %q", got, err, want)
			}
			// A name written in full beats one written bare: 长宁 is the short
			// name of 长宁居委会 (青海), before 长宁区 and 长宁县 written bare;
			// with its province, 上海长宁 is 长宁区.
			if rs, err := db.MatchRegions(ctx, "长宁", 0, ""); err != nil || len(rs) != 1 || rs[0].Code != "630121105001" {
				t.Errorf("MatchRegions(长宁) = %+v, %v", rs, err)
			}
		})
	}
}
