package imports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
)

// TestImportBoundsDates (issue 9, fault 6): a row dated before 1996 or
// after the end of next year (on the database's clock) is reported on its
// row, naming the column, like any other bad cell.
func TestImportBoundsDates(t *testing.T) {
	t.Parallel()
	db := testdb.OpenDemo(t, "sqlite")
	db.Now = func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, xiezuo.China) }
	unit, county := user(t, db, "chengjiaqiao"), user(t, db, "lvchun")
	for _, c := range []struct {
		kind, file, want string
		u                *xiezuo.User
	}{
		{"contributions", "日期,帮扶单位,受援县,形式,金额(元)\n1990-09-01,上海龙舜投资管理有限公司,绿春县,资金,100\n",
			"【日期】日期应在1996年至2027年之间", unit},
		{"activities", "标题,类型,开始日期,简报栏目,所到县,活动内容\n回访绿春县,考察调研,2202年9月1日至4日,扶贫协作,绿春,回访。\n",
			"【开始日期】日期应在1996年至2027年之间", unit},
		{"batches", "日期,县,类型,批次,人数,计量单位\n2202年11月20日,绿春县,先心病患儿赴沪治疗,第四批,30,名患儿\n",
			"【日期】日期应在1996年至2027年之间", county},
		{"projects", "项目名称,受援县,领域,资金来源,完成时限,项目状态\n茶叶初制所,绿春县,产业,上海市财政援助资金,2202-10-31,在建\n",
			"【完成时限】完成时限应在1996年至2036年之间", county},
	} {
		b, err := run2(t, db, c.u, c.kind, c.kind+".csv", []byte(c.file), imports.Options{Mode: "all"})
		if err == nil || b == nil || b.Errors != 1 || b.Imported != 0 {
			t.Errorf("%s: %+v, %v", c.kind, b, err)
			continue
		}
		probs, _ := db.ImportProblems(ctx, c.u, b.ID)
		if len(probs) != 1 || probs[0].Line != 2 || !strings.Contains(probs[0].Message, c.want) {
			t.Errorf("%s: problems %+v, want %q", c.kind, probs, c.want)
		}
	}
}
