package demo

import (
	"fmt"
	"strconv"

	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// Buyer units' own work in small (issue 12, item 2): two subordinate
// units of the demo's accounts sheet file this year's reserved share;
// 长宁区教育局 (their 主管预算单位) approves 第一中心小学's, 卫健委 returns
// 中心医院's with a reason; 实验幼儿园 and the others have not filed. And
// the office's 832 list: a few 832 counties of 红河州 and 果洛州 that are
// not paired with 长宁区, added to the demo's small region registry.

// demo832 are real 832 counties (国家扶贫开发工作重点县) beside the paired
// ones, with their prefectures.
var demo832 = []registry.Region{
	{Code: "532523000000", Name: "屏边苗族自治县", ParentCode: "532500000000"},
	{Code: "532528000000", Name: "元阳县", ParentCode: "532500000000"},
	{Code: "632624000000", Name: "达日县", ParentCode: "632600000000"},
	{Code: "632626000000", Name: "玛多县", ParentCode: "632600000000"},
}

func (l *loader) buyerWork() error {
	ctx, db := l.ctx, l.db
	for i := range demo832 {
		demo832[i].Level, demo832[i].ShortName = registry.LevelCounty, registry.ShortName(demo832[i].Name)
	}
	if _, err := db.UpsertRegions(ctx, l.admin, demo832); err != nil {
		return fmt.Errorf("832县: %w", err)
	}
	for _, r := range demo832 {
		if _, err := db.Add832County(ctx, l.admin, r.Code); err != nil {
			return fmt.Errorf("832县 %s: %w", r.Name, err)
		}
	}
	year, _ := strconv.Atoi(db.Today()[:4])
	for _, f := range []struct {
		unit, parent string
		budgetFen    int64
		status       market.CheckStatus
		reason       string
	}{
		{"yzx-guanli", "jyj-guanli", 60_000_000, market.CheckApproved, ""},
		{"zxyy-guanli", "wjw-guanli", 30_000_000, market.CheckReturned, "食堂农副产品预算与上年决算（约120万元）差距较大，请核对后重新填报"},
	} {
		u, err := db.UserByName(ctx, f.unit)
		if err != nil {
			return err
		}
		share := &market.ShareFiling{UnitID: u.OrgID, Year: year, BudgetFen: f.budgetFen, RatioBP: market.DefaultRatioBP}
		if err := db.FileShare(ctx, u, share); err != nil {
			return fmt.Errorf("预留份额 %s: %w", f.unit, err)
		}
		parent, err := db.UserByName(ctx, f.parent)
		if err != nil {
			return err
		}
		if err := db.CheckShare(ctx, parent, &market.ShareCheck{UnitID: u.OrgID, Year: year, Status: f.status, Reason: f.reason}); err != nil {
			return fmt.Errorf("审核 %s: %w", f.unit, err)
		}
	}
	return nil
}
