package registry

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
)

// Organisation kinds (DESIGN.md). The value stored is the Chinese word.
var OrgKinds = []string{
	"区县", "街道", "乡镇", "委办局", "国企", "企业", "学校", "医院", "社会组织",
	"工会", "县级部门", "村", "供应商", "协作办", "其他",
}

// Sides of the cooperation.
const (
	SideEast = "east"
	SideWest = "west"
)

// SideLabel is 东部 or 西部.
func SideLabel(s string) string {
	if s == SideEast {
		return "东部"
	} else if s == SideWest {
		return "西部"
	}
	return s
}

// Organisation is a unit on either side: a street, a bureau, a company, a
// school, a county department, a supplier.
type Organisation struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Side       string   `json:"side"`
	RegionCode string   `json:"region_code,omitempty"`
	RegionName string   `json:"region_name,omitempty"`
	USCC       string   `json:"uscc,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
}

// Normalize trims fields and drops empty or duplicate aliases.
func (o *Organisation) Normalize() {
	o.Name = strings.TrimSpace(o.Name)
	o.USCC = strings.ToUpper(strings.TrimSpace(o.USCC))
	o.RegionCode = strings.TrimSpace(o.RegionCode)
	seen := map[string]bool{o.Name: true}
	var out []string
	for _, a := range o.Aliases {
		a = strings.TrimSpace(a)
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	o.Aliases = out
}

// Validate checks the fields that need no database.
func (o *Organisation) Validate() error {
	o.Normalize()
	p := xiezuo.Problems{}
	if o.Name == "" {
		p.Add("name", "单位名称不能为空")
	} else if utf8.RuneCountInString(o.Name) > 100 {
		p.Add("name", "单位名称不能超过100个字")
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		p.Add("kind", "单位类型无效")
	}
	if o.Side != SideEast && o.Side != SideWest {
		p.Add("side", "请选择东部或西部")
	}
	if o.RegionCode != "" && !ValidCode(o.RegionCode) {
		p.Add("region_code", "所在地区须为12位统计用区划代码")
	}
	if o.USCC != "" && !ValidUSCC(o.USCC) {
		p.Add("uscc", "统一社会信用代码校验位不正确（应为18位，按GB 32100校验）")
	}
	for _, a := range o.Aliases {
		if utf8.RuneCountInString(a) > 100 {
			p.Add("aliases", "别名不能超过100个字")
		}
	}
	return p.Err()
}

// usccChars is the GB 32100-2015 code alphabet (no I, O, Z, S, V).
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidUSCC checks a 统一社会信用代码: 18 characters of the GB 32100 alphabet
// whose last is the check character of the first 17.
func ValidUSCC(code string) bool {
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, code[i])
		if v < 0 {
			return false
		}
		sum += v * usccWeights[i]
	}
	check := (31 - sum%31) % 31
	return code[17] == usccChars[check]
}
