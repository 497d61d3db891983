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
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// ProductSpec is the contract of the catalogue sheet (issue 12, item 1):
// one row a product. The same supplier, name and spec again updates that
// product instead of adding one. The export writes these columns first
// (then status and certification, which the import ignores), so an
// exported catalogue imports again.
var ProductSpec = Spec{
	Kind:  ledger.Kind(store.ProductImportKind),
	Title: "商品目录",
	Columns: []Column{
		{Header: "供应商", Aliases: []string{"供应商名称", "统一社会信用代码"}, Required: true, Field: "supplier_id", Width: 28, Example: "绿春县正华农产品加工厂",
			Help: "已登记供应商的全称、简称或18位统一社会信用代码；供应商账号导入时可留空（即本单位）"},
		{Header: "商品名称", Aliases: []string{"商品", "产品名称"}, Required: true, Field: "name", Width: 20, Example: "梯田红米", Help: "不超过60字；同一供应商的同名同规格商品再次导入时更新，不重复添加"},
		{Header: "品类", Aliases: []string{"商品品类", "类别"}, Required: true, Field: "category", Width: 14, List: "category", Example: "粮油",
			Help: categoryHelp()},
		{Header: "产地", Aliases: []string{"产地县", "产地（县乡村）"}, Required: true, Field: "origin_code", Width: 22, Example: "大兴镇",
			Help: "供应商所在县内的县、乡镇或村的名称（如 大兴镇、绿春县大兴镇阿迪村委会）或12位区划代码"},
		{Header: "规格", Field: "spec", Width: 12, Example: "5斤/袋", Help: "可选，不超过50字"},
		{Header: "单位", Aliases: []string{"计量单位", "销售单位"}, Required: true, Field: "unit", Width: 8, Example: "袋", Help: "不超过10字，如 " + strings.Join(market.Units, "、")},
		{Header: "单价（元）", Aliases: []string{"单价", "价格", "单价(元)"}, Required: true, Field: "price_fen", Width: 12, Example: "59.00", Help: "每个单位的价格，元，最多两位小数，须大于0"},
		{Header: "库存", Required: true, Field: "stock", Width: 8, Example: "500", Help: "整数，不能为负数"},
		{Header: "起订量", Field: "min_order", Width: 8, Example: "1", Help: "整数，至少为1；留空为1"},
	},
}

// productExtra are the columns an export adds after ProductSpec's.
var productExtra = []string{"状态", "认定编号", "认定有效期至", "编号"}

func categoryHelp() string {
	labels := make([]string, len(market.Categories))
	for i, c := range market.Categories {
		labels[i] = c.Label
	}
	return strings.Join(labels, "、")
}

// categoryWords are what a 品类 cell may say: a category's label or code;
// 手工艺品 and 非遗文创 each name the craft category.
var categoryWords = func() map[string]string {
	m := map[string]string{"手工艺品": "craft", "非遗文创": "craft"}
	for _, c := range market.Categories {
		m[c.Label], m[c.Code] = c.Code, c.Code
	}
	return m
}()

// formulaLike reports a text cell that a spreadsheet would run as a
// formula (= + - @ first): refused in the catalogue's text columns, as
// nobody's product name starts so and it would be one when exported.
func formulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@", rune(s[0]))
}

