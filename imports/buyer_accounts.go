package imports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// BuyerAccountKind is the import batch kind of buyer accounts.
const BuyerAccountKind = "buyer_account"

// BuyerAccountSpec is the contract of the buyer units and accounts sheet
// (the 832 platform's account list): one row an account; a unit's rows
// repeat its name, and the first row of a unit gives its type, code and
// 主管预算单位 (later rows may leave them empty or must agree).
var BuyerAccountSpec = Spec{
	Kind:  BuyerAccountKind,
	Title: "采购单位账号",
	Columns: []Column{
		{Header: "预算单位名称", Aliases: []string{"预算单位", "单位名称", "采购单位"}, Required: true, Field: store.FieldUnit, Width: 30, Example: "上海市长宁区程家桥街道办事处",
			Help: "全称，不超过100字；未登记的单位导入时登记为东部单位"},
		{Header: "统一社会信用代码", Aliases: []string{"信用代码", "统一信用代码"}, Field: store.FieldUSCC, Width: 22, Help: "可选；18位，按 GB 32100 校验"},
		{Header: "单位类型", Aliases: []string{"类型"}, Field: "kind", Width: 10, List: "buyerkind", Example: "街道",
			Help: strings.Join(market.BuyerUnitKinds, "、") + "；留空为“其他”"},
		{Header: "主管预算单位", Aliases: []string{"主管单位"}, Field: store.FieldParent, Width: 28, Example: "",
			Help: "可选；须已登记，或在本表中作为预算单位出现；一级预算单位留空"},
		{Header: "账号类型", Required: true, Field: "role", Width: 10, List: "accountkind", Example: "采购人",
			Help: "管理账号（采购单位管理账号，每单位一个）或 采购人（交易账号）"},
		{Header: "姓名", Aliases: []string{"联系人", "使用人"}, Required: true, Field: "display_name", Width: 10, Example: "王晓明"},
		{Header: "用户名", Aliases: []string{"登录名", "账号"}, Required: true, Field: store.FieldUsername, Width: 16, Example: "cjq-wxm",
			Help: "登录用的名字，全平台唯一（不区分大小写），不含空格"},
		{Header: "手机号", Aliases: []string{"手机", "联系电话", "电话"}, Field: "phone", Width: 14, Example: "13812345678", Help: "可选；11位手机号或带区号的固定电话"},
	},
}

// IssuedCode is an account's activation code, shown once to whoever
// opened the account.
type IssuedCode struct {
	Line        int
	Unit        string
	Role        xiezuo.Role
	DisplayName string
	Username    string
	Code        string
	Expires     string // YYYY-MM-DD (China)
}

// Field is c in one form field (the result page's download form holds
// the codes, which are kept nowhere else); ParseIssuedCode reads it.
func (c IssuedCode) Field() string {
	return strings.Join([]string{c.Unit, string(c.Role), c.DisplayName, c.Username, c.Code, c.Expires}, "\t")
}

// ParseIssuedCode reads an IssuedCode.Field.
func ParseIssuedCode(s string) (IssuedCode, bool) {
	f := strings.Split(s, "\t")
	if len(f) != 6 || !market.IsBuyerRole(xiezuo.Role(f[1])) || f[4] == "" {
		return IssuedCode{}, false
	}
	return IssuedCode{Unit: f[0], Role: xiezuo.Role(f[1]), DisplayName: f[2], Username: f[3], Code: f[4], Expires: f[5]}, true
}

// buyerUnitRow is what a file says of one unit, from its first row.
type buyerUnitRow struct {
	line               int
	kind, uscc, parent string
	admin              int // line of its management account, 0 if none yet
}

