package imports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// OrgSpec is the contract of the organisations template.
var OrgSpec = Spec{
	Kind:  "organisation",
	Title: "单位名录",
	Columns: []Column{
		{Header: "单位名称", Aliases: []string{"名称", "单位"}, Required: true, Field: "name", Width: 36, Example: "上海寻梦信息技术有限公司", Help: "全称，不超过100字"},
		{Header: "别名", Aliases: []string{"简称"}, Field: "aliases", Width: 20, Example: "拼多多", Help: "常用简称；多个用“、”分隔"},
		{Header: "类型", Required: true, Field: "kind", Width: 10, List: "orgkind", Example: "企业", Help: strings.Join(registry.OrgKinds, "、")},
		{Header: "东西部", Required: true, Field: "side", Width: 8, List: "side", Example: "东部", Help: "东部 或 西部"},
		{Header: "所在地区", Field: "region_code", Width: 20, Example: "长宁区", Help: "地区名称、简称或12位区划代码；同名地区须写代码"},
		{Header: "统一社会信用代码", Aliases: []string{"信用代码", "统一信用代码"}, Field: "uscc", Width: 22, Example: "", Help: "18位，按 GB 32100 校验"},
	},
}

var sideWords = map[string]string{"东部": registry.SideEast, "东": registry.SideEast, "east": registry.SideEast, "西部": registry.SideWest, "西": registry.SideWest, "west": registry.SideWest}

// Organisations registers the units of an organisations workbook or CSV.
// Rows whose name, alias or credit code is already registered are skipped.
// Callers: the office admin.
func Organisations(ctx context.Context, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, error) {
	t, err := openTable(name, r, size, opt, OrgSpec)
	if err != nil {
		return nil, err
	}
	defer t.rd.Close()
	seen := map[string]int{}
	next := func() (store.BatchRow, error) {
		row, line, err := t.next()
		if err != nil {
			return store.BatchRow{}, err
		}
		or := store.BatchRow{Line: line, Cells: row, Key: rowKey(OrgSpec, t.h, row, 0)}
		var errs []string
		bad := func(col, msg string) { errs = append(errs, "【"+col+"】"+msg) }
		o := &registry.Organisation{Name: t.h.Cell(row, "单位名称"), Kind: t.h.Cell(row, "类型"), Aliases: splitList(t.h.Cell(row, "别名")),
			USCC: t.h.Cell(row, "统一社会信用代码")}
		if s := t.h.Cell(row, "东西部"); sideWords[s] == "" {
			bad("东西部", "“"+s+"”无效，应为 东部 或 西部")
		} else {
			o.Side = sideWords[s]
		}
		if s := t.h.Cell(row, "所在地区"); s != "" {
			reg, err := db.ResolveRegion(ctx, s, 0, "")
			if err != nil {
				bad("所在地区", xiezuo.ErrorMessage(err))
			}
			o.RegionCode = reg.Code
		}
		if err := o.Validate(); err != nil {
			fields := xiezuo.ErrorFields(err)
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				bad(columnOf(OrgSpec, k), fields[k])
			}
		}
		for _, n := range append([]string{o.Name}, o.Aliases...) {
			if prev, ok := seen[n]; ok && n != "" {
				bad("单位名称", fmt.Sprintf("“%s”与第%d行重复", n, prev))
			}
			seen[n] = line
		}
		if len(errs) > 0 {
			or.Err = strings.Join(errs, "；")
		} else {
			or.Save = func(ctx context.Context, u *xiezuo.User) (int64, error) { return db.ImportOrg(ctx, u, o) }
		}
		return or, nil
	}
	if !ledger.CanImport(u, "organisation", 0) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办管理员可以导入基础信息")
	}
	b := t.batch(name, opt, "organisation")
	if err := db.Import(ctx, u, b, next, opt.Progress); err != nil {
		return nil, err
	}
	return refusal(b)
}

// columnOf names the column of spec that a validation error's field is in.
func columnOf(spec Spec, field string) string {
	for _, c := range spec.Columns {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}
