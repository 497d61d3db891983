package imports_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/store"
)

// The buyer accounts import (issue 12, item 2): one bad row refuses the
// whole file, naming row and column; a dry run opens nothing; a good file
// opens every account with its code, registers missing units under their
// 主管, and its codes come out as a workbook.
func TestBuyerAccountImport(t *testing.T) {
	t.Parallel()
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenDemo(t, eng)
			sup := user(t, db, "caizheng")
			head := "预算单位名称,统一社会信用代码,单位类型,主管预算单位,账号类型,姓名,用户名,手机号\n"
			good := "长宁区教育测试局,,委办局,,管理账号,赵一,jy-admin,13800000001\n" +
				"长宁区测试小学,,学校,长宁区教育测试局,管理账号,钱二,xx-admin,13800000002\n" +
				"长宁区测试小学,,,,采购人,孙三,xx-buy1,\n" +
				"长宁区测试小学,,,,采购人,李四,xx-buy2,021-62345678\n"
			bad := "长宁区测试中学,,学校,长宁区教育测试局,采购人,周五,jy-admin,\n" + // user name used above
				"长宁区测试中学,,医院,,管理员,吴六,zx-admin,12345\n" + // kind differs; bad phone (管理员 is a 管理账号)
				"长宁区测试中学,,,,管理账号,郑七,zx-admin2,\n" + // a second management account
				"长宁区测试幼儿园,,外星,,队长,王八,yy x,\n"
			csv := func(s string) []byte { return []byte("采购单位账号\n" + head + s) }
			run := func(u *xiezuo.User, data []byte, dry bool) (*store.ImportBatch, []imports.IssuedCode, error) {
				return imports.BuyerAccounts(ctx, db, u, "账号.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "valid", DryRun: dry})
			}
			if _, _, err := run(user(t, db, "chengjiaqiao"), csv(good), false); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
				t.Fatalf("a unit user imported accounts: %v", err)
			}
			b, codes, err := run(sup, csv(good+bad), false)
			if !errors.Is(err, imports.ErrRefused) || b.Imported != 0 || b.Errors != 4 || codes != nil {
				t.Fatalf("bad file: %+v %v %d codes", b, err, len(codes))
			}
			probs, _ := db.ImportProblems(ctx, sup, b.ID)
			all := fmt.Sprint(probs)
			for _, want := range []string{"【用户名】“jy-admin”与第3行重复", "【单位类型】“医院”与第7行的“学校”不一致", "【账号类型】“队长”无效",
				"【手机号】“12345”不是手机号", "每个单位只有一个管理账号，本单位的在第8行", "【单位类型】“外星”无效", "【用户名】“yy x”不能含空格"} {
				if !strings.Contains(all, want) {
					t.Errorf("problems lack %q: %s", want, all)
				}
			}
			if _, err := db.OrgByName(ctx, "长宁区教育测试局"); err == nil {
				t.Fatal("a refused file registered a unit")
			}
			// A dry run checks and opens nothing.
			b, codes, err = run(sup, csv(good), true)
			if err != nil || b.Status != store.ImportDryRun || b.Imported != 4 || codes != nil {
				t.Fatalf("dry run: %+v %v %d", b, err, len(codes))
			}
			if _, err := db.UserByName(ctx, "xx-buy1"); err == nil {
				t.Fatal("a dry run opened an account")
			}
			b, codes, err = run(sup, csv(good), false)
			if err != nil || b.Imported != 4 || len(codes) != 4 {
				t.Fatalf("good file: %+v %v %+v", b, err, codes)
			}
			bd, err := db.BuyerAccountBoard(ctx, sup, store.AccountFilter{ParentID: orgIDOf(t, db, "长宁区教育测试局")})
			if err != nil || bd.Units != 2 || bd.Total.AdminOpened != 2 || bd.Total.BuyerOpened != 2 || bd.Rows[1].ParentName != "长宁区教育测试局" {
				t.Fatalf("board: %+v %v", bd, err)
			}
			if _, err := db.Activate(ctx, codes[2].Username, codes[2].Code, "Hong-mi#Tea-2026", "10.2.2.2"); err != nil {
				t.Fatalf("activate an imported account: %v", err)
			}
			// The same file again opens nothing new.
			b, codes2, err := run(sup, csv(good), false)
			if err != nil || b.Imported != 0 || b.Skipped != 4 || len(codes2) != 0 {
				t.Fatalf("again: %+v %v", b, err)
			}
			var buf bytes.Buffer
			if err := imports.ActivationCodeWorkbook(&buf, codes, "http://x/activate", time.Now()); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("激活码")
			if len(rows) != 6 || rows[3][4] != codes[1].Code || rows[2][1] != "管理账号" {
				t.Fatalf("code workbook: %q", rows)
			}
		})
	}
}

func orgIDOf(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	o, err := db.OrgByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}
