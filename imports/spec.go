// Package imports turns the spreadsheets reporting units fill into ledger
// records: the published column contract of each template, the template
// workbooks themselves, the row parser that resolves what people type
// (short county names, 万元 amounts, Chinese dates, organisation aliases)
// and reports every problem by row and column, and the exports of lists.
package imports

import (
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

// Column is one column of a template: its header (the contract), whether
// it is required, what people may write, an example, and its width.
type Column struct {
	Header   string
	Aliases  []string // other headers accepted on import
	Required bool     // the header must be present
	Help     string   // one line for the instructions sheet
	Example  string
	Width    float64
	List     string // name of the drop-down list, if any
	Field    string // the record field a validation error names
}

// Spec is a template: a record kind and its columns in order.
type Spec struct {
	Kind    ledger.Kind
	Title   string // sheet name
	Columns []Column
}

// Headers returns the column headers in order.
func (s Spec) Headers() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Header
	}
	return out
}

// ContributionSpec is the contract of the contributions template. Export
// writes these columns first, so an exported list imports again.
var ContributionSpec = Spec{
	Kind:  ledger.KindContribution,
	Title: "帮扶投入",
	Columns: []Column{
		{Header: "日期", Required: true, Field: "date_from", Width: spreadsheet.DateWidth, Example: "2020年9月2日",
			Help: "2020-09-02、2020/9/2、2020年9月2日均可；也可写区间“9月1日至4日”“8月31日至9月3日”"},
		{Header: "截止日期", Field: "date_to", Width: spreadsheet.DateWidth, Help: "多日的帮扶填写结束日期；一天内的留空"},
		{Header: "帮扶单位", Aliases: []string{"捐赠单位", "帮扶方"}, Required: true, Field: "givers", Width: 30, Example: "上海龙舜投资管理有限公司",
			Help: "单位全称或平台登记的简称（如“拼多多”）；多个单位用顿号“、”分隔"},
		{Header: "受援县", Required: true, Field: "county_code", Width: 12, List: "county", Example: "绿春县",
			Help: "结对县的名称或简称（如“金平县”），或12位区划代码"},
		{Header: "受援乡镇", Field: "township_code", Width: 12, List: "township", Example: "大兴镇", Help: "可选；须属于所填受援县"},
		{Header: "受援村", Field: "village_code", Width: 12, Help: "可选；村名须属于所填乡镇（或县内唯一）"},
		{Header: "受援机构", Field: "institution", Width: 16, Example: "坡头小学", Help: "可选：学校、医院等"},
		{Header: "形式", Required: true, Field: "form", Width: 10, List: "form", Example: "资金", Help: "资金、物资、消费帮扶、财政帮扶资金"},
		{Header: "领域", Field: "sector", Width: 10, List: "sector", Example: "教育", Help: "教育、医疗卫生、产业、民生、基础设施、就业、文化旅游、其他；留空为“其他”"},
		{Header: "金额(元)", Aliases: []string{"金额", "金额（元）", "价值(元)", "折价(元)"}, Field: "amount", Width: 14, Example: "3万",
			Help: "以元为单位；可写 30000、3万、3.75万元、1,000,000；物资填折价金额"},
		{Header: "数量", Field: "quantity", Width: 8, Help: "物资数量，整数"},
		{Header: "计量单位", Field: "quantity_unit", Width: 8, Help: "件、台、册、斤……"},
		{Header: "物资/内容", Aliases: []string{"物资", "内容", "物资名称"}, Field: "item", Width: 22, Example: "助学金", Help: "物资名称或资金用途"},
		{Header: "受益人数", Field: "beneficiaries", Width: 8, Help: "整数，可选"},
		{Header: "状态", Aliases: []string{"认捐/到位"}, Field: "delivery", Width: 8, List: "delivery", Example: "到位", Help: "认捐 或 到位；留空为“到位”"},
		{Header: "所属活动", Field: "activity_id", Width: 24, Help: "可选：平台中活动的标题或编号"},
		{Header: "备注", Field: "note", Width: 24},
		{Header: "填报单位", Field: "unit_id", Width: 18, Help: "仅协作办导入时可填，留空为导入人的单位"},
	},
}

// Specs lists the templates by kind name used in URLs and the CLI.
var Specs = map[string]Spec{"contributions": ContributionSpec, "organisations": OrgSpec, "activities": ActivitySpec,
	"projects": ProjectSpec, "labour": LabourSpec, "batches": BatchSpec, "agreements": AgreementSpec, "pairings": PairingSpec, "people": PersonSpec}

// SpecOrder lists the templates in the order the 导入 page shows them.
var SpecOrder = []string{"contributions", "activities", "agreements", "projects", "labour", "batches", "organisations", "pairings", "people"}
