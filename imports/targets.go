package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// TargetSpec is the contract of the assessment targets sheet: one row a
// county and figure; money in 万元.
var TargetSpec = Spec{Title: "考核目标", Columns: []Column{
	{Header: "年度", Help: "如 2020；不填则为页面所选年度", Example: "2020", Width: 8},
	{Header: "受援县", Required: true, Aliases: []string{"县", "县名"}, Help: "县名（可用简称）或12位区划代码", Example: "绿春县", Width: 14},
	{Header: "指标", Required: true, Aliases: []string{"考核指标"}, Help: "考核指标名称，如“捐款捐物折款”", Example: "捐款捐物折款", Width: 22},
	{Header: "目标值", Required: true, Aliases: []string{"目标"}, Help: "金额类以万元填写（如 300 或 300万），人数、次数填整数；填“删除”则取消该目标", Example: "300", Width: 12},
}}

// Targets reads a targets sheet and saves its rows for year; any bad row
// (named by line and column) leaves nothing written. It returns how many
// targets were set.
func Targets(ctx context.Context, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, year int,
	metrics []report.Metric, counties []report.Area) (int, error) {
	t, err := openTable(name, r, size, Options{}, TargetSpec)
	if err != nil {
		return 0, err
	}
	defer t.rd.Close()
	var rows []store.BatchRow
	for {
		row, line, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return 0, fileError("读取文件失败：" + err.Error())
		}
		target, msg := parseTarget(t.h.Cell, row, year, metrics, counties)
		rows = append(rows, store.BatchRow{Line: line, Cells: row, Err: msg, Save: func(ctx context.Context, u *xiezuo.User) (int64, error) {
			return 0, db.SaveTargets(ctx, u, []report.Target{target}, metrics)
		}})
	}
	b := t.batch(name, Options{Mode: "all"}, "target")
	if err := db.Import(ctx, u, b, sliceRows(rows), nil); err != nil {
		return 0, err
	}
	if b.Status == store.ImportRefused {
		problems, err := db.ImportProblems(ctx, u, b.ID)
		if err != nil {
			return 0, err
		}
		msgs := make([]string, 0, len(problems))
		for _, p := range problems {
			msgs = append(msgs, fmt.Sprintf("第%d行%s", p.Line, p.Message))
		}
		if len(msgs) > 20 {
			msgs = append(msgs[:20], fmt.Sprintf("……共%d行有错误", len(msgs)))
		}
		msg := "未导入：" + strings.Join(msgs, "；")
		return 0, &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{"file": msg}}
	}
	return int(b.Imported), nil
}

func parseTarget(cell func([]string, string) string, row []string, year int, metrics []report.Metric, counties []report.Area) (report.Target, string) {
	t := report.Target{Year: year}
	if y := cell(row, "年度"); y != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(y, "年"))
		if err != nil {
			return t, "【年度】“" + y + "”不是年份"
		}
		t.Year = n
	}
	county := cell(row, "受援县")
	for _, c := range counties {
		if county == c.Code || county == c.Label || strings.TrimSuffix(county, "县") == strings.TrimSuffix(c.Label, "县") {
			t.CountyCode = c.Code
		}
	}
	if t.CountyCode == "" {
		var names []string
		for _, c := range counties {
			names = append(names, c.Label)
		}
		return t, "【受援县】“" + county + "”不是结对县（" + strings.Join(names, "、") + "）"
	}
	label := cell(row, "指标")
	var m *report.Metric
	for i := range metrics {
		if label == metrics[i].Label || label == metrics[i].Code {
			m = &metrics[i]
		}
	}
	if m == nil {
		return t, "【指标】“" + label + "”不是考核指标"
	}
	t.Metric = m.Code
	v := strings.ReplaceAll(cell(row, "目标值"), ",", "")
	switch {
	case v == "删除":
		t.Value = -1
	case m.Money:
		n, ok := xiezuo.ParseYuan(strings.TrimSuffix(strings.TrimSuffix(v, "元"), "万") + "万")
		if !ok || n < 0 {
			return t, "【目标值】“" + v + "”不是万元金额"
		}
		t.Value = n
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return t, "【目标值】“" + v + "”不是非负整数"
		}
		t.Value = n
	}
	return t, ""
}
