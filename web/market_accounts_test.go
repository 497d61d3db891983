package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The 832 work end to end: 区财政局 imports three budget units with their
// accounts from an .xlsx, reads a purchaser's code off the result page,
// the purchaser activates in a fresh browser and lands in the market, and
// the dashboard counts the account as activated.
func TestBuyerAccountActivationFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sup := e.client("caizheng")
	f := excelize.NewFile()
	rows := [][]any{
		{"预算单位名称", "统一社会信用代码", "单位类型", "主管预算单位", "账号类型", "姓名", "用户名", "手机号"},
		{"长宁区流程测试局", "", "委办局", "", "管理账号", "甲", "lc-ju", "13800000011"},
		{"长宁区流程测试一所", "", "其他", "长宁区流程测试局", "管理账号", "乙", "lc-yi", "13800000012"},
		{"长宁区流程测试一所", "", "", "", "采购人", "丙", "lc-bing", "13800000013"},
		{"长宁区流程测试二所", "", "其他", "长宁区流程测试局", "采购人", "丁", "lc-ding", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var file bytes.Buffer
	if _, err := f.WriteTo(&file); err != nil {
		t.Fatal(err)
	}
	upload := func(c *http.Client, dry bool) (*http.Response, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "预算单位账号.xlsx")
		fw.Write(file.Bytes())
		if dry {
			mw.WriteField("dry_run", "1")
		}
		mw.Close()
		return do(t, c, "POST", e.srv.URL+"/market/accounts/import", mw.FormDataContentType(), body.String())
	}
	// A unit's user may not; a dry run opens nothing.
	if resp, _ := upload(e.client("chengjiaqiao"), false); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unit user import: %d", resp.StatusCode)
	}
	if resp, body := upload(sup, true); resp.StatusCode != http.StatusOK || !strings.Contains(body, "检查通过：4 个账号可以开通") || strings.Contains(body, "新激活码") {
		t.Fatalf("dry run: %d %s", resp.StatusCode, body)
	}
	resp, body := upload(sup, false)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "已开通 4 个账号") {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`>lc-bing</td><td[^>]*>([A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})</td>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code for lc-bing on the result page: %s", body)
	}
	code := m[1]
	// The codes download as a workbook from the page's own form.
	var codes url.Values = url.Values{}
	for _, v := range regexp.MustCompile(`name="c" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		codes.Add("c", html.UnescapeString(v[1]))
	}
	resp, xlsx := do(t, sup, "POST", e.srv.URL+"/market/accounts/codes.xlsx", form, codes.Encode())
	if resp.StatusCode != http.StatusOK || len(codes["c"]) != 4 {
		t.Fatalf("codes.xlsx: %d, %d codes", resp.StatusCode, len(codes["c"]))
	}
	book, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := book.GetRows("激活码")
	if len(got) != 6 || !strings.Contains(strings.Join(got[4], "|"), "lc-bing|"+code) {
		t.Fatalf("codes workbook: %q", got)
	}

	// The purchaser, in a browser nobody signed in on.
	anon := e.client("")
	if resp, body := do(t, anon, "GET", e.srv.URL+"/activate", "", ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, "激活码") {
		t.Fatalf("GET /activate: %d", resp.StatusCode)
	}
	activate := func(c *http.Client, code, pw string) (*http.Response, string) {
		return do(t, c, "POST", e.srv.URL+"/activate", form, url.Values{"username": {"lc-bing"}, "code": {code}, "password": {pw}, "confirm": {pw}}.Encode())
	}
	if resp, body := activate(anon, "WRONG-WRONG-WRONG", "Hong-mi#Tea-2026"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "用户名或激活码不正确") {
		t.Fatalf("wrong code: %d %s", resp.StatusCode, body)
	}
	if resp, body := activate(anon, code, "12345678"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "密码太简单") {
		t.Fatalf("weak password: %d %s", resp.StatusCode, body)
	}
	resp, _ = activate(anon, strings.ToLower(strings.ReplaceAll(code, "-", "")), "Hong-mi#Tea-2026")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/market" {
		t.Fatalf("activate: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := do(t, anon, "GET", e.srv.URL+"/market", "", ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, "账号已激活") {
		t.Fatalf("the market after activation: %d", resp.StatusCode)
	}
	// The code works once.
	if resp, _ := activate(e.client(""), code, "Other#Pass-2026x"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("code used twice: %d", resp.StatusCode)
	}

	// The dashboard, for the file's 主管预算单位: 3 units, 已激活 1.
	parent, err := e.db.OrgByName(ctx, "长宁区流程测试局")
	if err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, sup, "GET", e.srv.URL+"/market/accounts?parent="+itoa(parent.ID), "", "")
	for _, want := range []string{`<div class="num">3</div><div class="lbl">预算单位</div>`, "已开通管理账号 · 已激活 0", "已开通采购人账号 · 已激活 1", "账号开通</a>"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q: %d", want, resp.StatusCode)
		}
	}
	// A new code for an account still waiting, shown once.
	yi, _ := e.db.UserByName(ctx, "lc-yi")
	resp, body = do(t, sup, "POST", e.srv.URL+"/market/accounts/"+itoa(yi.ID)+"/code", form, "")
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "新激活码（只显示这一次）") || !strings.Contains(body, "长宁区流程测试一所 的账号") {
		t.Fatalf("reissue: %d %s", resp.StatusCode, body)
	}
	bing, _ := e.db.UserByName(ctx, "lc-bing")
	if resp, _ := do(t, sup, "POST", e.srv.URL+"/market/accounts/"+itoa(bing.ID)+"/code", form, ""); resp.StatusCode != http.StatusConflict {
		t.Fatalf("reissue for an activated account: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