// shown is a cell as a message quotes it: at most 20 characters.
func shown(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// maxProductRows bounds one catalogue file.
const maxProductRows = 20000

// Products imports a catalogue workbook (ProductSpec): each row creates
// or updates a product of its supplier (store.ImportProduct), every
// problem named by row and column in Chinese; mode "all" (the default)
// writes nothing when any row has an error; opt.DryRun only checks. The
// batch can be undone (store.UndoImport). Callers: the office, a
// supplier's users (their own products), a county user (its county's
// suppliers): market.CanImportCatalogue, and market.CanImportProducts per
// row. Errors: EFORBIDDEN, EINVALID (the file; ErrRefused with the batch
// when rows have errors), EINTERNAL.
func Products(ctx context.Context, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, error) {
	if !market.CanImportCatalogue(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商、受援县和协作办可以导入商品目录")
	}
	t, err := openTable(name, r, size, opt, ProductSpec)
	if err != nil {
		return nil, err
	}
	defer t.rd.Close()
	suppliers := map[string]*market.Supplier{} // a cell → its supplier, nil if none
	supplierErr := map[string]string{}
	seen := map[string]int{} // supplier|name|spec → its first line
	var rows []store.BatchRow
	for {
		row, line, err := t.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if len(rows) == maxProductRows {
			return nil, fileError(fmt.Sprintf("一次最多导入 %d 件商品，请拆分文件", maxProductRows))
		}
		br := store.BatchRow{Line: line, Cells: row}
		var errs []string
		said := map[string]bool{}
		bad := func(col, msg string) {
			if !said[col] {
				said[col] = true
				errs = append(errs, "【"+col+"】"+msg)
			}
		}
		cell := func(h string) string { return t.h.Cell(row, h) }
		for _, c := range []string{"供应商", "商品名称", "品类", "产地", "规格", "单位"} {
			if formulaLike(cell(c)) {
				bad(c, "“"+shown(cell(c))+"”以 = + - @ 开头，像是公式，不能导入；请填写文字")
			}
		}
		// The supplier: named, or the importing supplier itself.
		var sup *market.Supplier
		ref := cell("供应商")
		switch {
		case said["供应商"]:
		case ref == "" && u.Role == market.RoleSupplier:
			ref = "#self"
			fallthrough
		default:
			if ref == "" {
				bad("供应商", "不能为空")
				break
			}
			if s, ok := suppliers[ref]; ok {
				sup = s
			} else {
				var s *market.Supplier
				var err error
				if ref == "#self" {
					s, err = db.Supplier(ctx, u, u.OrgID)
				} else {
					s, err = db.SupplierByRef(ctx, u, ref)
				}
				if err != nil {
					if xiezuo.ErrorCode(err) == xiezuo.EINTERNAL {
						return nil, err
					}
					supplierErr[ref] = "“" + shown(ref) + "”不是已登记的供应商，请写全称、简称或统一社会信用代码"
				} else if !market.CanImportProducts(u, s) {
					supplierErr[ref] = "不能导入“" + s.Name + "”的商品：供应商只能导入本单位的商品，县里只能导入本县供应商的商品"
				} else {
					sup = s
				}
				suppliers[ref] = sup
			}
			if sup == nil {
				bad("供应商", supplierErr[ref])
			}
		}
		p := &market.Product{Name: cell("商品名称"), Spec: cell("规格"), Unit: cell("单位"), MinOrder: 1}
		if sup != nil {
			p.SupplierID = sup.ID
		}
		if s := spreadsheet.Normalize(cell("品类")); s != "" && !said["品类"] {
			if p.Category = categoryWords[s]; p.Category == "" {
				bad("品类", "“"+shown(s)+"”无效，应为 "+categoryHelp())
			}
		}
		if s := cell("产地"); s != "" && sup != nil && !said["产地"] {
			reg, err := db.ResolveRegion(ctx, s, 0, sup.CountyCode)
			if err != nil { // the county itself (绿春县) is not within itself
				if c, cerr := db.ResolveRegion(ctx, s, registry.LevelCounty, ""); cerr == nil && c.Code == sup.CountyCode {
					reg, err = c, nil
				}
			}
			if err != nil {
				if xiezuo.ErrorCode(err) == xiezuo.EINTERNAL {
					return nil, err
				}
				msg := "在供应商所在县（" + sup.CountyName + "）找不到“" + shown(s) + "”，请写县内的乡镇或村名，或12位区划代码"
				if xiezuo.ErrorCode(err) == xiezuo.EINVALID { // several places have the name
					msg = xiezuo.ErrorMessage(err)
				}
				bad("产地", msg)
			} else {
				p.OriginCode = reg.Code
			}
		}
		if s := spreadsheet.Normalize(cell("单价（元）")); s != "" {
			if strings.HasPrefix(s, "=") {
				bad("单价（元）", "是公式，请填写数值")
			} else if n, ok := xiezuo.ParseYuan(s); ok {
				p.PriceFen = n
			} else if strings.HasPrefix(s, "-") {
				bad("单价（元）", "不能为负数")
			} else {
				bad("单价（元）", "“"+shown(s)+"”不是金额：请以元为单位填写，最多两位小数，如 59 或 59.90")
			}
		}
		for _, n := range []struct {
			col  string
			into *int64
		}{{"库存", &p.Stock}, {"起订量", &p.MinOrder}} {
			s := strings.ReplaceAll(spreadsheet.Normalize(cell(n.col)), ",", "")
			if s == "" {
				continue
			}
			s = strings.TrimSuffix(s, ".0") // a whole number an .xlsx stored as 500.0
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				bad(n.col, "“"+shown(s)+"”不是整数")
				continue
			}
			*n.into = v
		}
		county := ""
		if sup != nil {
			county = sup.CountyCode
		}
		if err := p.Validate(county); err != nil { // a column reported above is not reported twice
			fields := xiezuo.ErrorFields(err)
			for _, c := range ProductSpec.Columns {
				if m, ok := fields[c.Field]; ok && !(c.Field == "supplier_id" && sup == nil && said["供应商"]) {
					if c.Field == "origin_code" && (p.OriginCode == "" && (said["产地"] || sup == nil)) {
						continue
					}
					bad(c.Header, m)
				}
			}
		}
		if sup != nil && len(errs) == 0 {
			key := strconv.FormatInt(sup.ID, 10) + "|" + p.Name + "|" + p.Spec
			if prev, ok := seen[key]; ok {
				bad("商品名称", fmt.Sprintf("与第%d行是同一商品（供应商、商品名称、规格都相同）", prev))
			} else {
				seen[key] = line
			}
		}
		if len(errs) > 0 {
			br.Err = strings.Join(errs, "；")
		} else {
			br.Save = func(ctx context.Context, u *xiezuo.User) (int64, error) {
				id, err := db.ImportProduct(ctx, u, p)
				if err != nil && err != store.ErrSkipRow {
					return 0, columnsOf(ProductSpec, err)
				}
				return id, err
			}
		}
		rows = append(rows, br)
	}
	b := t.batch(name, opt, ProductSpec.Kind)
	if err := db.Import(ctx, u, b, sliceRows(rows), opt.Progress); err != nil {
		return nil, err
	}
	return refusal(b)
}

