package demo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// openEmpty opens a new SQLite database in a temp dir, closed with the test.
func openEmpty(t *testing.T) *store.DB {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLoadSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	loaded, err := demo.Load(ctx, db)
	if err != nil || !loaded {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	again, err := demo.Load(ctx, db)
	if err != nil || again {
		t.Fatalf("second Load = %v, %v; want false, nil", again, err)
	}
	tots, err := db.CountyTotals(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tots {
		t.Logf("%s %s count=%d amount=%d", c.CountyCode, c.CountyName, c.Count, c.AmountFen)
	}
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(ctx, admin); err != nil || n == 0 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}

// Issue 10, fault 8 (part): demo facts as the bulletin states them.
func TestDemoFactsAsInBulletin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if loaded, err := demo.Load(ctx, db); err != nil || !loaded {
		t.Fatal(err)
	}
	// The 216 free-clinic visits were on 9月8日 (the visit ran 9月5日–8日).
	var date string
	if err := db.SQL().QueryRow(`SELECT date FROM batches WHERE kind = '义诊' AND count = 216`).Scan(&date); err != nil || date != "2020-09-08" {
		t.Errorf("义诊216人次 dated %q, %v", date, err)
	}
	// The ~20万 purchase list is the enterprises', pledged, and the
	// bulletin names no township for it.
	var giver string
	var township *string
	err := db.SQL().QueryRow(`SELECT o.name, c.township_code FROM contributions c JOIN contribution_givers g ON g.contribution_id = c.id
		JOIN organisations o ON o.id = g.org_id WHERE c.item LIKE '%采购清单%'`).Scan(&giver, &township)
	if err != nil || giver == "长宁区生态环境局" || township != nil {
		t.Errorf("采购清单: giver %q, township %v, %v", giver, township, err)
	}
	// 天山路's 50万 agreement is for its four township pairings (the
	// bulletin names none); 江苏路's four enterprises pair with 扎垤村 and
	// 合莫村 as villages, and 天山路's three enterprises with 8 villages.
	sums, err := db.DashboardSums(ctx, report.ForYear(2020, ""))
	if err != nil {
		t.Fatal(err)
	}
	if sums.Counts.Pairs != [2]int64{23, 10} {
		t.Errorf("街镇与乡镇结对, 企业与村结对 = %v, want [23 10]", sums.Counts.Pairs)
	}
	ps, err := db.Pairings(ctx, store.PairingFilter{Kind: "村企结对"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, fmt.Sprintf("%s+%d—%s×%d", p.EastName, len(p.Partners), p.WestName, p.PartyCount))
	}
	want := []string{"上海假面信息科技有限公司+2—红河县×8", "唐利商贸（上海）有限公司+3—红河县架车乡合莫村委会×1", "唐利商贸（上海）有限公司+3—红河县架车乡扎垤村委会×1"}
	if !slices.Equal(names, want) {
		t.Errorf("村企结对 = %q, want %q", names, want)
	}
	var label string
	if err := db.SQL().QueryRow(`SELECT p.west_region_code FROM agreements a JOIN agreement_pairings ap ON ap.agreement_id = a.id
		JOIN pairings p ON p.id = ap.pairing_id WHERE a.pledged_fen = 50000000 AND a.title LIKE '天山路%'`).Scan(&label); err != nil || label != "532529000000" {
		t.Errorf("天山路 50万 agreement's pairing: %q, %v", label, err)
	}
}

// Issue 12, items 3(c) and 6: the seed's 梯田红米认购, 晨讯's 定向采购 and the
// 爱心企业's 采购清单 are market records, each counted once in 2020.
func TestDemoSubscriptionsAndPledge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if loaded, err := demo.Load(ctx, db); err != nil || !loaded {
		t.Fatal(err)
	}
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	lots, err := db.Lots(ctx, admin, store.LotFilter{Year: 2020})
	if err != nil || len(lots) != 1 {
		t.Fatalf("2020 lots: %d, %v", len(lots), err)
	}
	lot := lots[0]
	const lotFen = 170 * 398200 // 3,982 元/亩: 676,940 元, "约67.7万元"
	if lot.OrganiserName != "虹桥临空经济示范区长宁片区管理办公室" || lot.SupplierName != "绿春县正华农产品加工厂" || lot.Quantity != 170 ||
		lot.Subscribed != 170 || len(lot.Shares) != 37 || lot.Status != "fulfilled" || lot.HarvestOn != "2020-10-20" || lot.TotalFen != lotFen {
		t.Errorf("梯田红米认购: %+v", lot.Lot)
	}
	var orders int
	var ordersFen int64
	if err := db.SQL().QueryRow(`SELECT COUNT(*), SUM(total_fen) FROM orders WHERE channel = 'subscription' AND ordered_on = '2020-10-20' AND status = 'accepted'`).Scan(&orders, &ordersFen); err != nil ||
		orders != 37 || ordersFen != lotFen {
		t.Errorf("the lot's orders: %d for %d fen, %v", orders, ordersFen, err)
	}
	// 晨讯: 1万斤 at 4.99 元 in September 2020.
	var chenxun int64
	if err := db.SQL().QueryRow(`SELECT c.amount_fen FROM contributions c JOIN orders o ON o.id = c.order_id
		WHERE o.channel = 'targeted' AND c.date_from = '2020-09-04' AND c.quantity = 10000`).Scan(&chenxun); err != nil || chenxun != 4_990_000 {
		t.Errorf("晨讯定向采购 in the ledger: %d, %v", chenxun, err)
	}
	// 绿春县's consumption in 2020 is the lot and 晨讯's order, nothing else.
	lc, err := db.DashboardSums(ctx, report.ForYear(2020, "532531000000"))
	if err != nil {
		t.Fatal(err)
	}
	if got := lc.Area("consumption"); got != lotFen+4_990_000 {
		t.Errorf("绿春县 2020 消费帮扶 = %d fen, want %d", got, lotFen+4_990_000)
	}
	// The pledge: 20万元 in 金平, nothing 到位, so all of it 认捐.
	ps, err := db.Pledges(ctx, admin, store.PledgeFilter{Year: 2020})
	if err != nil || len(ps) != 1 || ps[0].AmountFen != 20_000_000 || ps[0].Progress.DeliveredFen != 0 || ps[0].LedgerID == 0 {
		t.Fatalf("2020 pledges: %+v, %v", ps, err)
	}
	all, err := db.DashboardSums(ctx, report.ForYear(2020, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := all.Delivery["pledged"].Fen; got != 15_000_000+20_000_000 { // 仙霞's film project and the pledge
		t.Errorf("2020 认捐 = %d fen, want 35,000,000", got)
	}
	jp, err := db.DashboardSums(ctx, report.ForYear(2020, "532530000000"))
	if err != nil {
		t.Fatal(err)
	}
	if got := jp.Area("consumption"); got != 20_000_000 {
		t.Errorf("金平县 2020 消费帮扶 = %d fen, want the pledge's 20,000,000", got)
	}
}

// Issue 13: the seed's needs, resources and 2021 plan items are records;
// the published school-sports need is matched by 程家桥街道's resource.
func TestDemoPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if loaded, err := demo.Load(ctx, db); err != nil || !loaded {
		t.Fatal(err)
	}
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	needs, err := db.Needs(ctx, admin, store.NeedFilter{})
	if err != nil || len(needs) != 4 {
		t.Fatalf("%d needs, %v", len(needs), err)
	}
	queue, err := db.ModerationQueue(ctx, admin)
	if err != nil || len(queue) != 1 || queue[0].Category != "medical" {
		t.Fatalf("queue %+v, %v", queue, err)
	}
	items, err := db.PlanItems(ctx, admin, "", 2021)
	if err != nil || len(items) != 4 {
		t.Fatalf("%d plan items for 2021, %v", len(items), err)
	}
	props, err := db.Proposals(ctx, admin, store.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range props {
		found = found || p.Need.Item == "学校体育用品和体育服装" && p.Resource.Item == "学校体育器材和运动服" && p.Score == 100
	}
	if !found {
		t.Errorf("no proposal for 大兴镇's sports goods among %d", len(props))
	}
}
