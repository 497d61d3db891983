package registry

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
)

// PairingCounty is the kind of the district–county pairings (区县结对):
// their west parties' counties are the paired counties.
const PairingCounty = "区县结对"

// Pairing kinds (结对类型).
var PairingKinds = []string{PairingCounty, "携手奔小康", "村企结对", "医院结对", "学校结对", "社会组织结对", "其他结对"}

// Pairing links an east party with a west party for a span of years. The
// west party is an organisation (a county government, a hospital) or a
// region (a township or a village, by its 12-digit code). Partners are the
// east units that pair jointly with the lead (several enterprises with one
// village). A pairing reported only by number (与对口帮扶的4个乡镇, the
// parties unnamed) names the county and stands for PartyCount pairs.
type Pairing struct {
	ID             int64   `json:"id"`
	Kind           string  `json:"kind"`
	EastOrgID      int64   `json:"east_org_id"`
	EastName       string  `json:"east_name,omitempty"`
	Partners       []Party `json:"partners,omitempty"`
	WestOrgID      int64   `json:"west_org_id,omitempty"`
	WestRegionCode string  `json:"west_region_code,omitempty"`
	WestName       string  `json:"west_name,omitempty"`
	// Place is the region of the west party: the region itself, or the
	// organisation's region (empty when it has none). Read only.
	Place      string `json:"place,omitempty"`
	PartyCount int    `json:"party_count"`
	YearFrom   int    `json:"year_from"`
	YearTo     int    `json:"year_to"`
	Note       string `json:"note,omitempty"`
}

// Party is an organisation named in a record, with its name when read.
type Party struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// JointName names a lead unit with its partners as one party:
// “唐利商贸（上海）有限公司等4家” (the name alone without partners).
func JointName(lead string, partners int) string {
	if partners == 0 {
		return lead
	}
	return fmt.Sprintf("%s等%d家", lead, partners+1)
}

// MaxPartyCount bounds the pairs one pairing stands for.
const MaxPartyCount = 999

// EastIDs are the lead east unit and its partners.
func (p *Pairing) EastIDs() []int64 {
	ids := []int64{p.EastOrgID}
	for _, o := range p.Partners {
		ids = append(ids, o.ID)
	}
	return ids
}

// Validate checks the fields that need no database.
func (p *Pairing) Validate() error {
	pr := xiezuo.Problems{}
	p.Note = strings.TrimSpace(p.Note)
	if p.PartyCount == 0 {
		p.PartyCount = 1
	}
	if !slices.Contains(PairingKinds, p.Kind) {
		pr.Add("kind", "结对类型无效")
	}
	if p.EastOrgID <= 0 {
		pr.Add("east_org_id", "请选择东部结对单位")
	}
	seen := map[int64]bool{p.EastOrgID: true}
	for _, o := range p.Partners {
		if o.ID <= 0 || seen[o.ID] {
			pr.Add("partners", "共同结对单位不能重复，也不能与东部单位相同")
			break
		}
		seen[o.ID] = true
	}
	if len(p.Partners) > 20 {
		pr.Add("partners", "共同结对单位不能超过20个")
	}
	switch {
	case p.WestOrgID <= 0 && p.WestRegionCode == "":
		pr.Add("west_org_id", "请填写西部结对单位，或结对的乡镇、村")
	case p.WestOrgID > 0 && p.WestRegionCode != "":
		pr.Add("west_org_id", "西部结对方只能是一个单位或一个地区")
	case p.WestRegionCode != "" && !ValidCode(p.WestRegionCode):
		pr.Add("west_region_code", "西部结对地区应为12位区划代码")
	}
	if p.EastOrgID > 0 && p.EastOrgID == p.WestOrgID {
		pr.Add("west_org_id", "结对双方不能是同一单位")
	}
	if p.PartyCount < 1 || p.PartyCount > MaxPartyCount {
		pr.Add("party_count", fmt.Sprintf("结对数应在1至%d之间", MaxPartyCount))
	} else if p.PartyCount > 1 && (!ValidCode(p.WestRegionCode) || LevelOf(p.WestRegionCode) != LevelCounty) {
		pr.Add("party_count", "一条记录代表多对结对，只用于简报未列各方名称时，西部结对方填县；已知乡镇、村的，请逐对登记")
	} else if p.PartyCount > 1 && p.Note == "" {
		pr.Add("note", "一条记录代表多对结对时，请在备注中说明（如“简报未列乡镇名称”）")
	}
	if p.YearFrom < 1996 || p.YearFrom > 2100 {
		pr.Add("year_from", "起始年份应在1996至2100之间")
	}
	if p.YearTo != 0 && p.YearTo < p.YearFrom {
		pr.Add("year_to", "结束年份不能早于起始年份")
	}
	if utf8.RuneCountInString(p.Note) > 500 {
		pr.Add("note", "备注不能超过500个字")
	}
	return pr.Err()
}

// Person kinds.
var PersonKinds = []string{"援滇干部", "援青干部", "专业技术人才（医生）", "专业技术人才（教师）", "专业技术人才（其他）", "挂职干部"}

// Person is a cadre or professional posted west.
type Person struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	OrgID    int64  `json:"org_id"`
	OrgName  string `json:"org_name,omitempty"`
	DestCode string `json:"dest_code"`
	DestName string `json:"dest_name,omitempty"`
	Post     string `json:"post,omitempty"`
	TermFrom string `json:"term_from"`
	TermTo   string `json:"term_to,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Validate checks the fields that need no database.
func (p *Person) Validate() error {
	pr := xiezuo.Problems{}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 50 {
		pr.Add("name", "姓名不能为空且不超过50个字")
	}
	if !slices.Contains(PersonKinds, p.Kind) {
		pr.Add("kind", "人员类别无效")
	}
	if p.OrgID <= 0 {
		pr.Add("org_id", "请选择派出单位")
	}
	if !ValidCode(p.DestCode) {
		pr.Add("dest_code", "请选择派驻地区（12位区划代码）")
	}
	if p.TermFrom != "" && !xiezuo.ValidDate(p.TermFrom) {
		pr.Add("term_from", "任期开始日期"+xiezuo.DateProblem(p.TermFrom))
	}
	if p.TermTo != "" && (!xiezuo.ValidDate(p.TermTo) || p.TermTo < p.TermFrom) {
		pr.Add("term_to", "任期结束日期无效或早于开始日期")
	}
	return pr.Err()
}