// columnsOf rewrites a store error's field problems as 【column】problem,
// in spec's column order.
func columnsOf(spec Spec, err error) error {
	fields := xiezuo.ErrorFields(err)
	if len(fields) == 0 || xiezuo.ErrorCode(err) == xiezuo.EINTERNAL {
		return err
	}
	var msgs []string
	for _, c := range spec.Columns {
		if m, ok := fields[c.Field]; ok {
			msgs = append(msgs, "【"+c.Header+"】"+m)
		}
	}
	if len(msgs) == 0 {
		return err
	}
	return xiezuo.Errorf(xiezuo.ErrorCode(err), "%s", strings.Join(msgs, "；"))
}

// ProductTable is a catalogue as a table: ProductSpec's columns, then
// status, certificate and id.
func ProductTable(items []market.Product) Table {
	t := Table{Title: ProductSpec.Title, Headers: append(ProductSpec.Headers(), productExtra...)}
	for _, c := range ProductSpec.Columns {
		t.Widths = append(t.Widths, c.Width)
	}
	t.Widths = append(t.Widths, 10, 22, 14, 8)
	for _, p := range items {
		var valid any
		if p.Cert.ValidUntil != "" {
			valid = spreadsheet.Date(p.Cert.ValidUntil)
		}
		t.Rows = append(t.Rows, []any{p.SupplierName, p.Name, market.CategoryLabel(p.Category), p.OriginName, p.Spec, p.Unit,
			spreadsheet.Money(p.PriceFen), p.Stock, p.MinOrder, p.Status.Label(), p.Cert.No, valid, p.ID})
	}
	return t
}

// maxExportProducts bounds one catalogue export.
const maxExportProducts = 100000

// ExportProducts writes the catalogue u manages, as f selects it, as
// .xlsx: ProductTable's columns with the 说明 sheet, by supplier and
// name; it imports again as a catalogue template. A supplier exports its
// own products, a county user its county's, the office and 监管 every
// product (store.Products, every status). Callers: the office, 监管,
// suppliers and county users. Errors: EFORBIDDEN, EINVALID (filter),
// EINTERNAL.
func ExportProducts(ctx context.Context, db *store.DB, u *xiezuo.User, f store.ProductFilter, meta ExportMeta, w io.Writer) error {
	switch {
	case market.CanSupervise(u):
	case u.Role == market.RoleSupplier && u.OrgID != 0:
		f.SupplierID = u.OrgID
	case u.Role == xiezuo.RoleCounty && u.CountyCode != "":
		f.CountyCode = u.CountyCode
	default:
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商、受援县、协作办和监管单位可以导出商品目录")
	}
	f.Limit, f.Offset = 500, 0 // every page
	var all []market.Product
	for len(all) < maxExportProducts {
		page, total, err := db.Products(ctx, u, f)
		if err != nil {
			return err
		}
		all = append(all, page...)
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	if f.Query == "" { // by supplier, then name; a search keeps its ranking
		slices.SortStableFunc(all, func(a, b market.Product) int { return strings.Compare(a.SupplierName, b.SupplierName) })
	}
	return WriteTable(w, ProductTable(all), meta)
}
