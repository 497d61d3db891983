package demo

import (
	"fmt"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/plan"
)

// The seed's needs, resources and 2021 plan (issue 13, item 4), as the
// counties, units and office would enter them. The bulletin names the
// needs only through the visits; the quantities, amounts, dates and
// contacts below are MADE UP for the demo (marked 演示 in their notes):
//   - 金平县 者米乡: the 生态环境局 visit (9月14日至18日) saw the 4 schools'
//     new 图书室 and 电脑 courses: more books for them (published);
//   - 绿春县: after the third batch of 27 children with heart disease the
//     bulletin plans “超过 80 名”: the next batch's operations (waiting
//     for review, in the office's queue);
//   - 红河县 宝华镇: 天山路街道 visited the 梯田鸭养殖项目 (9月15日至18日):
//     its extension (published; 产业发展, so a match becomes a project);
//   - 绿春县 大兴镇: 程家桥街道's visit (龙舜 gave 3万元 for sports goods):
//     school sports equipment (published), which 程家桥街道's resource fits.
//
// Resources: 程家桥街道 offers school sports equipment and computers
// (临空园区's enterprises gave 6 schools 电脑教室, 坡头小学 33 台 电脑);
// 新华路街道 offers 劳务培训 places for 红河县. The 2021 plan items are
// those the seed names: 绿春县's 县委 asks to plan 2021's projects early
// (未雨绸缪计划 2021 年项目), 金平县's 姬松茸 project at 白马河村 and
// 红河县's 梯田鸭 continue, and 程家桥街道—大兴镇 plans school aid.
func (l *loader) planDemo() error {
	ctx, db := l.ctx, l.db
	const lvchun, jinping, honghe = "532531000000", "532530000000", "532529000000"
	const zhemi, baohua, daxing = "532530205000", "532529103000", "532531101000"
	needs := []plan.Need{
		{CountyCode: jinping, TownshipCode: zhemi, Institution: "者米乡河边寨村、顶青村、下新寨村、巴哈村4所学校", Category: "education",
			Item: "村小学图书室图书补充", Quantity: 2000, Unit: "册", AmountFen: fen("6万"), AskedOn: "2020-09-18", NeededBy: "2021-03-31",
			Contact: "者米乡中心学校", Note: "演示：数量、金额为虚构；简报载生态环境局考察组了解去年捐赠的图书和电脑均已到位"},
		{CountyCode: lvchun, Category: "medical", Item: "先天性心脏病患儿赴沪手术治疗（第四批）", Quantity: 30, Unit: "人", AmountFen: fen("90万"),
			AskedOn: "2020-10-20", NeededBy: "2021-06-30", Contact: "绿春县卫生健康局",
			Note: "演示：人数、金额为虚构；简报载第三批27名患儿赴沪，计划超过80名"},
		{CountyCode: honghe, TownshipCode: baohua, Category: "industry", Item: "梯田鸭养殖项目扩大规模", AmountFen: fen("50万"),
			AskedOn: "2020-09-18", NeededBy: "2021-10-31", Contact: "宝华镇人民政府", Note: "演示：金额为虚构；天山路街道考察宝华镇梯田鸭养殖项目"},
		{CountyCode: lvchun, TownshipCode: daxing, Institution: "大兴镇中心小学", Category: "education", Item: "学校体育用品和体育服装",
			Quantity: 200, Unit: "套", AmountFen: fen("3万"), AskedOn: "2020-09-04", NeededBy: "2021-05-31", Contact: "大兴镇中心小学",
			Note: "演示：数量为虚构；2020年上海龙舜投资管理有限公司捐赠3万元用于学校购买体育用品、体育服装"},
	}
	published := []bool{true, false, true, true}
	for i := range needs {
		n := &needs[i]
		if err := db.SaveNeed(ctx, l.counties[n.CountyCode], n); err != nil {
			return fmt.Errorf("需求 %s: %w", n.Item, err)
		}
		if published[i] {
			// The office published it in 2020, three days after it was
			// asked (the clock is the database's; nothing else runs yet).
			now, asked := db.Now, n.AskedOn
			db.Now = func() time.Time {
				d, _ := time.ParseInLocation(xiezuo.DateLayout, asked, xiezuo.China)
				return d.AddDate(0, 0, 3).Add(10 * time.Hour)
			}
			err := db.NeedAction(ctx, l.admin, n.ID, plan.NeedApprove, "")
			db.Now = now
			if err != nil {
				return err
			}
		}
	}
	resources := []plan.Resource{
		{OrgID: l.org("程家桥街道"), Category: "education", Form: "in_kind", Item: "学校体育器材和运动服", Quantity: 300, Unit: "套", AmountFen: fen("4.5万"),
			Counties: []string{lvchun}, AvailableFrom: "2020-10-01", AvailableUntil: "2021-12-31", Contact: "程家桥街道社区自治办",
			Note: "演示：数量、金额为虚构；街道爱心企业认捐"},
		{OrgID: l.org("程家桥街道"), Category: "education", Form: "in_kind", Item: "台式电脑（含显示器）", Quantity: 30, Unit: "台", AmountFen: fen("15万"),
			AvailableFrom: "2020-10-01", AvailableUntil: "2021-12-31", Contact: "程家桥街道社区自治办", Note: "演示：数量、金额为虚构；任一结对县的村小学"},
		{OrgID: l.org("新华路街道"), Category: "employment", Form: "cash", Item: "赴沪就业职业技能培训补贴", Quantity: 50, Unit: "人", AmountFen: fen("10万"),
			Counties: []string{honghe}, AvailableFrom: "2020-10-01", AvailableUntil: "2021-12-31", Contact: "新华路街道", Note: "演示：人数、金额为虚构"},
	}
	for i := range resources {
		if err := db.SaveResource(ctx, l.admin, &resources[i]); err != nil {
			return fmt.Errorf("资源 %s: %w", resources[i].Item, err)
		}
	}
	items := []plan.Item{
		{Year: 2021, CountyCode: lvchun, Kind: plan.OutcomeProject, Title: "2021年东西部扶贫协作项目（县委要求未雨绸缪提前谋划）", Category: "industry",
			UnitID: l.org("长宁区对口支援与合作交流工作领导小组办公室"), TargetFen: fen("1500万"), TargetCount: 10, Note: "演示：金额和个数为虚构；简报载绿春县委书记要求计划2021年项目"},
		{Year: 2021, CountyCode: lvchun, TownshipCode: daxing, Kind: plan.OutcomePledge, Title: "大兴镇学校体育用品和校服", Category: "education",
			UnitID: l.org("程家桥街道"), TargetFen: fen("3万"), TargetCount: 1, Note: "演示：程家桥街道—大兴镇携手奔小康"},
		{Year: 2021, CountyCode: jinping, Kind: plan.OutcomeProject, Title: "白马河村姬松茸种植项目（续建）", Category: "industry",
			UnitID: l.org("周家桥街道"), TargetFen: fen("80万"), TargetCount: 1, Note: "演示：金额为虚构；2020年沪滇帮扶产业发展项目（白马河村）的续建"},
		{Year: 2021, CountyCode: honghe, TownshipCode: baohua, Kind: plan.OutcomeProject, Title: "宝华镇梯田鸭养殖项目", Category: "industry",
			UnitID: l.org("天山路街道"), TargetFen: fen("50万"), TargetCount: 1, Note: "演示：金额为虚构"},
	}
	for i := range items {
		if err := db.SavePlanItem(ctx, l.admin, &items[i]); err != nil {
			return fmt.Errorf("计划 %s: %w", items[i].Title, err)
		}
	}
	return nil
}
