package imports_test

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/report"
)

func TestTargetsSheet(t *testing.T) {
	t.Parallel()
	db := testdb.OpenDemo(t, "sqlite")
	admin := user(t, db, "admin")
	metrics := report.Metrics()
	counties := []report.Area{{Code: "532531000000", Label: "绿春县"}, {Code: "532530000000", Label: "金平县"}}
	run := func(csv string) (int, error) {
		return imports.Targets(ctx, db, admin, "目标.csv", strings.NewReader(csv), int64(len(csv)), 2020, metrics, counties)
	}
	// Every bad row is named; nothing is written.
	_, err := run("受援县,指标,目标值\n绿春县,捐款捐物折款,300\n大理市,捐款捐物折款,10\n金平县,招商引资,5\n绿春,考察互访,十二\n")
	msg := xiezuo.ErrorMessage(err)
	for _, want := range []string{"第3行【受援县】“大理市”", "第4行【指标】“招商引资”", "第5行【目标值】“十二”"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if ts, _ := db.Targets(ctx, 2020); len(ts) != 0 {
		t.Fatalf("a refused sheet wrote %d targets", len(ts))
	}
	n, err := run("年度,受援县,指标,目标值\n2020,绿春,捐款捐物折款,300万\n2020,金平县,考察互访,12\n")
	if err != nil || n != 2 {
		t.Fatalf("import: %d, %v", n, err)
	}
	ts, _ := db.Targets(ctx, 2020)
	got := map[string]int64{}
	for _, tg := range ts {
		got[tg.CountyCode+"/"+tg.Metric] = tg.Value
	}
	if got["532531000000/social"] != 300_000_000 || got["532530000000/visits"] != 12 {
		t.Errorf("targets: %v", got)
	}
}