// BuyerAccounts opens the accounts of a buyer units and accounts workbook
// (BuyerAccountSpec): all or nothing (any row with an error writes
// nothing), each problem named by row and column; opt.DryRun only
// checks. Missing units (and 主管预算单位 named in the file) are
// registered on the east side. It returns the batch and, when the batch
// was imported, each new account's activation code, shown once: only
// their hashes are kept. Callers: market.CanOpenAccounts. Errors:
// EFORBIDDEN, EINVALID (the file; ErrRefused with the batch when rows
// have errors), EINTERNAL.
func BuyerAccounts(ctx context.Context, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, []IssuedCode, error) {
	if !market.CanOpenAccounts(u) {
		return nil, nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或区财政局可以导入采购单位账号")
	}
	t, err := openTable(name, r, size, opt, BuyerAccountSpec)
	if err != nil {
		return nil, nil, err
	}
	defer t.rd.Close()
	type parsed struct {
		line  int
		cells []string
		errs  []string
		a     store.NewBuyerAccount
	}
	const maxRows = 20000
	var rows []*parsed
	units := map[string]*buyerUnitRow{}
	logins := map[string]int{}
	for {
		row, line, err := t.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, err
		}
		if len(rows) == maxRows {
			return nil, nil, fileError("一次最多导入 20,000 个账号，请拆分文件")
		}
		p := &parsed{line: line, cells: row}
		bad := func(col, msg string) { p.errs = append(p.errs, "【"+col+"】"+msg) }
		cell := func(col string) string { return t.h.Cell(row, col) }
		unit := registry.Organisation{Name: cell("预算单位名称"), Kind: cell("单位类型"), USCC: strings.ToUpper(cell("统一社会信用代码")), Side: registry.SideEast}
		if unit.Kind != "" && !slices.Contains(market.BuyerUnitKinds, unit.Kind) {
			bad("单位类型", "“"+unit.Kind+"”无效，应为 "+strings.Join(market.BuyerUnitKinds, "、"))
		}
		check := unit
		if check.Kind == "" {
			check.Kind = "其他"
		}
		if err := check.Validate(); err != nil {
			fields := xiezuo.ErrorFields(err)
			for _, k := range []string{"name", "uscc"} {
				if m := fields[k]; m != "" {
					bad(map[string]string{"name": "预算单位名称", "uscc": "统一社会信用代码"}[k], m)
				}
			}
		}
		parent := cell("主管预算单位")
		if parent != "" && parent == unit.Name {
			bad("主管预算单位", "不能是本单位；一级预算单位请留空")
			parent = ""
		}
		role, ok := market.AccountKinds[cell("账号类型")]
		if !ok {
			bad("账号类型", "“"+cell("账号类型")+"”无效，应为 管理账号 或 采购人")
		}
		display, username := cell("姓名"), cell("用户名")
		if n := len([]rune(display)); n > 50 {
			bad("姓名", "不超过50个字")
		}
		if strings.ContainsAny(username, " \t/") || len([]rune(username)) > 50 {
			bad("用户名", "“"+username+"”不能含空格或“/”，且不超过50个字")
		} else if prev, dup := logins[strings.ToLower(username)]; dup && username != "" {
			bad("用户名", fmt.Sprintf("“%s”与第%d行重复（不区分大小写）", username, prev))
		} else {
			logins[strings.ToLower(username)] = line
		}
		phone := cell("手机号")
		if msg := market.PhoneProblem(phone); msg != "" {
			bad("手机号", msg)
		}
		// A unit's rows agree with its first row.
		if unit.Name != "" {
			first, seen := units[unit.Name]
			if !seen {
				first = &buyerUnitRow{line: line, kind: unit.Kind, uscc: unit.USCC, parent: parent}
				units[unit.Name] = first
			} else {
				for _, c := range []struct{ col, was, now string }{{"单位类型", first.kind, unit.Kind}, {"统一社会信用代码", first.uscc, unit.USCC}, {"主管预算单位", first.parent, parent}} {
					switch {
					case c.now == "":
					case c.was == "":
						bad(c.col, fmt.Sprintf("同一单位的%s请填在它的第一行（第%d行）", c.col, first.line))
					case c.was != c.now:
						bad(c.col, fmt.Sprintf("“%s”与第%d行的“%s”不一致", c.now, first.line, c.was))
					}
				}
				unit.Kind, unit.USCC, parent = first.kind, first.uscc, first.parent
			}
			if role == market.RoleBuyerAdmin {
				if first.admin != 0 {
					bad("账号类型", fmt.Sprintf("每个单位只有一个管理账号，本单位的在第%d行", first.admin))
				} else {
					first.admin = line
				}
			}
		}
		p.a = store.NewBuyerAccount{Unit: unit, Role: role, DisplayName: display, Username: username, Phone: phone}
		if parent != "" {
			p.a.Parent = &registry.Organisation{Name: parent}
		}
		rows = append(rows, p)
	}
	// The 主管 named in the file: its kind from its own rows; no circles.
	for _, p := range rows {
		if p.a.Parent == nil {
			continue
		}
		if pu, ok := units[p.a.Parent.Name]; ok {
			p.a.Parent.Kind, p.a.ParentInFile = pu.kind, true
			seen := map[string]bool{p.a.Unit.Name: true}
			for at := pu; at != nil && at.parent != ""; at = units[at.parent] {
				if seen[at.parent] {
					p.errs = append(p.errs, "【主管预算单位】“"+p.a.Parent.Name+"”与本单位互为上下级（循环）")
					break
				}
				seen[at.parent] = true
			}
		}
	}
	expires := db.Now().Add(store.ActivationCodeLife).In(xiezuo.China).Format("2006-01-02")
	var issued []IssuedCode
	batchRows := make([]store.BatchRow, 0, len(rows))
	for _, p := range rows {
		br := store.BatchRow{Line: p.line, Cells: p.cells, Err: strings.Join(p.errs, "；")}
		if br.Err == "" {
			a := p.a
			br.Save = func(ctx context.Context, u *xiezuo.User) (int64, error) {
				id, code, err := db.ImportBuyerAccount(ctx, u, &a)
				if err != nil {
					return 0, byColumn(err)
				}
				issued = append(issued, IssuedCode{Line: p.line, Unit: a.Unit.Name, Role: a.Role, DisplayName: a.DisplayName, Username: a.Username, Code: code, Expires: expires})
				return id, nil
			}
		}
		batchRows = append(batchRows, br)
	}
	opt.Mode = "all" // accounts are opened all together or not at all
	b := t.batch(name, opt, BuyerAccountKind)
	if err := db.Import(ctx, u, b, sliceRows(batchRows), opt.Progress); err != nil {
		return nil, nil, err
	}
	if b.Status != store.ImportImported {
		issued = nil // a dry run or a refused batch opened nothing
	}
	b, err = refusal(b)
	return b, issued, err
}

