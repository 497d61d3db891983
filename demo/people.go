package demo

import (
	"fmt"

	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/store"
)

// DemoMark begins every demo register name: the registers hold invented
// placeholders, never the bulletin's real people.
const DemoMark = "演示-"

// demoID makes a check-digit-valid ID number that is obviously not a
// person's: county 532531 (绿春县), birth date 2012-01-01 for everyone, and
// the sequence 9NN.
func demoID(n int) string {
	first := fmt.Sprintf("53253120120101%03d", 900+n)
	return first + string(people.CheckChar(first))
}

// people registers the seed's people as 演示 placeholders: part of the
// third batch of children with heart disease (12 of 27 named), the 18
// trainees of the 空乘定制班, a few of the 734 students, two households
// of 龙洞村 visited by the 临空园区, and the posted teams the bulletin
// names (援滇医疗队, 援滇绿春小组; their headcounts are not in it).
func (l *loader) people(titles map[string]int64) error {
	ctx, db := l.ctx, l.db
	batchOf := func(title string) (int64, error) {
		bs, err := db.ListBatches(ctx, l.admin, store.RecordFilter{ActivityID: titles[title]})
		if err != nil || len(bs) == 0 {
			return 0, fmt.Errorf("活动 %s 没有受益批次: %v", title, err)
		}
		return bs[0].ID, nil
	}
	save := func(b *people.Beneficiary) error {
		if err := db.SaveBeneficiary(ctx, l.admin, b); err != nil {
			return fmt.Errorf("名册 %s: %w", b.Name, err)
		}
		return nil
	}
	heart, err := batchOf("绿春县第三批27名先心病儿童赴上海免费治疗")
	if err != nil {
		return err
	}
	lvchun := l.org("绿春县东西部扶贫协作办公室")
	for i, name := range []string{"李某一", "白某二", "杨某三", "卢某四", "陈某五", "龙某六", "马某七", "普某八", "朱某九", "罗某十", "高某十一", "张某十二"} {
		gender := "m"
		if i%2 == 1 {
			gender = "f"
		}
		if err := save(&people.Beneficiary{Kind: people.KindPatient, UnitID: lvchun, Name: DemoMark + name, Gender: gender,
			IDNumber: demoID(i + 1), CountyCode: "532531000000", BatchID: heart, Stage: "referred",
			Note: "演示数据，非真实患者；身份证号为演示号码（出生日期与顺序码均为虚构）"}); err != nil {
			return err
		}
	}
	linkong := "长宁区临空园区云南公益行暨主题党日活动"
	students, err := batchOf(linkong)
	if err != nil {
		return err
	}
	park := l.org("虹桥临空经济示范区长宁片区管理办公室")
	for i, name := range []string{"王某甲", "李某乙", "白某丙"} {
		if err := save(&people.Beneficiary{Kind: people.KindStudent, UnitID: park, Name: DemoMark + name, CountyCode: "532531000000",
			BatchID: students, School: "绿春县某小学（演示）", Grade: fmt.Sprintf("%d年级", 3+i), DonorOrgID: park, AmountPerTermFen: 500_00,
			Note: "演示数据，非真实学生；学校与每学期金额为演示"}); err != nil {
			return err
		}
	}
	for i, name := range []string{"李某户", "杨某户"} {
		if err := save(&people.Beneficiary{Kind: people.KindHousehold, UnitID: park, Name: DemoMark + name, CountyCode: "532531000000",
			VillageCode: "532531102212", ActivityID: titles[linkong], HouseholdStatus: "lifted",
			Help: "志愿者走访，赠送电子产品和慰问品（演示）", Note: fmt.Sprintf("演示数据，非真实农户（第%d户）", i+1)}); err != nil {
			return err
		}
	}
	tianshan := l.org("天山路街道")
	act := titles["天山路街道联合举办长宁区第十一届公益伙伴日暨中华慈善日盛典"]
	for i := 1; i <= 18; i++ {
		if err := save(&people.Beneficiary{Kind: people.KindTrainee, UnitID: tianshan, Name: fmt.Sprintf("%s空乘学员%02d", DemoMark, i),
			ActivityID: act, Course: "云南红河空乘定制班", Note: "演示数据，非真实学员；简报载18名学员获爱心帮扶金，未载姓名与受援县"}); err != nil {
			return err
		}
	}
	for _, t := range []people.Team{
		{Name: "复旦大学附属儿科医院援滇医疗队", Kind: "医疗队", OrgID: l.org("复旦大学附属儿科医院"), DestCode: "532531000000", TermFrom: "2020-01-01",
			Note: "简报载其参加2020年10月22日第三批先心病患儿护送仪式；人数与派驻日期未载（派驻日期按年初记）"},
		{Name: "长宁援滇绿春小组", Kind: "工作组", OrgID: l.org("长宁区对口支援与合作交流工作领导小组办公室"), DestCode: "532531000000", TermFrom: "2020-01-01",
			Note: "统筹上海各支援绿春医疗团队；简报未载成员与派驻日期（按年初记）"},
	} {
		if err := db.SaveTeam(ctx, l.admin, &t); err != nil {
			return fmt.Errorf("援派团队 %s: %w", t.Name, err)
		}
	}
	return nil
}
