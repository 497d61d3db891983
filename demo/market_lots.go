package demo

import (
	"fmt"

	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// The seed's subscriptions, targeted purchase and pledge as market records
// (issue 12, items 3(c) and 6), in place of the three ledger lines the
// demo once typed for them:
//   - 临空园区's 2020 梯田红米认购 (bulletin, 临空园区云南公益行): 170 亩 of
//     正华农产品加工厂's 梯田红米 from 大兴镇 at 3,982 元/亩 (676,940 元, the
//     bulletin's "约67.7万元"), taken by 37 enterprises and people, fulfilled
//     at harvest on 2020年10月20日: 37 orders of channel 认领/认购 counted in
//     2020 (never in the current year, which would move the demo's
//     reports);
//   - 晨讯科技集团's 定向采购 of 1万斤 红米 (科委科协's 绿春 trip, 9月1日至4日):
//     the bulletin gives no amount; at a plausible 4.99 元/斤 it is one
//     order of 49,900 元 dated 2020年9月4日;
//   - the 爱心企业's 约20万元 purchase list in 金平 (生态环境局's trip, 9月14日
//     至18日): a pledge (认捐) of 200,000 元 with nothing 到位 yet, so the
//     ledger holds it as 认捐 for the whole amount.
//
// The bulletin names six of the 37 subscribers (携程, 健士星, 联合利华, 博世,
// 史泰博, 统一). The other enterprises and all the people below are MADE UP
// for the demo, as are the shares' sizes; together they come to 170 亩.

// demoSubscriber is one share of the lot: an organisation (org true,
// registered by the demo if it is not yet in the registry) or a person.
type demoSubscriber struct {
	name  string
	org   bool
	units int64
}

var demoRiceShares = []demoSubscriber{
	// Named in the bulletin.
	{"携程集团", true, 20}, {"联合利华", true, 15}, {"博世", true, 15}, {"史泰博", true, 10}, {"统一企业", true, 10},
	{"健士星生物技术研发（上海）有限公司", true, 8},
	// Made up for the demo: 园区 enterprises.
	{"上海虹临信息技术有限公司", true, 5}, {"上海临空航服物流有限公司", true, 5}, {"上海空港汇智科技有限公司", true, 5},
	{"上海临虹建筑设计有限公司", true, 5}, {"上海金钟数据服务有限公司", true, 5}, {"上海协和路商务咨询有限公司", true, 5},
	{"上海临空园餐饮管理有限公司", true, 5}, {"上海天山智联软件有限公司", true, 5}, {"上海北翟路实业有限公司", true, 5},
	{"上海程桥电子商务有限公司", true, 5}, {"上海虹桥临空人力资源有限公司", true, 5}, {"上海福泉路科技有限公司", true, 5},
	{"上海空港绿洲物业管理有限公司", true, 5}, {"上海临空云端网络科技有限公司", true, 5},
	// Made up for the demo: 园区 employees subscribing in their own name.
	{"王建国", false, 2}, {"李秀梅", false, 2}, {"张卫东", false, 2}, {"刘晓燕", false, 2}, {"陈志强", false, 2},
	{"杨丽华", false, 1}, {"赵海涛", false, 1}, {"黄雅琴", false, 1}, {"周明辉", false, 1}, {"吴静怡", false, 1},
	{"徐国平", false, 1}, {"孙慧敏", false, 1}, {"马俊杰", false, 1}, {"朱晓东", false, 1}, {"胡玉兰", false, 1},
	{"郭永刚", false, 1}, {"何丽娟", false, 1},
}

// Demo facts of the lot, the targeted purchase and the pledge.
const (
	demoRicePriceFen   = 398200 // 3,982 元 per 亩
	demoRiceHarvestOn  = "2020-10-20"
	demoChenxunQty     = 10000 // 斤
	demoChenxunPrice   = 499   // fen per 斤: 4.99 元
	demoChenxunOn      = "2020-09-04"
	demoLovePledgeFen  = 20_000_000
	demoLovePledgeOn   = "2020-09-18"
	demoLovePledgeNote = "古树茶、农产品、手工艺品等采购清单：随生态环境局考察组赴金平县的爱心企业基本确定，约20万元；简报未载企业名称和采购乡镇"
)

// lots loads the lot with its shares and fulfils it, records 晨讯's
// targeted purchase and the 爱心企业's pledge, as the office would.
func (l *loader) lots() error {
	ctx, db, admin := l.ctx, l.db, l.admin
	const lvchun, jinping = "532531000000", "532530000000"
	daxing, err := db.ResolveRegion(ctx, "大兴镇", registry.LevelTownship, lvchun)
	if err != nil {
		return fmt.Errorf("认购产地: %w", err)
	}
	zhenghua := l.org("绿春县正华农产品加工厂")
	lot := &market.Lot{Name: "梯田红米", SupplierID: zhenghua, OriginCode: daxing.Code, OrganiserID: l.org("虹桥临空经济示范区长宁片区管理办公室"),
		Year: 2020, Unit: "亩", Quantity: 170, PriceFen: demoRicePriceFen, YieldPerUnit: 350, YieldUnit: "斤"}
	if err := db.SaveLot(ctx, admin, lot); err != nil {
		return fmt.Errorf("梯田红米认购: %w", err)
	}
	for _, s := range demoRiceShares {
		share := &market.Share{Name: s.name, Units: s.units}
		if s.org {
			if _, err := db.OrgByName(ctx, s.name); err != nil { // 健士星, 统一 and the made-up ones
				o := registry.Organisation{Name: s.name, Kind: "企业", Side: registry.SideEast, RegionCode: "310105000000"}
				if s.name == "统一企业" {
					o.Aliases = []string{"统一"}
				}
				if err := db.SaveOrg(ctx, admin, &o); err != nil {
					return fmt.Errorf("认购单位 %s: %w", s.name, err)
				}
				l.orgs[s.name] = o.ID
			}
			share.OrgID = l.org(s.name)
		}
		if err := db.SaveShare(ctx, admin, lot.ID, share); err != nil {
			return fmt.Errorf("认购 %s: %w", s.name, err)
		}
	}
	if _, err := db.FulfilLot(ctx, admin, lot.ID, demoRiceHarvestOn); err != nil {
		return fmt.Errorf("梯田红米交付: %w", err)
	}

	chenxun := &market.Order{Channel: "targeted", OrderedOn: demoChenxunOn, BuyerUnitID: l.org("晨讯科技集团"), SupplierID: zhenghua,
		Status: market.OrderAccepted, TotalFen: demoChenxunQty * demoChenxunPrice,
		Lines: []market.OrderLine{{ProductName: "梯田红米", Category: "grain_oil", OriginCode: daxing.Code, Unit: "斤", Qty: demoChenxunQty,
			PriceFen: demoChenxunPrice, AmountFen: demoChenxunQty * demoChenxunPrice}}}
	if _, err := db.RecordPurchase(ctx, admin, chenxun, "晨讯-2020-定向-001", "targeted|晨讯-2020-定向-001"); err != nil {
		return fmt.Errorf("晨讯科技定向采购: %w", err)
	}

	pledge := &market.Pledge{GiverID: l.org("生态环境局考察组随行爱心企业"), CountyCode: jinping, AmountFen: demoLovePledgeFen,
		PledgedOn: demoLovePledgeOn, Note: demoLovePledgeNote}
	if err := db.SavePledge(ctx, admin, pledge); err != nil {
		return fmt.Errorf("爱心企业认捐: %w", err)
	}
	return nil
}
