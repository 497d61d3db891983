package imports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// Purchase832Spec is the contract of an 扶贫832平台 order export as the
// office receives it per unit and month (issue 12): one row per order
// and product. Columns may come in any order and under the platform's
// own names (the aliases).
var Purchase832Spec = Spec{
	Kind:  "purchase",
	Title: "832平台订单",
	Columns: []Column{
		{Header: "订单编号", Aliases: []string{"订单号", "订单编码"}, Required: true, Field: "order_no", Width: 24, Example: "83220200915000123", Help: "832 平台的订单号；同一订单再次导入时按订单号和商品更新状态，不重复计入"},
		{Header: "下单日期", Aliases: []string{"下单时间", "订单日期", "日期"}, Required: true, Field: "date", Width: 14, Example: "2020-09-15", Help: "如 2020-09-15 或 2020年9月15日"},
		{Header: "采购单位", Aliases: []string{"预算单位", "采购人单位", "买家单位"}, Required: true, Field: "buyer_unit", Width: 24, Example: "程家桥街道", Help: "须已在单位名录中（全称或简称）"},
		{Header: "供应商", Aliases: []string{"供应商名称", "卖家", "店铺"}, Required: true, Field: "supplier", Width: 28, Example: "绿春县正华农产品加工厂", Help: "不在单位名录中的供应商自动登记为西部“供应商”单位"},
		{Header: "商品名称", Aliases: []string{"商品", "产品名称"}, Required: true, Field: "product", Width: 20, Example: "梯田红米"},
		{Header: "产地县", Aliases: []string{"产地", "所属县", "贫困县"}, Required: true, Field: "county_code", Width: 20, Example: "绿春县", Help: "县名（可带省、州）或12位区划代码"},
		{Header: "数量", Aliases: []string{"购买数量"}, Required: true, Field: "quantity", Width: 8, Example: "20"},
		{Header: "金额(元)", Aliases: []string{"金额", "订单金额", "实付金额", "金额（元）"}, Required: true, Field: "amount_fen", Width: 12, Example: "998.00", Help: "元，最多两位小数"},
		{Header: "订单状态", Aliases: []string{"状态"}, Required: true, Field: "status", Width: 10, Example: "已完成", Help: "待付款、待发货、已发货、已收货、已完成、交易成功、已取消、已关闭、已退款、已退货"},
	},
}

// Purchases832 records the rows of an 832 order export as purchases of
// channel 832平台 (store.RecordPurchase): counted rows (已验收, 已完成…)
// become consumption contributions of the buyer unit to the county of
// origin; a row imported again with a new status updates its purchase.
// Callers: the office, 监管, or a unit's management account for its own
// unit (market.CanRecordPurchase, asked per row).
func Purchases832(ctx context.Context, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, error) {
	if !ledger.CanImport(u, Purchase832Spec.Kind, 0) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办、监管单位和采购单位的管理账号可以导入832平台订单")
	}
	t, err := openTable(name, r, size, opt, Purchase832Spec)
	if err != nil {
		return nil, err
	}
	defer t.rd.Close()
	today := db.Today()
	// Rows from other counties are imported, with a notice: they do not
	// count for the units' reserved shares (store.CountedCounties).
	counted, _, err := db.CountedCounties(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{} // a row's key → its line, within the file
	orgs := map[string]int64{}
	next := func() (store.BatchRow, error) {
		row, line, err := t.next()
		if err != nil {
			return store.BatchRow{}, err
		}
		br := store.BatchRow{Line: line, Cells: row, Key: rowKey(Purchase832Spec, t.h, row, 0)}
		var errs []string
		said := map[string]bool{} // the columns reported
		bad := func(col, msg string) {
			if !said[col] {
				said[col] = true
				errs = append(errs, "【"+col+"】"+msg)
			}
		}
		cell := func(h string) string { return t.h.Cell(row, h) }
		r := market.Row832{OrderNo: cell("订单编号"), BuyerUnit: cell("采购单位"), Supplier: cell("供应商"), Product: cell("商品名称"), Status: cell("订单状态")}
		if s := cell("下单日期"); s != "" {
			if d, ok := xiezuo.ParseDate(s, 0); ok {
				r.Date = d
			} else {
				bad("下单日期", xiezuo.DateProblem(s))
			}
		}
		outside := ""
		if s := cell("产地县"); s != "" {
			if reg, err := db.ResolveRegion(ctx, s, registry.LevelCounty, ""); err != nil {
				bad("产地县", xiezuo.ErrorMessage(err))
			} else {
				r.CountyCode = reg.Code
				if len(counted) > 0 && !counted[registry.CountyOf(reg.Code)] {
					outside = reg.Name
				}
			}
		}
		if s := strings.ReplaceAll(cell("数量"), ",", ""); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				r.Quantity = n
			} else {
				bad("数量", "“"+s+"”不是整数")
			}
		}
		if s := cell("金额(元)"); s != "" {
			if n, ok := xiezuo.ParseYuan(s); ok {
				r.AmountFen = n
			} else {
				bad("金额(元)", "“"+s+"”格式不正确：请填写元，最多两位小数")
			}
		}
		if err := r.Validate(today); err != nil { // a column reported above is not reported twice
			fields := xiezuo.ErrorFields(err)
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				bad(columnOf(Purchase832Spec, k), fields[k])
			}
		}
		if prev, ok := seen[r.Key()]; ok && len(errs) == 0 {
			bad("订单编号", fmt.Sprintf("订单“%s”的“%s”与第%d行重复", r.OrderNo, r.Product, prev))
		}
		seen[r.Key()] = line
		var buyer int64
		if len(errs) == 0 {
			if buyer, err = orgID(ctx, db, orgs, r.BuyerUnit); err != nil {
				bad("采购单位", "“"+r.BuyerUnit+"”不在单位名录中，请先登记或写全称")
			}
		}
		if len(errs) > 0 {
			br.Err = strings.Join(errs, "；")
			return br, nil
		}
		if outside != "" {
			br.Note = "【产地县】“" + outside + "”不是结对县，也不在832县名单中：订单已导入，但不计入预留份额完成情况，并在监管页“产地不在结对县或832县”中列出"
		}
		status, _ := market.Status832(r.Status)
		br.Save = func(ctx context.Context, u *xiezuo.User) (int64, error) {
			supplier, err := db.EnsureSupplierOrg(ctx, u, r.Supplier, r.CountyCode)
			if err != nil {
				return 0, err
			}
			o := &market.Order{Channel: "p832", OrderedOn: r.Date, BuyerUnitID: buyer, SupplierID: supplier, Status: status, Lines: []market.OrderLine{r.Line()}}
			o.TotalFen = r.AmountFen
			res, err := db.RecordPurchase(ctx, u, o, r.OrderNo, r.Key())
			if err == nil && res == store.PurchaseUnchanged {
				return o.ID, store.ErrSkipRow
			}
			return o.ID, err
		}
		return br, nil
	}
	b := t.batch(name, opt, Purchase832Spec.Kind)
	if err := db.Import(ctx, u, b, next, opt.Progress); err != nil {
		return nil, err
	}
	return refusal(b)
}

// orgID resolves an organisation's name (or alias), remembering answers.
func orgID(ctx context.Context, db *store.DB, cache map[string]int64, name string) (int64, error) {
	if id, ok := cache[name]; ok {
		return id, nil
	}
	o, err := db.OrgByName(ctx, name)
	if err != nil {
		return 0, err
	}
	cache[name] = o.ID
	return o.ID, nil
}
