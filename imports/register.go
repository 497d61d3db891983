package imports

import (
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

// PersonalDataNote is what every register export says on its 说明 sheet
// (and its data sheet's title): the file holds personal data.
const PersonalDataNote = "本文件含个人信息（姓名、身份证号码、健康与建档立卡状况等），属敏感个人信息：仅限协作办工作使用，不得转发、公开或用于其他目的；用后请删除。本次导出已记入审计日志。"

// RegisterTable is a register of kind for export. ID numbers are as the
// store gave them (masked below the office admin); an entry erased on
// request shows only its register fields.
func RegisterTable(kind people.Kind, items []*people.Beneficiary) Table {
	t := Table{Title: kind.Label() + "名册（含个人信息）",
		Headers: []string{"编号", "姓名", "性别", "身份证号码", "出生日期", "县", "村", "受益批次", "状态"},
		Widths:  []float64{6, 14, 5, 22, spreadsheet.DateWidth, 10, 14, 20, 14},
		Notes:   [][]any{{"个人信息", PersonalDataNote}}}
	switch kind {
	case people.KindPatient:
		t.Headers, t.Widths = append(t.Headers, "医院"), append(t.Widths, 20)
	case people.KindStudent:
		t.Headers, t.Widths = append(t.Headers, "学校", "年级", "结对资助单位", "每学期资助（元）"), append(t.Widths, 20, 8, 20, 12)
	case people.KindTrainee:
		t.Headers, t.Widths = append(t.Headers, "培训项目", "就业单位", "就业地", "就业月数", "建档立卡"), append(t.Widths, 18, 18, 12, 8, 8)
	case people.KindHousehold:
		t.Headers, t.Widths = append(t.Headers, "所获帮扶"), append(t.Widths, 30)
	}
	t.Headers, t.Widths = append(t.Headers, "登记单位", "备注"), append(t.Widths, 20, 30)
	for _, b := range items {
		name := b.Name
		if b.Erased() {
			name = "（已应本人要求删除）"
		}
		var birth any = b.BirthDate // a masked one is the year alone
		if !people.IsMaskedBirth(b.BirthDate) && b.BirthDate != "" {
			birth = spreadsheet.Date(b.BirthDate)
		}
		row := []any{b.ID, name, b.GenderLabel(), b.IDNumber, birth, b.CountyName, b.VillageName, b.BatchName, b.StatusLabel()}
		switch kind {
		case people.KindPatient:
			row = append(row, b.Hospital)
		case people.KindStudent:
			row = append(row, b.School, b.Grade, b.DonorName, spreadsheet.Money(b.AmountPerTermFen))
		case people.KindTrainee:
			reg := "否"
			if b.Registered {
				reg = "是"
			}
			row = append(row, b.Course, b.Employer, b.Destination, b.MonthsEmployed, reg)
		case people.KindHousehold:
			row = append(row, b.Help)
		}
		t.Rows = append(t.Rows, append(row, b.UnitName, b.Note))
	}
	return t
}