// byColumn rewrites a store error's field problems as 【column】problem, in
// the spec's column order.
func byColumn(err error) error {
	fields := xiezuo.ErrorFields(err)
	if len(fields) == 0 || xiezuo.ErrorCode(err) == xiezuo.EINTERNAL {
		return err
	}
	var msgs []string
	for _, c := range BuyerAccountSpec.Columns {
		if m, ok := fields[c.Field]; ok {
			msgs = append(msgs, "【"+c.Header+"】"+m)
		}
	}
	if len(msgs) == 0 {
		return err
	}
	return xiezuo.Errorf(xiezuo.ErrorCode(err), "%s", strings.Join(msgs, "；"))
}

// ActivationCodeWorkbook writes activation codes as a workbook to hand to
// the units: one row an account, with where to activate.
func ActivationCodeWorkbook(w io.Writer, codes []IssuedCode, activateURL string, at time.Time) error {
	book, err := spreadsheet.NewBook()
	if err != nil {
		return err
	}
	sh, err := book.AddSheet("激活码", []float64{30, 14, 10, 16, 22, 14})
	if err != nil {
		return err
	}
	if err := sh.Title(fmt.Sprintf("采购单位账号激活码（%s 生成；请在有效期内到 %s 用用户名和激活码设置密码，每个激活码只能用一次）",
		at.In(xiezuo.China).Format("2006-01-02 15:04"), activateURL)); err != nil {
		return err
	}
	sh.Header([]string{"预算单位名称", "账号类型", "姓名", "用户名", "激活码", "有效期至"}, nil)
	sh.Freeze(2)
	for _, c := range codes {
		kind := "采购人"
		if c.Role == market.RoleBuyerAdmin {
			kind = "管理账号"
		}
		if err := sh.Row(c.Unit, kind, c.DisplayName, c.Username, c.Code, spreadsheet.Date(c.Expires)); err != nil {
			return err
		}
	}
	if err := sh.Close(); err != nil {
		return err
	}
	_, err = book.WriteTo(w)
	return err
}
