package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// upload posts a file to /imports as the browser form does.
func upload(t *testing.T, c *http.Client, base, name string, data []byte, fields map[string]string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestImportAndExportPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("chengjiaqiao")
	// The template downloads as a workbook with the contract's headers.
	resp, tpl := do(t, c, "GET", e.srv.URL+"/templates/contributions", "", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("template: %d %v", resp.StatusCode, resp.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := f.GetRows("帮扶投入")
	if got := strings.Join(head[0], ","); !strings.HasPrefix(got, "日期,截止日期,帮扶单位,受援县,受援乡镇,受援村,受援机构,形式,领域,金额(元),数量,计量单位,物资/内容,受益人数,状态,所属活动,备注") {
		t.Fatalf("template headers: %s", got)
	}
	// A CSV with one bad row: refused, report lists it by row and column.
	csvData := "日期,帮扶单位,受援县,形式,金额(元)\n2020年9月2日,上海龙舜投资管理有限公司,绿春县,资金,3.2万\n2020年9月3日,上海龙舜投资管理有限公司,绿春县,资金,三万\n"
	resp = upload(t, c, e.srv.URL, "九月.csv", []byte(csvData), map[string]string{"mode": "all"})
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	_, page := do(t, c, "GET", e.srv.URL+loc, "", "")
	for _, want := range []string{"有错误，未导入", "【金额(元)】“三万”不是金额", "下载待修改行"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	resp, ew := do(t, c, "GET", e.srv.URL+loc+"/errors.xlsx", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("error workbook: %d", resp.StatusCode)
	}
	ef, _ := excelize.OpenReader(strings.NewReader(ew))
	rows, _ := ef.GetRows("待修改")
	if len(rows) != 2 || rows[0][1] != "错误说明" || rows[1][0] != "3" {
		t.Fatalf("error workbook rows: %v", rows)
	}
	// Another unit's user cannot see the batch.
	if resp, _ := do(t, e.client("xinhualu"), "GET", e.srv.URL+loc, "", ""); resp.StatusCode != 404 {
		t.Fatalf("other unit sees batch: %d", resp.StatusCode)
	}
	// Fixed: imported as drafts; the office can undo the batch.
	fixed := strings.Replace(csvData, "三万", "3.5万", 1)
	resp = upload(t, c, e.srv.URL, "九月.csv", []byte(fixed), map[string]string{"mode": "all"})
	_, page = do(t, c, "GET", e.srv.URL+resp.Header.Get("Location"), "", "")
	if !strings.Contains(page, "导入 <strong>2</strong>") {
		t.Fatalf("fixed upload report: %.400s", page)
	}
	admin := e.client("admin")
	resp, _ = do(t, admin, "POST", e.srv.URL+resp.Header.Get("Location")+"/undo", form, "")
	if resp.StatusCode != 303 {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	// A file over the limit is refused from its Content-Length alone.
	req, _ := http.NewRequest("POST", e.srv.URL+"/imports", io.LimitReader(zeros{}, 100<<20))
	req.ContentLength = 100 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), "文件超过 64 MB") {
		t.Fatalf("100 MB upload: %d", resp.StatusCode)
	}
	// Export of a filtered list.
	resp, x := do(t, e.client("viewer"), "GET", e.srv.URL+"/export/contributions.xlsx?county=532531000000&status=approved", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	xf, _ := excelize.OpenReader(strings.NewReader(x))
	data, _ := xf.GetRows("帮扶投入")
	last := data[len(data)-1]
	// The demo's 15 records less 临空园区's 认购 and 晨讯's 定向采购 typed as
	// ledger lines, plus the market's 37 认购 orders and 晨讯's order
	// (demo/market_lots.go): 3,112,088 − 60 + 49,900 元.
	if len(data) != 53 || !strings.HasPrefix(last[0], "合计（51 笔）") || last[9] != "3,161,928.00" {
		t.Fatalf("export: %d rows, last %v", len(data), last)
	}
	note, _ := xf.GetRows("说明")
	if !strings.Contains(fmt.Sprint(note), "受援县：绿春县；状态：已通过") || !strings.Contains(fmt.Sprint(note), "只读用户（viewer）") {
		t.Fatalf("note sheet: %v", note)
	}
	for _, kind := range []string{"activities", "agreements", "projects", "labour", "batches"} {
		resp, body := do(t, e.client("viewer"), "GET", e.srv.URL+"/export/"+kind+".xlsx?county=532531000000", "", "")
		xf, err := excelize.OpenReader(strings.NewReader(body))
		if resp.StatusCode != 200 || err != nil {
			t.Fatalf("export %s: %d %v", kind, resp.StatusCode, err)
		}
		note, _ := xf.GetRows("说明")
		if !strings.Contains(fmt.Sprint(note), "受援县：绿春县") {
			t.Errorf("export %s note: %v", kind, note)
		}
		if resp, _ := do(t, e.client("viewer"), "GET", e.srv.URL+"/export/"+kind+".csv", "", ""); resp.StatusCode != 200 {
			t.Errorf("export %s csv: %d", kind, resp.StatusCode)
		}
	}
	if resp, _ := do(t, e.client("viewer"), "GET", e.srv.URL+"/export/people.pdf", "", ""); resp.StatusCode != 404 {
		t.Errorf("unknown export: %d", resp.StatusCode)
	}
	resp, csvOut := do(t, e.client("viewer"), "GET", e.srv.URL+"/export/contributions.csv?county=532531000000", "", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(csvOut, "\ufeff日期,截止日期,帮扶单位") || strings.Count(csvOut, "\n") != 52 { // the header and 51 records, as above
		t.Fatalf("csv export: %d, %d lines", resp.StatusCode, strings.Count(csvOut, "\n"))
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

// TestLargeUploadRunsInBackground: a file over 2 MB is imported while a
// self-refreshing page shows progress, then the report.
func TestLargeUploadRunsInBackground(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	var b strings.Builder
	b.WriteString("日期,帮扶单位,受援县,形式,金额(元),物资/内容\n")
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "2019-%02d-%02d,上海龙舜投资管理有限公司,绿春县,资金,%d,批量测试第%d行\n", i%12+1, i%28+1, 100+i, i)
	}
	resp := upload(t, c, e.srv.URL, "big.csv", []byte(b.String()), map[string]string{"mode": "valid"})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/import-jobs/") {
		t.Fatalf("large upload: %d %s", resp.StatusCode, loc)
	}
	deadline := time.Now().Add(5 * time.Minute) // generous: the race detector slows the import tenfold
	// Meanwhile another unit saves a form: the import does not lock it out.
	other := e.client("xinhualu")
	saved := url.Values{"date_from": {"2021-01-05"}, "givers": {"上海龙舜投资管理有限公司"}, "county_code": {"532529000000"},
		"form": {"cash"}, "sector": {"education"}, "delivery": {"delivered"}, "amount": {"1000"}}
	if resp, body := do(t, other, "POST", e.srv.URL+"/contributions", form, saved.Encode()); resp.StatusCode != 303 {
		t.Fatalf("save during import: %d %.200s", resp.StatusCode, body)
	}
	for strings.HasPrefix(loc, "/import-jobs/") && time.Now().Before(deadline) {
		resp, page := do(t, c, "GET", e.srv.URL+loc, "", "")
		if resp.StatusCode == 200 {
			if !strings.Contains(page, "正在导入") || !strings.Contains(page, `http-equiv="refresh"`) {
				t.Fatalf("progress page: %.300s", page)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		loc = resp.Header.Get("Location")
	}
	_, page := do(t, c, "GET", e.srv.URL+loc, "", "")
	if !strings.Contains(page, "已导入") || !strings.Contains(page, "错误 <strong>0</strong>") {
		t.Fatalf("report: %.500s", page)
	}
}
