package registry

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the text rules for region names as offices type them:
// whole paths (上海市长宁区, 云南省红河州绿春县), paths with levels left out
// (红河州金平县, 绿春县大兴镇) and short forms (云南, 红河, 金平). They need
// no data; the store finds the candidate regions and asks MatchPath which
// of them the text names, so the database search and the import share one rule.

// levelWords end a region's short name and say its kind, longest first so
// that 浦东新区 loses 新区 and not only 区. Without its word a name is how
// people often write it: 云南省 → 云南, 红河州 → 红河, 长宁区 → 长宁.
// 维吾尔自治区 is listed whole because 新疆维吾尔自治区 has no 族 for
// ShortName to strip.
var levelWords = []string{
	"维吾尔自治区", "特别行政区", "街道办事处",
	"自治区", "自治州", "自治县", "自治旗",
	"街道", "地区", "林区", "矿区", "新区", "社区", "嘎查", "苏木",
	"省", "市", "州", "盟", "县", "区", "旗", "镇", "乡", "村",
}

// placeholder reports a level that NBS lists but nobody writes: 市辖区
// (上海市 → 市辖区 → 长宁区), 县 (重庆市 → 县), 省直辖县级行政区划.
func placeholder(name string) bool {
	return name == "市辖区" || name == "县" || strings.Contains(name, "直辖")
}

// BareName is a region's name without its level word (云南省 → 云南,
// 红河哈尼族彝族自治州 → 红河, 金平苗族瑶族傣族自治县 → 金平, 扎垤村委会 →
// 扎垤). It is "" for a placeholder level, for a name that ends in no level
// word, and when fewer than two characters would remain (和县 stays 和县).
func BareName(name string) string {
	if placeholder(name) {
		return ""
	}
	s := ShortName(name)
	for _, w := range levelWords {
		if strings.HasSuffix(s, w) {
			if b := strings.TrimSuffix(s, w); utf8.RuneCountInString(b) >= 2 {
				return b
			}
			return ""
		}
	}
	return ""
}

// Forms are the ways r may be written in a path: full are its official name
// and short name (红河哈尼族彝族自治州, 红河州), bare is BareName (红河) or "".
func (r Region) Forms() (full []string, bare string) {
	full = []string{r.Name}
	short := r.ShortName
	if short == "" {
		short = ShortName(r.Name)
	}
	for _, s := range []string{short, ShortName(r.Name)} {
		if s != "" && !contains(full, s) {
			full = append(full, s)
		}
	}
	if b := BareName(r.Name); b != "" && !contains(full, b) {
		bare = b
	}
	return full, bare
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pathSeparators are dropped from typed paths: 云南省 红河州/绿春县,
// 红河州-金平县, 云南·红河·绿春 read as if written together.
var pathSeparators = "/／\\|｜-－—–·・>＞→"

// CleanPath removes spaces and separators from a typed region path.
func CleanPath(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune(pathSeparators, r) {
			return -1
		}
		return r
	}, text)
}

// maxPathRunes bounds the text PathKeys looks at: the longest official
// path (省 州 县 乡 村, all in full) is about 40 characters.
const maxPathRunes = 80

// PathKeys are the names a region must have, as Name or ShortName, for the
// typed text to end with one of its Forms: every ending of the cleaned text
// of two characters or more, alone (绿春县, 长宁区) and with each level word
// added back (云南红河 ends in 红河, the bare form of 红河州 and of 红河县).
// The store looks these up to find what a path may name, then checks each
// candidate with MatchPath. Text too long to be a path gives no keys.
func PathKeys(text string) []string {
	rs := []rune(CleanPath(text))
	if len(rs) < 2 || len(rs) > maxPathRunes {
		return nil
	}
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for i := len(rs) - 2; i >= 0; i-- {
		s := string(rs[i:])
		add(s)
		for _, w := range levelWords {
			add(s + w)
		}
	}
	return keys
}

// MatchPath reports whether text names the last region of chain, which
// holds that region's ancestors from the province down and then the region
// itself. The cleaned text must be Forms of some of these regions, in that
// order and ending with the last one; any level may be left out
// (上海市长宁区 leaves out 市辖区, 云南绿春县 leaves out 红河州, 绿春县大兴镇
// starts at the county). shortened is how many parts the closest reading
// writes in bare form (云南红河绿春县: 2); a lower count is a closer match.
func MatchPath(text string, chain []Region) (shortened int, ok bool) {
	text = CleanPath(text)
	if text == "" || len(chain) == 0 {
		return 0, false
	}
	type forms struct {
		full []string
		bare string
	}
	fs := make([]forms, len(chain))
	for i, r := range chain {
		fs[i].full, fs[i].bare = r.Forms()
	}
	const none = 1 << 30
	last := len(chain) - 1
	// best is the fewest bare parts with which chain[i:] names text[pos:].
	var best func(pos, i int) int
	best = func(pos, i int) int {
		res := none
		for j := i; j <= last; j++ {
			try := func(f string, cost int) {
				if f == "" || !strings.HasPrefix(text[pos:], f) {
					return
				}
				end := pos + len(f)
				if j == last {
					if end == len(text) {
						res = min(res, cost)
					}
					return
				}
				if r := best(end, j+1); r < none {
					res = min(res, r+cost)
				}
			}
			for _, f := range fs[j].full {
				try(f, 0)
			}
			try(fs[j].bare, 1)
		}
		return res
	}
	if n := best(0, 0); n < none {
		return n, true
	}
	return 0, false
}

// PathOf writes a chain (province down) as a display path, leaving out
// placeholder levels: 云南省 红河哈尼族彝族自治州 绿春县.
func PathOf(chain []Region) string {
	var names []string
	for _, r := range chain {
		if r.Name != "市辖区" {
			names = append(names, r.Name)
		}
	}
	return strings.Join(names, " ")
}

// Candidates lists regions for a message that asks the user to choose:
// each with its path (or name) and code, at most max of them, then how many
// there are in all: 云南省 … 牛孔镇 龙洞村委会（532531102212）、…等15个.
func Candidates(rs []Region, max int) string {
	var parts []string
	for i, r := range rs {
		if i == max {
			break
		}
		p := r.Path
		if p == "" {
			p = r.Name
		}
		parts = append(parts, p+"（"+r.Code+"）")
	}
	s := strings.Join(parts, "、")
	if len(rs) > max {
		s += fmt.Sprintf("等%d个", len(rs))
	}
	return s
}
