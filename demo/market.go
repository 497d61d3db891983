package demo

import (
	"fmt"
	"strconv"

	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// The market's demo (issue 12): suppliers of the paired counties named in
// the bulletin or beside its 考察 items (正华农产品加工厂, 绿鑫生态茶叶,
// 白马河村's 姬松茸, 勐拉镇's 百香果, 宝华镇's 梯田鸭, 马鞍底乡's 古树红茶),
// at each step of admission, and their products, certified by their
// counties. Their USCCs are made up (valid check characters). No order
// is placed: an accepted order is counted in this year's ledger, which
// would move the demo's reports off 2020.

type demoSupplier struct {
	name, county, uscc, link, contact string
	upTo                              market.SupplierStatus // how far its admission has gone
}

var demoSuppliers = []demoSupplier{
	{"绿春县正华农产品加工厂", "532531000000", "91532531MA6K32H01K", "收购大兴镇、牛孔镇农户的梯田红米和草果等香料，保底价收购，带动建档立卡户86户。", "李正华", market.SupplierAdmitted},
	{"绿春县绿鑫生态茶叶有限公司", "532531000000", "91532531MA6K3LX02W", "与4个重点茶园签订鲜叶收购协议，带动茶农210户，吸纳32人就业。", "王绿鑫", market.SupplierAdmitted},
	{"金平县白马河姬松茸种植专业合作社", "532530000000", "93532530MA6K4BM03L", "沪滇产业项目“白马河村姬松茸种植”的经营主体，45户入社分红。", "陶白马", market.SupplierAdmitted},
	{"金平县勐拉镇百香果种植专业合作社", "532530000000", "93532530MA6K4BX045", "勐拉镇百香果种植基地，土地流转加务工，带动130户。", "刀勐拉", market.SupplierAdmitted},
	{"红河县宝华梯田鸭养殖专业合作社", "532529000000", "93532529MA6K5TY05L", "宝华镇“梯田鸭”稻鸭共养，统一鸭苗、统一收购。", "李宝华", market.SupplierRecommended},
	{"金平县马鞍底古树红茶有限公司", "532530000000", "91532530MA6K4MA06X", "马鞍底乡古树茶基地，推广古树茶嫁接技术，与农户按股分红。", "白马鞍", market.SupplierApplied},
}

type demoProduct struct {
	supplier, name, category string
	origin                   string // a township of the supplier's county; "": the county
	spec, unit, price        string
	stock, minOrder          int64
	certNo                   string // "": not yet certified
}

var demoProducts = []demoProduct{
	{"绿春县正华农产品加工厂", "梯田红米", "grain_oil", "大兴镇", "5斤/袋", "袋", "49.90", 500, 1, "绿扶认〔2020〕018号"},
	{"绿春县正华农产品加工厂", "草果八角香料礼盒", "dried", "牛孔镇", "草果500克、八角250克", "盒", "68", 200, 1, "绿扶认〔2020〕019号"},
	{"绿春县绿鑫生态茶叶有限公司", "绿春古树茶", "tea", "", "250克/罐", "罐", "128", 300, 1, "绿扶认〔2020〕031号"},
	{"绿春县绿鑫生态茶叶有限公司", "绿春红茶", "tea", "", "500克/盒", "盒", "96", 120, 2, "绿扶认〔2020〕032号"},
	{"金平县白马河姬松茸种植专业合作社", "姬松茸干品", "dried", "", "250克/袋", "袋", "88", 200, 1, "金扶认〔2020〕007号"},
	{"金平县勐拉镇百香果种植专业合作社", "勐拉百香果", "fruit_veg", "勐拉镇", "5斤/箱", "箱", "59", 400, 1, "金扶认〔2020〕011号"},
	{"金平县勐拉镇百香果种植专业合作社", "百香果原浆", "fruit_veg", "勐拉镇", "500毫升×6瓶", "箱", "79", 80, 1, ""},
}

// market loads the suppliers and products as the office and the counties
// would: the office registers, the county recommends, the office admits
// and lists, the county certifies.
func (l *loader) market() error {
	ctx, db, admin := l.ctx, l.db, l.admin
	today := db.Today()
	counties := map[string]string{}
	for i, d := range demoSuppliers {
		s := &market.Supplier{Name: d.name, USCC: d.uscc, CountyCode: d.county, FarmerLink: d.link, Contact: d.contact, Phone: fmt.Sprintf("0873-42%05d", 21013+i*377)}
		if err := db.CreateSupplier(ctx, admin, s); err != nil {
			return fmt.Errorf("供应商 %s: %w", d.name, err)
		}
		l.orgs[d.name], counties[d.name] = s.ID, d.county
		for _, step := range []struct {
			a  market.SupplierAction
			to market.SupplierStatus
		}{{market.SupplierRecommend, market.SupplierRecommended}, {market.SupplierAdmit, market.SupplierAdmitted}} {
			if d.upTo == market.SupplierApplied || (d.upTo == market.SupplierRecommended && step.to == market.SupplierAdmitted) {
				break
			}
			who := admin // the county recommends, the office admits
			if step.a == market.SupplierRecommend {
				who = l.counties[d.county]
			}
			if err := db.SupplierTransition(ctx, who, s.ID, step.a, ""); err != nil {
				return fmt.Errorf("供应商 %s %s: %w", d.name, step.a.Label(), err)
			}
		}
	}
	year, _ := strconv.Atoi(today[:4])
	next := strconv.Itoa(year + 1) // certificates valid to the end of next year
	for _, d := range demoProducts {
		county := counties[d.supplier]
		origin := county
		if d.origin != "" {
			reg, err := db.ResolveRegion(ctx, d.origin, registry.LevelTownship, county)
			if err != nil {
				return fmt.Errorf("商品 %s 产地: %w", d.name, err)
			}
			origin = reg.Code
		}
		p := &market.Product{SupplierID: l.org(d.supplier), Name: d.name, Category: d.category, OriginCode: origin, Spec: d.spec,
			Unit: d.unit, PriceFen: fen(d.price), Stock: d.stock, MinOrder: d.minOrder}
		if err := db.SaveProduct(ctx, admin, p); err != nil {
			return fmt.Errorf("商品 %s: %w", d.name, err)
		}
		if d.certNo == "" {
			continue
		}
		in := market.ProductInput{Cert: market.Certification{No: d.certNo, CountyCode: county, ValidUntil: next + "-12-31"}, Today: today}
		if err := db.ProductTransition(ctx, l.counties[county], p.ID, market.ProductCertify, in); err != nil {
			return fmt.Errorf("商品 %s 认定: %w", d.name, err)
		}
	}
	// 程家桥街道's management account files this year's reserved share:
	// a canteen farm-produce budget of 50万元 at the office's 10%, so its
	// share page and 监管's table show real progress once an order of its
	// purchaser is accepted.
	guanli, err := db.UserByName(ctx, "cjq-guanli")
	if err != nil {
		return fmt.Errorf("预留份额: %w", err)
	}
	share := &market.ShareFiling{UnitID: guanli.OrgID, Year: year, BudgetFen: 50_000_000, RatioBP: market.DefaultRatioBP}
	if err := db.FileShare(ctx, guanli, share); err != nil {
		return fmt.Errorf("预留份额: %w", err)
	}
	return nil
}
